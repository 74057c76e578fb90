"""Upload throughput and server memory of the item page's form (`POST /items/<id>/upload`) and of the API
(`POST /api/v1/items/<id>/documents`), through a real running server.

For each size (MiB), run and path: a fresh, valid PDF of that size is uploaded with a streaming multipart body
(sent from the file with sendfile, never held in memory) and timed until the answer (303 for the page, 201 for
the API); just before, the same file is copied with `shutil.copyfileobj` to the same disk (without and with
`os.fsync`) and hashed, as the baselines. The RSS of the process that handles the requests (the gunicorn worker)
is polled every ~10 ms during the uploads. At the end, `minhchung storage verify --json` checks that every
uploaded file is stored under its SHA-256.

    python benchmarks/upload_throughput.py [--sizes 1,50,200] [--runs 3] [--path page|api|both]
                                           [--server gunicorn|werkzeug] [--reading off|thread]

Standard library only; the app's own CLI (`minhchung`, and `gunicorn` for the default server) from the
virtualenv of the Python running this script. Nothing outside a fresh temporary directory is touched.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

MiB = 1024 * 1024
CHUNK = MiB
ITEM_CODE = "CCHC-1.3-a"  # a plan, not a periodic report: the upload form needs no number or sending date
BIN = Path(sys.executable).parent
GUNICORN_CONF = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"
ITEM_ID_CODE = """
import sys
from sqlalchemy import select
from evidence_app import create_app
from evidence_app.auth.models import Unit
from evidence_app.catalog.models import ChecklistItem
with create_app().app_context():
    from evidence_app.extensions import db
    print(db.session.execute(select(ChecklistItem.id).join(Unit, ChecklistItem.unit_id == Unit.id)
          .where(Unit.code == 'gieng-day', ChecklistItem.code == sys.argv[1])).scalar_one())
"""


def cli(env: dict, *args: str, ok=(0,)) -> str:
    done = subprocess.run(
        [str(BIN / "minhchung"), *args], env=env, cwd=env["MINHCHUNG_DATA_DIR"], capture_output=True, text=True
    )
    if done.returncode not in ok or ("--json" in args and not done.stdout.strip()):
        raise RuntimeError(
            f"minhchung {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr[-3000:]}"
        )
    return done.stdout


# ---------------------------------------------------------------- test files
def write_pdf(path: Path, size: int) -> int:
    """A one-page PDF of exactly `size` bytes: the page, plus an unreferenced uncompressed stream of random
    bytes, with a correct xref table. Returns the file offset of the random bytes (see vary_pdf)."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length 8 >>\nstream\n0 0 m S\n\nendstream",
    ]
    with open(path, "wb") as f:
        f.write(head)
        offsets = []
        for number, body in enumerate(objs, 1):
            offsets.append(f.tell())
            f.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        tail_len = 300  # xref (6 entries x 20 bytes) + trailer + startxref, padded to this length below
        start = f.tell()
        payload = size - start - tail_len - len(b"5 0 obj\n<< /Length 0000000000 >>\nstream\n\nendstream\nendobj\n")
        if payload < 1024:
            sys.exit(f"size {size} is too small for the test PDF")
        offsets.append(start)
        f.write(b"5 0 obj\n<< /Length %010d >>\nstream\n" % payload)
        random_at = f.tell()
        for left in range(payload, 0, -CHUNK):
            f.write(os.urandom(min(CHUNK, left)))
        f.write(b"\nendstream\nendobj\n")
        xref = f.tell()
        tail = b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
        tail += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
        f.write(tail[:-6] + b"\n" * (tail_len - len(tail)) + tail[-6:])  # pad with blank lines before %%EOF
    assert path.stat().st_size == size
    return random_at


