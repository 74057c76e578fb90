"""`minhchung demo` on a fresh machine, in an empty folder: migrates, imports the ward's two catalogs, creates
the demo users (passwords printed once), serves; run again, it keeps the data."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import Config
from evidence_app import create_app
from evidence_app.auth import check_password
from evidence_app.catalog.models import ChecklistItem, Index
from evidence_app.extensions import db
from evidence_app.models import User

MINHCHUNG = str(Path(sys.executable).with_name("minhchung"))


def demo_env(database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINHCHUNG_", "DATABASE_URL", "STORAGE_URL", "SECRET_KEY"))}
    if database_url and not database_url.startswith("sqlite"):
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture
def demo_dir(tmp_path, empty_database_url):
    folder = tmp_path / "fresh"
    folder.mkdir()
    return folder, demo_env(empty_database_url)


def test_demo_prepares_everything_and_keeps_it_on_a_second_run(demo_dir):
    folder, env = demo_dir
    first = subprocess.run([MINHCHUNG, "demo", "--no-serve"], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "Catalog CCHC 2024: imported" in first.stdout and "Catalog QN-DTI 2024: imported" in first.stdout
    passwords = dict(re.findall(r"^  (\S+)\s+(?:staff|reviewer|admin)\s+.*\s(\S+)$", first.stdout, re.MULTILINE))
    assert {"admin", "reviewer", "cb-vp-tk", "cb-tu-phap", "cb-vh-tt", "cb-tc-kt", "cb-mot-cua", "cb-cong-an",
            "cb-tram-y-te", "cb-khu-pho"} <= set(passwords)
    assert (folder / "instance" / "secret_key").exists()
    if "DATABASE_URL" not in env:
        assert (folder / "instance" / "minhchung.sqlite3").exists()

    second = subprocess.run([MINHCHUNG, "demo", "--no-serve"], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "Catalog CCHC 2024: up to date" in second.stdout and "Demo users exist already" in second.stdout
    assert not re.search(r"^  admin\s+admin", second.stdout, re.MULTILINE), "passwords are printed once"

    config = Config({**env, "MINHCHUNG_DATA_DIR": str(folder / "instance")})
    app = create_app(config)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Index)) == 2
        assert db.session.scalar(select(func.count()).select_from(ChecklistItem)) == 160
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        assert admin.role == "admin" and admin.unit.code == "gieng-day"
        assert check_password(admin, passwords["admin"])
        staff = db.session.execute(select(User).where(User.username == "cb-mot-cua")).scalar_one()
        assert [d.name for d in staff.departments] == ["Bộ phận tiếp nhận và trả kết quả"]
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_serves_the_app(demo_dir):
    folder, env = demo_dir
    port = free_port()
    server = subprocess.Popen([MINHCHUNG, "demo", "--port", str(port)], cwd=folder, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the demo did not serve: {server.stdout.read() if server.poll() is not None else 'timeout'}")
                time.sleep(0.3)
        assert "Đăng nhập" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
