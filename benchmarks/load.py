"""The whole system under load: gunicorn with the shipped configuration and 4 workers, PostgreSQL, S3 on a real server (Swift), 50 users.

    python benchmarks/load.py [--profile office|province|busy] [--users 50] [--duration 60] [--workers 4]
                              [--think 1,5] [--database mc_load] [--api] [--restart-database]
                              [--reading rq|off]

Run it with the Python of the app's virtualenv (with the `postgres` and `server` extras). It makes a fresh
temporary data directory, drops and recreates its own PostgreSQL database (`--database`, never `test`), uses the
S3 server named by S3_TEST_ENDPOINT_URL / S3_TEST_ACCESS_KEY / S3_TEST_SECRET_KEY / S3_TEST_REGION or starts Swift
itself with `scripts/s3-swift.sh` (installed beforehand with `scripts/s3-swift.sh install`), prepares the ward with
`minhchung storage init`, `minhchung demo --no-serve` and its own users, and starts gunicorn and, as production
does (docs/production.md), one reading worker (`minhchung reading worker`) on the machine's Redis (database 7,
emptied first): every uploaded PDF is read meanwhile, outside the app's processes (`--reading off`: not read).

The simulated users, each in a thread of one of `--processes` client processes, wait 1–5 s between actions
(`--think`; people read what they get): 60% staff (browse their work, an item, the indices; upload a fresh 1 MB PDF to an
item; look at the report), 20% reviewers (the queue, a document, then approve it or send it back with a reason
code), 20% leaders (the report page, its JSON download, the province of indices). With `--api`, staff and leaders
also read through the JSON API with a personal token. Every request is timed from connect to the last byte.

It prints p50/p95/p99 and the count per kind of request, the errors (any 5xx, any unexpected status, any
connection failure) with examples, one PASS/FAIL line per goal of the issue (no error; p95 under 300 ms for pages
and API reads), and checks afterwards that every accepted upload is recorded with its SHA-256 and present in the
store (`minhchung storage verify --json`: nothing missing or corrupt).

With `--restart-database` (root; only where nothing else uses this PostgreSQL server), PostgreSQL is restarted a
third of the way through: the requests that fail from the restart until 5 s after the server answers again must
be clean 503 answers, and every request after that must succeed, with no restart of the app (pool_pre_ping).
The exit status is non-zero when a request failed otherwise or an accepted upload is not stored.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "load-test-password-" + secrets.token_hex(4)
READ_KINDS = ("page", "report", "api read")  # the kinds the p95 goal applies to
P95_GOAL_MS = 300
MiB = 1024 * 1024
PROFILES = {  # name: (users, think time, what it is); each also uploads and reviews (60% staff, 20% reviewers)
    "office": (50, "1,5", "50 users, 1-5 s between actions"),
    "province": (200, "1,5", "200 users, 1-5 s between actions (issue 17's goal: p95 < 300 ms, 0 errors)"),
    "busy": (50, "0.5,1.5", "50 users, 0.5-1.5 s between actions: reads and writes as fast as people click"),
}
RECOVERY_SECONDS = 5  # after PostgreSQL answers again, the time allowed for requests already failing to finish


# ---------------------------------------------------------------- a minimal browser


class Browser:
    def __init__(self, port: int, record) -> None:
        self.port = port
        self.cookie = ""
        self.record = record  # record(kind, wall-clock start, seconds, status, detail: "" when as expected)

    def call(
        self, kind: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None, expect=(200,)
    ) -> tuple[int, str]:
        started, wall = time.perf_counter(), time.time()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
            response = conn.getresponse()
            data = response.read()
            conn.close()
        except OSError as exc:
            self.record(kind, wall, time.perf_counter() - started, 0, f"{method} {path}: {type(exc).__name__}: {exc}")
            return 0, ""
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookie = header.split(";", 1)[0]
        ok = response.status in expect
        self.record(
            kind,
            wall,
            elapsed,
            response.status,
            "" if ok else f"{method} {path} answered {response.status}: {data[:300].decode('utf-8', 'replace')}",
        )
        return response.status, data.decode("utf-8", "replace")

    def form_token(self, page: str) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        return match.group(1) if match else ""

    def login(self, username: str) -> bool:
        _, page = self.call("page", "GET", "/login")
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": self.form_token(page)})
        status, _ = self.call(
            "login",
            "POST",
            "/login",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            expect=(302, 303),
        )
        return status in (302, 303)


def fresh_pdf(size: int) -> bytes:
    """A valid one-page PDF of about `size` bytes, the bulk an unreferenced stream of random bytes (every upload is
    new), with a correct xref table and nothing after its end marker, like a scanner's file."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    payload = os.urandom(max(1024, size - 600))
    objects.append(b"<</Length %d>>\nstream\n%s\nendstream" % (len(payload), payload))
    body, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(body)