def vary_pdf(path: Path, random_at: int) -> str:
    """New bytes for a new run (so dedup cannot short-circuit the upload); returns the file's SHA-256."""
    with open(path, "r+b") as f:
        f.seek(random_at)
        f.write(os.urandom(32))
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- HTTP client
class Client:
    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, SimpleCookie()

    def _conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def _done(self, conn, resp) -> tuple[int, str, str]:
        for header in resp.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        body = resp.read().decode("utf-8", "replace")
        conn.close()
        return resp.status, resp.getheader("Location", ""), body

    def _cookie(self) -> str:
        return "; ".join(f"{k}={m.value}" for k, m in self.cookies.items() if m.value)

    def get(self, path: str):
        conn = self._conn()
        conn.request("GET", path, headers={"Cookie": self._cookie()})
        return self._done(conn, conn.getresponse())

    def post_form(self, path: str, fields: dict):
        conn = self._conn()
        conn.request(
            "POST",
            path,
            urllib.parse.urlencode(fields),
            {"Cookie": self._cookie(), "Content-Type": "application/x-www-form-urlencoded"},
        )
        return self._done(conn, conn.getresponse())

    def post_file(self, path: str, fields: dict, name: str, file: Path, headers: dict | None = None):
        """multipart/form-data with the file sent from disk (sendfile); Content-Length computed."""
        boundary = "bench" + secrets.token_hex(16)
        pre = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        pre += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file.name}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        post = f"\r\n--{boundary}--\r\n".encode()
        conn = self._conn()
        conn.putrequest("POST", path)
        conn.putheader("Cookie", self._cookie())
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(pre) + file.stat().st_size + len(post)))
        for header, value in (headers or {}).items():
            conn.putheader(header, value)
        conn.endheaders()
        conn.send(pre)
        with open(file, "rb") as f:
            conn.sock.sendfile(f)  # as nginx does: the client's own copying does not compete with the server
        conn.send(post)
        return self._done(conn, conn.getresponse())


def csrf_token(html: str) -> str:
    for tag in re.findall(r"<input[^>]*>", html):
        if 'name="csrf_token"' in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    raise RuntimeError("no csrf_token on the page")


