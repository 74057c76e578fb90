"""How long and how much memory the image checks and previews take on files that are cheap in bytes but large in
pixels (issue 13, finding 9): `python benchmarks/image_checks.py [--keep DIR]` with the Python of the app's
virtualenv.

Each case is generated once, then checked in a fresh subprocess (so that one case's memory does not hide
another's): `check_file` as an upload runs it, then, if the file is accepted, `make_previews`. The subprocess
reports the outcome (accepted, or the refusal code), the wall time, and the peak resident memory it grew by
(VmHWM after the work minus VmRSS before it, after the imports, the peak reset through /proc/self/clear_refs;
Linux only: ru_maxrss would count the parent's peak, inherited across fork and exec). The goal: the two files of the
finding (a single-colour 7745 × 7745 PNG and a TIFF cheap in bytes but large) are refused within 2 s and under
200 MB; a 50-megapixel phone photo is still accepted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

GOALS = {"png-7745x7745": (2.0, 200), "tiff-deflate-7745x7745": (2.0, 200), "tiff-2000-pages": (2.0, 200)}


def make_cases(folder: Path) -> dict[str, Path]:
    cases = {}
    big = Image.new("RGB", (7745, 7745), (250, 250, 245))
    cases["png-7745x7745"] = folder / "flood.png"
    big.save(cases["png-7745x7745"], optimize=False, compress_level=9)
    cases["tiff-deflate-7745x7745"] = folder / "flood.tiff"
    big.save(cases["tiff-deflate-7745x7745"], compression="tiff_adobe_deflate")
    del big
    page = Image.new("1", (4000, 4000), 1)
    cases["tiff-2000-pages"] = folder / "pages.tiff"
    page.save(cases["tiff-2000-pages"], compression="group4", save_all=True, append_images=[page] * 1999)
    photo = Image.linear_gradient("L").resize((8160, 6144)).convert("RGB")  # 50 MP, like a phone's main camera
    cases["jpeg-50mp-photo"] = folder / "photo.jpg"
    photo.save(cases["jpeg-50mp-photo"], quality=85)
    cases["png-48mp-screenshot"] = folder / "screenshot.png"
    photo.crop((0, 0, 8000, 6000)).save(cases["png-48mp-screenshot"])
    return cases


def measure(path: str) -> dict:
    """In the subprocess: check, then preview, as an upload does."""
    from evidence_app.evidence.filecheck import FileRefused, check_file
    from evidence_app.evidence.previews import make_previews

    def status_kb(field: str) -> int:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

    with open("/proc/self/clear_refs", "w") as f:  # the peak (VmHWM) starts again from the current size
        f.write("5")
    before = status_kb("VmRSS")
    start = time.perf_counter()
    try:
        checked = check_file(path, Path(path).name, max_bytes=50 * 1024 * 1024)
        with tempfile.TemporaryDirectory() as out:
            make_previews(path, checked.kind, out)
        outcome = "accepted"
    except FileRefused as refused:
        outcome = f"refused: {refused.code}"
    seconds = time.perf_counter() - start
    grown_mb = (status_kb("VmHWM") - before) / 1024
    return {"outcome": outcome, "seconds": round(seconds, 2), "peak_mb": round(max(grown_mb, 0), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", help="generate the files into this folder and keep them")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the subprocess
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cases = make_cases(folder)
        failed = False
        print(f"{'case':26} {'bytes':>10} {'outcome':28} {'seconds':>8} {'peak MB':>8}  goal")
        for name, path in cases.items():
            run = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True
            )
            result = json.loads(run.stdout.strip().splitlines()[-1])
            goal = ""
            if name in GOALS:
                seconds, megabytes = GOALS[name]
                ok = result["outcome"].startswith("refused") and result["seconds"] < seconds
                ok = ok and result["peak_mb"] < megabytes
                goal = f"{'PASS' if ok else 'FAIL'} (refused, < {seconds:g} s, < {megabytes} MB)"
            elif name == "jpeg-50mp-photo":
                ok = result["outcome"] == "accepted"
                goal = f"{'PASS' if ok else 'FAIL'} (accepted)"
            else:
                ok = True
            failed |= not ok
            size = os.path.getsize(path)
            print(f"{name:26} {size:>10} {result['outcome']:28} {result['seconds']:>8} {result['peak_mb']:>8}  {goal}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