def multipart(fields: dict, name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------- the simulated users


def staff(b: Browser, rnd: random.Random, plan: dict, uploads: list, token: str | None) -> None:
    roll = rnd.random()
    item = rnd.choice(plan["items"])
    if roll < 0.25:
        _, page = b.call("page", "GET", f"/items/{item}")
        content = fresh_pdf(MiB)
        body, ctype = multipart(
            {"csrf_token": b.form_token(page)}, "files", f"Biên bản {uuid.uuid4().hex[:6]}.pdf", content
        )
        status, _ = b.call("upload", "POST", f"/items/{item}/upload", body, {"Content-Type": ctype}, expect=(303,))
        if status == 303:
            uploads.append(hashlib.sha256(content).hexdigest())
    elif roll < 0.45:
        b.call("page", "GET", "/my")
    elif roll < 0.65:
        b.call("page", "GET", f"/items/{item}")
    elif roll < 0.80:
        b.call("page", "GET", "/catalog/")
    elif token and roll < 0.92:
        b.call("api read", "GET", "/api/v1/my/items", headers={"Authorization": f"Bearer {token}"})
    else:
        b.call("report", "GET", "/reports/")


def reviewer(b: Browser, rnd: random.Random, plan: dict, uploads: list, token: str | None) -> None:
    _, queue = b.call("page", "GET", "/review/")
    waiting = sorted(set(re.findall(r'href="/review/(\d+)', queue)))
    if not waiting:
        return
    evidence = rnd.choice(waiting[:10])
    status, page = b.call("page", "GET", f"/review/{evidence}")
    version = re.search(r'name="version" value="(\d+)"', page)
    if status != 200 or not version:
        return
    fields = {"csrf_token": b.form_token(page), "version": version.group(1)}
    if rnd.random() < 0.7:
        fields["decision"] = "approved"
    else:
        reasons = re.findall(r'<option value="(\w+)">', page)  # the coded reasons the page offers
        fields.update(decision="changes_requested", reason=rnd.choice(reasons), comment="Thiếu chữ ký")
    # another reviewer may decide first: the app then redirects with a message, which is not an error
    b.call(
        "review",
        "POST",
        f"/review/{evidence}",
        urllib.parse.urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
        expect=(303,),
    )


def leader(b: Browser, rnd: random.Random, plan: dict, uploads: list, token: str | None) -> None:
    roll = rnd.random()
    if roll < 0.4:
        b.call("report", "GET", "/reports/")
    elif roll < 0.6:
        b.call("report", "GET", "/reports/download?format=json")
    elif token and roll < 0.8:
        b.call("api read", "GET", "/api/v1/report", headers={"Authorization": f"Bearer {token}"})
    else:
        b.call("page", "GET", f"/catalog/{rnd.choice(plan['indices'])}")


ROLES = {"staff": staff, "reviewer": reviewer, "leader": leader}


def run_users(
    port: int,
    users: list[tuple[str, str, str | None]],
    plan: dict,
    start_at: float,
    duration: float,
    think: tuple[float, float],
    seed: int,
) -> dict:
    """One client process: a thread per user, which signs in, waits for the common start (wall-clock `start_at`,
    so that the sign-ins, slow by design, are not part of the measured load), then acts until the end; returns
    every request as (kind, wall-clock start, seconds, status, what went wrong or "") and the accepted uploads."""
    samples: list[tuple[str, float, float, int, str]] = []
    uploads: list[str] = []
    lock = threading.Lock()

    def record(*sample):
        with lock:
            samples.append(sample)

    def user(username, role, token, n):
        rnd = random.Random(seed * 1000 + n)
        browser = Browser(port, record)
        if not browser.login(username):
            return
        time.sleep(max(0.0, start_at - time.time()) + rnd.uniform(0, think[1]))  # not all in the same second
        deadline = start_at + duration
        while time.time() < deadline:
            ROLES[role](browser, rnd, plan, uploads, token)
            time.sleep(rnd.uniform(*think))

    threads = [threading.Thread(target=user, args=(*u, n)) for n, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"samples": samples, "uploads": uploads}


# ---------------------------------------------------------------- setting up


def restart_postgresql(at: float, times: dict) -> None:
    time.sleep(max(0.0, at - time.time()))
    times["began"] = time.time()
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)
    while subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode != 0:
        time.sleep(0.1)
    times["ended"] = time.time()