# ---------------------------------------------------------------- server and memory
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kind: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    if kind == "gunicorn":
        cmd = [  # the shipped configuration (gthread), with one worker on a free port, quiet
            str(BIN / "gunicorn"),
            "-c",
            str(GUNICORN_CONF),
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "evidence_app:create_app()",
        ]
        if "--no-control-socket" in subprocess.run(cmd[:1] + ["--help"], capture_output=True, text=True).stdout:
            cmd.append("--no-control-socket")  # gunicorn >= 24 would otherwise make ~/.gunicorn/gunicorn.ctl
    else:
        cmd = [str(BIN / "minhchung"), "run", "--port", str(port), "--no-reload", "--no-debugger"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, cwd=env["MINHCHUNG_DATA_DIR"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )  # its own process group: Ctrl+C here does not hit it
    proc.port = port
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if Client(port).get("/login")[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    stop_server(proc)
    sys.exit(f"the server did not answer /login within 30 s:\n{log.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)  # the group start_server created: the server and its workers
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def handler_pid(server_pid: int) -> int:
    """The gunicorn worker (the master's only child), or the werkzeug process itself."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return int(children[0]) if children else server_pid


def cpu_seconds(pid: int) -> float:
    """User and system time of the process and all its threads so far (on a shared machine, the work an upload
    costs the server, whatever the other processes take of the cores meanwhile)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):  # kB
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


class PeakRSS(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, rss_mib(pid), threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, rss_mib(self.pid))

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak


# ---------------------------------------------------------------- timing
def timed_copy(src: Path, dst: Path, fsync: bool) -> float:
    os.sync()  # start from a clean disk: no writeback of the previous step lands in this one
    t0 = time.perf_counter()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)
        if fsync:
            fout.flush()
            os.fsync(fout.fileno())
    elapsed = time.perf_counter() - t0
    dst.unlink()
    return elapsed


def timed_sha256(src: Path) -> float:
    """SHA-256 of the (cached) file in this process: work every upload must do, whatever the server."""
    t0 = time.perf_counter()
    with open(src, "rb") as fin:
        hashlib.file_digest(fin, "sha256")
    return time.perf_counter() - t0


def upload(client: Client, item_id: int, pdf: Path, path: str, api_token: str) -> float:
    """One upload through the item page's form (`path` "page") or the API ("api"); returns the seconds until
    the answer (303 or 201)."""
    if path == "page":
        token = csrf_token(client.get(f"/items/{item_id}")[2])  # the GET also shows (empties) the flash messages
        url, fields, field, headers, expected = f"/items/{item_id}/upload", {"csrf_token": token}, "files", {}, 303
    else:
        url, fields, field, expected = f"/api/v1/items/{item_id}/documents", {}, "file", 201
        headers = {"Authorization": f"Bearer {api_token}"}
    os.sync()
    t0 = time.perf_counter()
    status, _, body = client.post_file(url, fields, field, pdf, headers)
    elapsed = time.perf_counter() - t0
    if status != expected:
        raise RuntimeError(f"{path} upload of {pdf.name} answered {status}:\n{body[:2000]}")
    return elapsed


@dataclass
class Times:
    """The seconds of one size's runs through one path, and the worker's peak RSS meanwhile."""

    upload: list[float] = field(default_factory=list)
    copy: list[float] = field(default_factory=list)
    copy_sync: list[float] = field(default_factory=list)
    hashing: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: float = 0.0


@dataclass
class Row:
    size_mb: int
    path: str
    upload: float
    copy: float
    copy_sync: float
    growth: float
    sha256: float
    cpu: float


def benchmark(args, data: Path, env: dict) -> None:
    max_mb = max(args.sizes)
    print(
        f"data directory {data} (MINHCHUNG_MAX_UPLOAD_MB={env['MINHCHUNG_MAX_UPLOAD_MB']}), server {args.server}",
        flush=True,
    )
    cli(env, "demo", "--no-serve")
    password = secrets.token_urlsafe(16)
    cli(
        env,
        "users",
        "create",
        "--username",
        "bench",
        "--password",
        password,
        "--role",
        "staff",
        "--unit",
        "gieng-day",
        "--department",
        "vp-tk",
    )
    api_token = cli(env, "tokens", "create", "--user", "bench", "--name", "benchmark").strip()
    items = json.loads(cli(env, "catalog", "items", "--unit", "gieng-day", "--json"))
    item = next(i for i in items if i["code"] == ITEM_CODE)
    assert item["report_deadline"] is None, f"{ITEM_CODE} is a periodic report"
    item_id = int(
        subprocess.run(
            [sys.executable, "-c", ITEM_ID_CODE, ITEM_CODE],
            env=env,
            cwd=data,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )

    server = start_server(args.server, free_port(), env, data / "server.log")
    try:
        client = Client(server.port)
        status, _, _ = client.post_form(
            "/login", {"username": "bench", "password": password, "csrf_token": csrf_token(client.get("/login")[2])}
        )
        assert status in (302, 303), f"login failed: {status}"
        inputs = data / "bench-input"
        inputs.mkdir()
        warm = inputs / "warm-up.pdf"  # untimed: the first request's lazy imports and template compilation
        uploaded = {vary_pdf(warm, write_pdf(warm, 64 * 1024)): "warm-up"}
        upload(client, item_id, warm, args.paths[0], api_token)
        rows = []
        for size_mb in args.sizes:
            pdf = inputs / f"bench-{size_mb}mb.pdf"
            random_at = write_pdf(pdf, size_mb * MiB)
            pid = handler_pid(server.pid)
            rss_before = rss_mib(pid)
            times = {path: Times() for path in args.paths}
            for run in range(args.runs):
                for path in args.paths:
                    t = times[path]
                    uploaded[vary_pdf(pdf, random_at)] = f"{size_mb} MiB {path} run {run + 1}"
                    # The baselines first: right after an upload, a copy measured 0.09-0.55 s where a quiet one
                    # takes 0.07 s, which flattered the ratio.
                    t.copy.append(timed_copy(pdf, inputs / "copy.bin", fsync=False))
                    t.copy_sync.append(timed_copy(pdf, inputs / "copy.bin", fsync=True))
                    t.hashing.append(timed_sha256(pdf))
                    watcher = PeakRSS(pid)
                    watcher.start()
                    cpu_before = cpu_seconds(pid)
                    try:
                        t.upload.append(upload(client, item_id, pdf, path, api_token))
                    finally:
                        t.peak = max(t.peak, watcher.stop())
                    t.cpu.append(cpu_seconds(pid) - cpu_before)
                    print(
                        f"  {size_mb:>4} MiB {path:>4} run {run + 1}: upload {t.upload[-1]:.3f} s, "
                        f"copy {t.copy[-1]:.3f} s, copy+fsync {t.copy_sync[-1]:.3f} s, sha256 {t.hashing[-1]:.3f} s, "
                        f"worker CPU {t.cpu[-1]:.2f} s, RSS peak {t.peak:.1f} MiB",
                        flush=True,
                    )
            pdf.unlink()
            for path, t in times.items():
                u, c, cs, h, cpu = (statistics.median(v) for v in (t.upload, t.copy, t.copy_sync, t.hashing, t.cpu))
                rows.append(Row(size_mb, path, u, c, cs, max(t.peak - rss_before, 0.0), h, cpu))
    finally:
        stop_server(server)

    print(
        f"\n{'size MiB':>8} {'path':>4} {'upload s':>9} {'MiB/s':>8} {'copy s':>8} {'ratio':>6} {'copy+fsync s':>13} "
        f"{'ratio vs copy+fsync':>20} {'RSS growth MiB':>15} {'sha256 s':>9} {'ceiling':>8} {'worker CPU s':>13}"
    )
    for r in rows:
        print(
            f"{r.size_mb:>8} {r.path:>4} {r.upload:>9.3f} {r.size_mb / r.upload:>8.1f} {r.copy:>8.3f} "
            f"{r.copy / r.upload:>6.2f} {r.copy_sync:>13.3f} {r.copy_sync / r.upload:>20.2f} {r.growth:>15.1f} "
            f"{r.sha256:>9.3f} {r.copy_sync / r.sha256:>8.2f} {r.cpu:>13.2f}"
        )
    print(
        "(medians of",
        args.runs,
        "runs; ratio = copy time / upload time, i.e. upload throughput / copy throughput; ceiling = copy+fsync\n"
        " time / SHA-256 time: the best ratio vs copy+fsync if the hash ran one after the other with the rest;\n"
        " worker CPU = user+system seconds of the gunicorn worker, all its threads, during the upload)",
    )
    for path in args.paths:
        largest = next(r for r in rows if r.path == path and r.size_mb == max_mb)
        ratio = largest.copy_sync / largest.upload
        print(
            f"GOAL {path}: throughput >= 0.5 x copy+fsync at {max_mb} MiB: {'PASS' if ratio >= 0.5 else 'FAIL'} "
            f"({ratio:.2f}; vs copy without fsync {largest.copy / largest.upload:.2f})"
        )
    big = [r for r in rows if r.size_mb in (50, 200)] or [r for r in rows if r.size_mb == max_mb]
    growths = ", ".join(f"{r.size_mb} MiB {r.path}: {r.growth:.1f}" for r in big)
    flat = max(r.growth for r in big) - min(r.growth for r in big) < 10
    print(
        f"GOAL peak RSS growth < 50 MiB and flat (within 10 MiB) across sizes: "
        f"{'PASS' if all(r.growth < 50 for r in big) and flat else 'FAIL'} ({growths})"
    )

    report = json.loads(cli(env, "storage", "verify", "--json", ok=(0, 1)))  # 1: it found a problem
    leftovers = list((data / "tmp").iterdir())
    missing = [label for sha, label in uploaded.items() if not (data / "files" / sha[:2] / sha[2:4] / sha).is_file()]
    ok = not report["missing"] and not report["corrupt"] and not missing
    print(
        f"storage verify: {report['documents']} documents, {report['objects']} objects, {len(report['missing'])} "
        f"missing, {len(report['corrupt'])} corrupt, {len(report['orphaned'])} orphaned; "
        f"{len(uploaded) - len(missing)}/{len(uploaded)} uploaded files stored under their SHA-256"
        f"{'' if not missing else ' (not stored: ' + ', '.join(missing) + ')'}; "
        f"{len(leftovers)} temporary files left in DATA_DIR/tmp -> {'OK' if ok else 'FAILED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,50,200", help="file sizes in MiB, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--path", choices=("page", "api", "both"), default="both", help="the upload page, the API")
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    parser.add_argument(
        "--reading",
        choices=("off", "thread"),
        default="off",
        help="off: the upload alone (production reads in RQ workers, other processes); thread: read by the worker "
        "itself after each upload, as the embedded demo does (upload_with_reading.py measures that path)",
    )
    args = parser.parse_args()
    args.paths = ("page", "api") if args.path == "both" else (args.path,)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    data = Path(tempfile.mkdtemp(prefix="minhchung-bench-"))
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STORAGE_URL", "SECRET_KEY", "MINHCHUNG_ENV")
    }
    env.update(
        MINHCHUNG_DATA_DIR=str(data),
        MINHCHUNG_MAX_UPLOAD_MB=str(max(args.sizes) + 10),
        MINHCHUNG_READING=args.reading,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl+C even when started with SIGINT ignored (`cmd &`)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill as on Ctrl+C
    try:
        benchmark(args, data, env)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
