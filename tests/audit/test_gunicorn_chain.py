"""The audit chain under a real server's concurrency: gunicorn with 4 workers (processes) and their threads, on
the shipped configuration, taking 60 measurements at once through the API; `minhchung audit verify` then finds
one unbroken chain with every event (issue 13, finding 1: the chain forked under 60 parallel measurements)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evidence_app.api.operations import create_token
from evidence_app.catalog.models import Criterion
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from evidence_app.sqltypes import utcnow
from tests.conftest import build_app, reset_database
from tests.helpers import import_file, make_unit, make_user
from tests.test_faults import wait_for

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 60
WORKERS = 4


@pytest.fixture
def server_with_four_workers(tmp_path, server_database_url, catalog_dict, write_catalog):
    """gunicorn (deploy/gunicorn.conf.py, 4 workers) on this test's database, the ward set up; yields the port,
    the criterion to measure, a token and the environment a command needs to see the same database and key."""
    if server_database_url:
        reset_database(server_database_url)
        url = server_database_url
    else:  # several processes writing one SQLite file: each append waits for the database's write lock
        url = f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    app = build_app(tmp_path, url)
    with app.app_context():
        db.create_all()
        unit = make_unit()
        import_file(write_catalog(catalog_dict), unit)
        user = make_user(unit, "cb-vh-tt", departments=["vh-tt"])
        token, secret = create_token(user, "load", actor=user)
        token.last_used_at = utcnow()  # no request updates it: each one writes only its measurement and event
        db.session.commit()
        criterion_id = db.session.execute(select(Criterion.id).where(Criterion.code == "1.2")).scalar_one()
        db.session.remove()
        db.engine.dispose()
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {
        **os.environ,
        "MINHCHUNG_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MINHCHUNG_AUDIT_KEY": app.config["AUDIT_KEY"],  # the key the test's own events were chained with
        "MINHCHUNG_ENV": "development",
        "MINHCHUNG_CHECK_SCHEMA": "0",  # the schema is made from the models here, faster than the migrations
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--workers",
            str(WORKERS),
            "--worker-connections",  # a worker takes no more requests than its threads serve at once, so that
            "8",  # the burst is spread over the 4 processes instead of queueing in the first one awake
            "--access-logformat",
            "%(p)s %(s)s",  # which worker (process) served each request
            "--bind",
            f"127.0.0.1:{port}",
            "evidence_app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / "gunicorn.out", "wb"),
        stderr=open(tmp_path / "gunicorn.log", "wb"),
    )

    def workers_ready() -> bool:  # each worker has loaded the app (logs.py: the line a server says at start)
        return (tmp_path / "gunicorn.log").read_text().count("(development): database") == WORKERS

    try:
        wait_for(workers_ready, "gunicorn's 4 workers", timeout=90)
        yield app, port, criterion_id, secret, env, tmp_path / "gunicorn.out"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _measure(port: int, criterion_id: int, secret: str, n: int) -> int:
    body = json.dumps({"numerator": n, "measured_on": "2024-05-31", "source": f"lần {n}"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            f"/api/v1/criteria/{criterion_id}/measurements",
            body=body,
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _events(app) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        db.session.expunge_all()
        db.session.remove()
        db.engine.dispose()
    return events


def test_sixty_measurements_through_four_gunicorn_workers_keep_one_chain(server_with_four_workers):
    app, port, criterion_id, secret, env, access_log = server_with_four_workers
    before = len(_events(app))

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        statuses = list(pool.map(lambda n: _measure(port, criterion_id, secret, n), range(1, REQUESTS + 1)))
    assert statuses == [201] * REQUESTS
    served_by = {line.split()[0] for line in access_log.read_text().splitlines() if line.endswith(" 201")}
    assert len(served_by) > 1, "the requests were served by several processes at once"

    events = _events(app)
    added = events[before:]
    assert [e.action for e in added] == ["measurement.add"] * REQUESTS
    assert len({e.prev_hash for e in events}) == len(events), "two events extend the same head: the chain forked"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + REQUESTS
        db.session.remove()
        db.engine.dispose()

    verify = subprocess.run(
        [sys.executable, "-c", "from evidence_app.cli import main; main()", "audit", "verify", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    result = json.loads(verify.stdout)
    assert result["intact"] and result["break_count"] == 0
    assert result["events"] == before + REQUESTS == result["head"]["events"]
