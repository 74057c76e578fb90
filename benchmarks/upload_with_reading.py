"""Does reading documents slow the upload? (issue 18: "the upload request's time unchanged (within 10%) with
reading on").

    python benchmarks/upload_with_reading.py [--uploads 20] [--rounds 2] [--pause 1.0]

Serves the app with gunicorn (deploy/gunicorn.conf.py, two workers) on SQLite and the local disk in a temporary
folder, signs in as a staff member and uploads scanned-looking PDFs (one page, a 200 dpi grey image of an
administrative text: the costly kind to read, OCR) one after another, `--pause` seconds apart, timing each upload
request (from the first byte sent to the 303 answer). The same uploads are made in rounds, alternating:
- `off`: reading switched off (MINHCHUNG_READING=off);
- `rq`: reading on as in production: the upload queues the work on Redis (127.0.0.1:6379, database 13, flushed)
  and one `minhchung reading worker` reads each document on the same machine meanwhile (OCR on the same cores).
It prints the median and p90 of each mode, how many documents the worker had read by the end, and a PASS/FAIL line
for the goal (median with reading within 10% of without). Needs Redis and Tesseract.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import io
import os
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "evidence_app" / "static" / "fonts" / "DejaVuSans.ttf"
PASSWORD = "Upload-with-reading-1"
REDIS_URL = "redis://127.0.0.1:6379/13"
LINES = [
    "UỶ BAN NHÂN DÂN PHƯỜNG GIẾNG ĐÁY",
    "Số: {n}/KH-UBND                Giếng Đáy, ngày 14 tháng 5 năm 2024",
    "KẾ HOẠCH",
    "Cải cách hành chính năm 2024 trên địa bàn phường",
    "Căn cứ Kế hoạch cải cách hành chính, chuyển đổi số năm 2024 của UBND Thành phố;",
    "UBND phường ban hành Kế hoạch cải cách hành chính năm 2024 như sau:",
    "I. Mục đích, yêu cầu: nâng cao chất lượng giải quyết thủ tục hành chính.",
    "II. Nhiệm vụ: rà soát, đơn giản hoá thủ tục hành chính; số hoá hồ sơ.",
    "III. Tổ chức thực hiện: các bộ phận căn cứ nhiệm vụ được giao triển khai.",
    "CHỦ TỊCH",
    "Nguyễn Văn An",
]


def scanned_pdf(n: int) -> bytes:
    """One A4 page at 200 dpi: an administrative text drawn in grey on an off-white page, as a scanner gives it."""
    page = Image.new("L", (1654, 2339), 244)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT), 34)
    y = 160
    for line in LINES:
        draw.text((150, y), line.format(n=n), fill=40, font=font)
        y += 90
    jpeg = io.BytesIO()
    page.save(jpeg, "JPEG", quality=70)
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    jpeg.seek(0)
    pdf.image(jpeg, x=0, y=0, w=595, h=842)
    return bytes(pdf.output())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict, *args: str) -> str:
    done = subprocess.run(["minhchung", *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"minhchung {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as answer:
            return answer.read().decode()

    def post(self, path: str, body: bytes, content_type: str) -> int:
        request = urllib.request.Request(self.base + path, body, {"Content-Type": content_type})
        try:
            with self.opener.open(request, timeout=120) as answer:
                answer.read()
                return answer.status
        except urllib.error.HTTPError as error:
            if error.code >= 400:
                page = re.sub(r"\s+", " ", error.read().decode())
                print(
                    f"{path}: {error.code}", re.findall(r'<section id="upload-outcome.{0,900}', page), file=sys.stderr
                )
            return error.code

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)).group(1)


def multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def run_mode(mode: str, env: dict, data: Path, files: list[bytes], pause: float, item_id: int) -> list[float]:
    env = {**env, "MINHCHUNG_READING": mode}
    if mode == "rq":
        env["MINHCHUNG_REDIS_URL"] = REDIS_URL
    port = free_port()
    log = open(data / f"gunicorn-{mode}.log", "ab")
    server = subprocess.Popen(
        [
            "gunicorn",
            "-c",
            str(ROOT / "deploy/gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "evidence_app:create_app()",
        ],
        env=env,
        stdout=log,
        stderr=log,
        cwd=data,
    )
    worker = None
    if mode == "rq":
        worker = subprocess.Popen(["minhchung", "reading", "worker"], env=env, stdout=log, stderr=log, cwd=data)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        browser = Browser(base)
        token = browser.csrf("/login")
        form = urllib.parse.urlencode({"csrf_token": token, "username": "bench", "password": PASSWORD}).encode()
        browser.post("/login", form, "application/x-www-form-urlencoded")
        times = []
        for n, content in enumerate(files):
            token = browser.csrf(f"/items/{item_id}")
            body, content_type = multipart({"csrf_token": token, "summary": "Kế hoạch"}, f"{mode}-{n}.pdf", content)
            started = time.perf_counter()
            status = browser.post(f"/items/{item_id}/upload", body, content_type)
            times.append(time.perf_counter() - started)
            assert status in (200, 303), f"upload {n}: {status}"
            time.sleep(pause)
        return times
    finally:
        for proc in (worker, server):
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=20, help="uploads per mode and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between uploads")
    args = parser.parse_args()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with tempfile.TemporaryDirectory(prefix="mc-upload-reading-") as folder:
        data = Path(folder)
        env = {
            **os.environ,
            "MINHCHUNG_DATA_DIR": str(data / "instance"),
            "MINHCHUNG_LOG_LEVEL": "WARNING",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "MINHCHUNG_CHECK_SCHEMA": "1",
        }
        cli(env, "db", "upgrade")
        cli(env, "units", "create", "--code", "gieng-day", "--name", "UBND phường Giếng Đáy")
        for catalog in sorted((ROOT / "checklists/catalogs/gieng-day").glob("*.yaml")):
            cli(env, "catalog", "import", str(catalog), "--unit", "gieng-day")
        cli(
            env,
            "users",
            "create",
            "--username",
            "bench",
            "--password",
            PASSWORD,
            "--role",
            "staff",
            "--unit",
            "gieng-day",
            "--department",
            "vp-tk",
        )
        with sqlite3.connect(data / "instance" / "minhchung.sqlite3") as db:  # an item of the user's, not a report
            item_id = db.execute(
                "SELECT i.id FROM checklist_items i JOIN departments d ON d.id = i.owner_department_id "
                "WHERE d.code = 'vp-tk' AND i.report_deadline IS NULL ORDER BY i.id LIMIT 1"
            ).fetchone()[0]
        times: dict[str, list[float]] = {"off": [], "rq": []}
        counter = 0
        for round_ in range(args.rounds):
            for mode in ("off", "rq") if round_ % 2 == 0 else ("rq", "off"):
                files = [scanned_pdf(counter + k) for k in range(args.uploads)]
                counter += args.uploads
                times[mode] += run_mode(mode, env, data, files, args.pause, item_id)
                print(f"round {round_ + 1} {mode:<3}: median {statistics.median(times[mode]) * 1000:.0f} ms so far")
        with sqlite3.connect(data / "instance" / "minhchung.sqlite3") as db:
            read = dict(db.execute("SELECT status, count(*) FROM document_readings GROUP BY status").fetchall())
    print(f"\n{'mode':<5} {'uploads':>7} {'median ms':>10} {'p90 ms':>8}")
    for mode, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{mode:<5} {len(values):>7} {statistics.median(values) * 1000:>10.0f} {p90 * 1000:>8.0f}")
    print(f"readings at the end: {read} (the worker reads while uploads go on)")
    ratio = statistics.median(times["rq"]) / statistics.median(times["off"])
    verdict = "PASS" if ratio <= 1.10 else "FAIL"
    print(f"{verdict}: upload median with reading on = {ratio:.2f}× without (goal ≤ 1.10×)")


if __name__ == "__main__":
    main()
