"""How long `minhchung` takes to answer (issue 16: `minhchung --help` under 1.5 s).

    python benchmarks/cli_startup.py [--runs 7]

Runs, in an empty temporary folder (so nothing of a data directory is read), `minhchung --help`,
`minhchung --version` and `minhchung users --help` `--runs` times each with the Python of the app's virtualenv,
and prints the median and the worst wall-clock seconds, with the CPU seconds of the median run; then one PASS/FAIL
line for the goal. It also reports whether any run left a file behind (`--help` must write nothing). Exit code 0
either way (a benchmark, not a test). Compare on an idle machine: the figure is mostly Python importing the app.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 1.5
COMMANDS = (["--help"], ["--version"], ["users", "--help"])


def minhchung() -> str:
    found = Path(sys.executable).with_name("minhchung")
    return str(found) if found.exists() else shutil.which("minhchung") or "minhchung"


def run_once(args: list[str], folder: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([minhchung(), *args], cwd=folder, check=True, capture_output=True, env=clean_environment())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("MINHCHUNG_", "DATABASE_URL", "STORAGE_URL"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"{'command':<28}{'median s':>10}{'max s':>9}{'CPU s':>8}")
    medians = {}
    with tempfile.TemporaryDirectory() as folder:
        for command in COMMANDS:
            runs = sorted(run_once(command, folder) for _ in range(args.runs))
            wall = [w for w, _ in runs]
            median = statistics.median(wall)
            cpu = runs[len(runs) // 2][1]
            medians[" ".join(command)] = median
            print(f"{'minhchung ' + ' '.join(command):<28}{median:>10.2f}{max(wall):>9.2f}{cpu:>8.2f}")
        left = sorted(p.name for p in Path(folder).iterdir())
    print(f"files left in the folder: {', '.join(left) if left else 'none'}")
    help_median = medians["--help"]
    verdict = "PASS" if help_median < GOAL_SECONDS and not left else "FAIL"
    print(f"GOAL `minhchung --help` under {GOAL_SECONDS} s and writing nothing: {verdict} ({help_median:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