def cli(env: dict, *args: str, ok=(0,)) -> str:
    done = subprocess.run(
        [str(BIN / "minhchung"), *args], env=env, cwd=env["MINHCHUNG_DATA_DIR"], capture_output=True, text=True
    )
    if done.returncode not in ok:
        raise RuntimeError(
            f"minhchung {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr[-3000:]}"
        )
    return done.stdout


def psql(database: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def start_swift(workdir: Path) -> dict:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "s3-swift.sh"), "start", str(workdir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(re.findall(r"export (\w+)=(\S+)", out))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help="a preset of the issue's goals: " + "; ".join(f"{k}: {v[2]}" for k, v in sorted(PROFILES.items())),
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--processes", type=int, default=2, help="client processes the users are spread over")
    parser.add_argument("--think", default="1,5", help="seconds each user waits between actions: MIN,MAX")
    parser.add_argument("--database", default="mc_load")
    parser.add_argument("--api", action="store_true", help="also read through /api/v1 with personal tokens")
    parser.add_argument(
        "--reading",
        choices=("rq", "off"),
        default="rq",
        help="rq: uploads read by a reading worker on Redis, as in production (default); off: not read",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7", help="the Redis database of --reading rq")
    parser.add_argument(
        "--restart-database",
        action="store_true",
        help="restart PostgreSQL (pg_ctlcluster, as root) a third of the way through: requests in "
        "the restart must fail cleanly (503) and the app must recover without a restart",
    )
    args = parser.parse_args()
    if args.profile:
        args.users, args.think = PROFILES[args.profile][:2]
    think = tuple(float(x) for x in args.think.split(","))
    if args.database == "test":
        sys.exit("refusing to use the database 'test': it belongs to the test suite")

    work = Path(tempfile.mkdtemp(prefix="minhchung-load-"))
    swift_dir = None
    server = None
    reader = None
    try:
        s3 = {
            k: os.environ[k]
            for k in ("S3_TEST_ENDPOINT_URL", "S3_TEST_ACCESS_KEY", "S3_TEST_SECRET_KEY", "S3_TEST_REGION")
            if k in os.environ
        }
        if "S3_TEST_ENDPOINT_URL" not in s3:
            swift_dir = work / "swift"
            swift_dir.mkdir()
            s3 = start_swift(swift_dir)
        psql("postgres", f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        psql("postgres", f'CREATE DATABASE "{args.database}"')
        data = work / "data"
        data.mkdir()
        bucket = f"mc-load-{uuid.uuid4().hex[:12]}"
        env = {
            **os.environ,
            "MINHCHUNG_DATA_DIR": str(data),
            "MINHCHUNG_ENV": "development",
            "SECRET_KEY": secrets.token_urlsafe(32),
            **({"MINHCHUNG_REDIS_URL": args.redis} if args.reading == "rq" else {"MINHCHUNG_READING": "off"}),
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}",
            "STORAGE_URL": f"s3://{bucket}?endpoint_url={s3['S3_TEST_ENDPOINT_URL']}&region={s3['S3_TEST_REGION']}"
            f"&addressing_style=path",
            "AWS_ACCESS_KEY_ID": s3["S3_TEST_ACCESS_KEY"],
            "AWS_SECRET_ACCESS_KEY": s3["S3_TEST_SECRET_KEY"],
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
        print(
            f"PostgreSQL database {args.database}, S3 {s3['S3_TEST_ENDPOINT_URL']} bucket {bucket}, "
            f"data directory {data}",
            flush=True,
        )
        cli(env, "storage", "init")  # first: the demo uploads its ten weeks of documents
        cli(env, "demo", "--no-serve")
        departments = [  # the ward's own (the demo's other wards have departments of the same codes)
            row[0]
            for row in psql(
                args.database,
                "SELECT d.code FROM departments d JOIN units u ON d.unit_id = u.id WHERE u.code = 'gieng-day' "
                "ORDER BY d.code",
            )
        ]
        n_reviewers = max(1, args.users // 5)
        n_leaders = max(1, args.users // 5)
        n_staff = args.users - n_reviewers - n_leaders
        users = (
            [(f"load-staff-{i}", "staff") for i in range(n_staff)]
            + [(f"load-reviewer-{i}", "reviewer") for i in range(n_reviewers)]
            + [(f"load-leader-{i}", "leader") for i in range(n_leaders)]
        )
        with_tokens = []
        for username, role in users:
            cli(
                env,
                "users",
                "create",
                "--username",
                username,
                "--password",
                PASSWORD,
                "--unit",
                "gieng-day",
                "--role",
                "reviewer" if role == "reviewer" else "staff",
                "--department",
                ",".join(departments),
            )
            token = None
            if args.api and role != "reviewer":
                token = cli(env, "tokens", "create", "--user", username).strip().splitlines()[-1].strip()
            with_tokens.append((username, role, token))
        plan = {
            "items": [
                row[0]
                for row in psql(
                    args.database,
                    "SELECT i.id FROM checklist_items i JOIN units u ON i.unit_id = u.id "
                    "WHERE i.report_deadline IS NULL AND u.code = 'gieng-day' ORDER BY i.id",
                )
            ],
            "indices": [
                row[0]
                for row in psql(
                    args.database,
                    "SELECT x.id FROM indices x JOIN units u ON x.unit_id = u.id WHERE u.code = 'gieng-day' ORDER BY x.id",
                )
            ],
        }

        if args.reading == "rq":
            from redis import Redis

            Redis.from_url(args.redis).flushdb()  # the benchmark's own database: no job of an earlier run
            reader = subprocess.Popen(
                [str(BIN / "minhchung"), "reading", "worker"],
                cwd=data,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(work / "reading.log", "wb"),
                start_new_session=True,
            )
        port = free_port()
        server = subprocess.Popen(
            [  # the shipped configuration (deploy/gunicorn.conf.py: gthread workers, limits, timeouts), with these
                str(BIN / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "/dev/null",
                "evidence_app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "gunicorn.log", "wb"),
            start_new_session=True,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        Browser(port, lambda *a: None).call("warm-up", "GET", "/login")
        print(
            f"gunicorn with {args.workers} workers on port {port}; {len(users)} users ({n_staff} staff, "
            f"{n_reviewers} reviewers, {n_leaders} leaders) for {args.duration:.0f} s over {args.processes} "
            f"client processes, {think[0]:g}-{think[1]:g} s between actions...",
            flush=True,
        )

        shares = [with_tokens[i :: args.processes] for i in range(args.processes)]
        start_at = time.time() + 5 + 0.4 * len(users)  # time for every user to sign in first
        restart: dict = {}
        if args.restart_database:
            threading.Thread(
                target=restart_postgresql, args=(start_at + args.duration / 3, restart), daemon=True
            ).start()
        with concurrent.futures.ProcessPoolExecutor(args.processes) as pool:
            results = list(
                pool.map(
                    run_users,
                    [port] * args.processes,
                    shares,
                    [plan] * args.processes,
                    [start_at] * args.processes,
                    [args.duration] * args.processes,
                    [think] * args.processes,
                    range(args.processes),
                )
            )
        wall_time = time.time() - start_at
    finally:
        for process in (server, reader):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    print(f"{process.args[1:3]} did not stop within 60 s of SIGTERM: killed", flush=True)

    samples = [sample for r in results for sample in r["samples"]]
    uploads = [sha for r in results for sha in r["uploads"]]
    timings: dict[str, list[float]] = {}
    for kind, _wall, seconds, _status, _detail in samples:
        timings.setdefault(kind, []).append(seconds)
    errors = [(wall, status, detail) for _kind, wall, _seconds, status, detail in samples if detail]
    total = sum(len(v) for k, v in timings.items() if k != "login")
    print(
        f"\n{total} requests in {wall_time:.1f} s ({total / wall_time:.1f}/s), after {len(timings.get('login', []))} "
        f"sign-ins"
    )
    print(f"{'kind':<10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in sorted(timings):
        v = timings[kind]
        print(
            f"{kind:<10} {len(v):>6} {percentile(v, 50) * 1000:>8.0f} {percentile(v, 95) * 1000:>8.0f} "
            f"{percentile(v, 99) * 1000:>8.0f} {max(v) * 1000:>8.0f}"
        )
    if args.restart_database:
        began, ended = restart["began"], restart["ended"]
        recovered_by = ended + RECOVERY_SECONDS
        during = [e for e in errors if began - 1 <= e[0] <= recovered_by]
        unclean = [e for e in during if e[1] != 503]
        later = [s for s in samples if s[1] > recovered_by]
        print(
            f"PostgreSQL restarted at +{began - start_at:.1f} s, down for {ended - began:.1f} s: {len(during)} requests "
            f"failed from then to {RECOVERY_SECONDS} s after, {len(during) - len(unclean)} of them cleanly (503)"
        )
        print(
            f"GOAL requests fail cleanly during the restart: {'PASS' if not unclean else 'FAIL'}"
            + "".join(f"\n  {e[2]}" for e in unclean[:5])
        )
        errors = [e for e in errors if e not in during] + unclean
        print(
            f"GOAL the app recovers without a restart: {'PASS' if later and not errors else 'FAIL'} "
            f"({len(later)} requests after it, {len(errors)} errors outside it)"
        )
    print(f"errors: {len(errors)}" + "".join(f"\n  {e[2]}" for e in errors[:10]))
    print(f"GOAL no error: {'PASS' if not errors else 'FAIL'} ({len(errors)})")
    slow = {k: percentile(timings[k], 95) * 1000 for k in READ_KINDS if k in timings}
    print(
        f"GOAL p95 under {P95_GOAL_MS} ms for pages and API reads: "
        f"{'PASS' if all(v < P95_GOAL_MS for v in slow.values()) else 'FAIL'} "
        f"({', '.join(f'{k} {v:.0f} ms' for k, v in slow.items())})"
    )

    recorded = {row[0] for row in psql(args.database, "SELECT sha256 FROM documents WHERE deleted_at IS NULL")}
    report = json.loads(cli(env, "storage", "verify", "--json", ok=(0, 1)))
    unrecorded = [h for h in uploads if h not in recorded]
    ok = not report["missing"] and not report["corrupt"] and not unrecorded
    print(
        f"storage verify: {report['documents']} documents, {report['objects']} objects, {len(report['missing'])} "
        f"missing, {len(report['corrupt'])} corrupt; {len(uploads) - len(unrecorded)}/{len(uploads)} accepted "
        f"uploads recorded with their SHA-256 -> {'OK' if ok else 'FAILED'}"
    )
    if args.reading == "rq":
        counts = dict(line.split() for line in cli(env, "reading", "status").splitlines() if line.strip())
        print(
            "documents read by the reading worker during the run: "
            + ", ".join(f"{counts.get(k, '0')} {k}" for k in ("done", "pending", "failed"))
            + " (the demo's own documents are read only when it is served: 'none')"
        )
    if errors:
        kept = Path(tempfile.gettempdir()) / "minhchung-load-gunicorn.log"
        shutil.copyfile(work / "gunicorn.log", kept)
        print(f"gunicorn's log, with the tracebacks: {kept}")
    if swift_dir is not None:
        subprocess.run(["bash", str(ROOT / "scripts" / "s3-swift.sh"), "stop", str(swift_dir)], capture_output=True)
    psql("postgres", f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok and not errors else 1)  # (the p95 figures are printed, not enforced here)


if __name__ == "__main__":
    main()
