"""`minhchung demo` on a fresh machine, in an empty folder: migrates, rolls the ward's catalogs into the cycle of
the day it runs (`--today`), seeds ten weeks of history in four wards through the service functions, creates the
demo users (passwords printed once), serves; run again, it keeps the data."""

from __future__ import annotations

import fcntl
import http.cookiejar
import os
import pickle
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import Config
from evidence_app import create_app
from evidence_app.audit.models import AuditEvent
from evidence_app.auth import check_password
from evidence_app.auth.models import Unit
from evidence_app.catalog.models import ChecklistItem, Index, Measurement, SelfScore
from evidence_app.evidence.models import Document, Evidence, Review
from evidence_app.extensions import db
from evidence_app.models import User
from tests.conftest import reset_database

MINHCHUNG = str(Path(sys.executable).with_name("minhchung"))
WARDS = {"gieng-day", "ha-khau", "cao-xanh", "ha-phong"}
IDLE = "ha-phong"
# --today → (the index year, the CCHC and QN-DTI assessment dates)
DAYS = {
    "10/11/2026": (2026, date(2026, 12, 20), date(2026, 12, 25)),
    "01/03/2027": (2027, date(2027, 4, 11), date(2027, 4, 16)),
}
PASSWORD_LINE = re.compile(r"^  (\S+)\s+(?:staff|reviewer|admin|province)\s+.*\s(\S+)$", re.MULTILINE)


def demo_env(database_url: str | None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINHCHUNG_", "DATABASE_URL", "STORAGE_URL", "SECRET_KEY"))
    }
    if database_url and not database_url.startswith("sqlite"):
        env["DATABASE_URL"] = database_url
    return env


def run(args: list[str], folder: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([MINHCHUNG, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture
def demo_dir(tmp_path, empty_database_url):
    folder = tmp_path / "fresh"
    folder.mkdir()
    return folder, demo_env(empty_database_url)


def counts() -> dict:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Unit, User, Index, ChecklistItem, Document, Evidence, Review, Measurement, SelfScore, AuditEvent)
    }


_RUNS: dict[str, dict] = {}


@pytest.fixture(scope="module", params=list(DAYS))
def demo(request, tmp_path_factory, server_database_url):
    """The demo run on a given day (twice), and everything the tests look at, read at once while the database is
    this run's (on PostgreSQL, later tests empty it). Plain data, so one run serves every test of that day: in
    this process, and under pytest-xdist in every worker of this test run (the first to ask runs it)."""
    today_text = request.param
    if today_text not in _RUNS:
        workerinput = getattr(request.config, "workerinput", None)
        if workerinput is None:
            _RUNS[today_text] = _run_demo(today_text, tmp_path_factory, server_database_url)
        else:
            shared = tmp_path_factory.getbasetemp().parent / f"demo-{workerinput['testrunuid']}-{today_text[-4:]}"
            with open(f"{shared}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not Path(f"{shared}.pickle").exists():
                    seen = _run_demo(today_text, tmp_path_factory, server_database_url)
                    Path(f"{shared}.pickle").write_bytes(pickle.dumps(seen))
                _RUNS[today_text] = pickle.loads(Path(f"{shared}.pickle").read_bytes())
    return _RUNS[today_text]


def _run_demo(today_text: str, tmp_path_factory, server_database_url) -> dict:
    today = date(*reversed([int(p) for p in today_text.split("/")]))
    if server_database_url:
        reset_database(server_database_url)
    folder = tmp_path_factory.mktemp("demo")
    env = demo_env(server_database_url or f"sqlite:///{folder / 'unused.sqlite3'}")
    started = time.monotonic()
    first = run(["demo", "--no-serve", "--today", today_text], folder, env)
    seconds = time.monotonic() - started
    config = Config({**env, "MINHCHUNG_DATA_DIR": str(folder / "instance")})
    app = create_app(config)
    app.config.update(TODAY=today, WTF_CSRF_ENABLED=False)
    from evidence_app.reports.build import build_report, league_table

    seen = {
        "today": today,
        "first": first.stdout,
        "seconds": seconds,
        "passwords": dict(PASSWORD_LINE.findall(first.stdout)),
    }
    with app.app_context():
        seen["indices"] = {
            unit: [
                (i.code, i.year, i.assessment_date, i.last_year, str(i.last_year_score))
                for i in db.session.execute(
                    select(Index).join(Unit, Index.unit_id == Unit.id).where(Unit.code == unit).order_by(Index.code)
                ).scalars()
            ]
            for unit in WARDS
        }
        gieng_day = db.session.execute(select(Unit).where(Unit.code == "gieng-day")).scalar_one()
        seen["report"] = build_report(gieng_day, today)
        seen["league"] = league_table(today)
        seen["items"] = db.session.scalar(
            select(func.count()).select_from(ChecklistItem).where(ChecklistItem.unit_id == gieng_day.id)
        )
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        seen["admin"] = (admin.role, admin.unit.code, check_password(admin, seen["passwords"].get("admin", "")))
        staff = db.session.execute(select(User).where(User.username == "cb-mot-cua")).scalar_one()
        seen["staff_departments"] = [d.name for d in staff.departments]
        province = db.session.execute(select(User).where(User.username == "tinh")).scalar_one()
        seen["province"] = (province.role, province.unit.code)
        seen["signatures"] = _signatures_read()
        seen["moments"] = {
            action: (first_at, last_at)
            for action, first_at, last_at in db.session.execute(
                select(AuditEvent.action, func.min(AuditEvent.occurred_at), func.max(AuditEvent.occurred_at))
                .where(AuditEvent.action.not_in(["auth.login"]))
                .group_by(AuditEvent.action)
            )
        }
        db.session.remove()
    for username, url, key in (
        ("reviewer", "/reports/", "report_page"),
        ("tinh", "/reports/province", "province_page"),
    ):
        with app.test_client() as client:
            signed_in = client.post("/login", data={"username": username, "password": seen["passwords"][username]})
            page = client.get(url)
            seen[key] = (signed_in.status_code, page.status_code, page.get_data(as_text=True))
    with app.app_context():
        seen["counts"] = counts()
        db.session.remove()
        db.engine.dispose()
    seen["second"] = run(["demo", "--no-serve", "--today", today_text], folder, env).stdout
    with app.app_context():
        seen["counts_after"] = counts()
        db.session.remove()
        db.engine.dispose()
    seen["audit"] = run(["audit", "verify"], folder, env).stdout
    seen["instance"] = sorted(p.name for p in (folder / "instance").iterdir())
    return seen


def _signatures_read() -> dict[str, list[tuple]]:
    """Per kind of stored PDF (signed, a scan, a phone's picture), what its signatures read: signer, organisation,
    intact, modified after, chain, and whether it was signed before it was uploaded."""
    from evidence_app.evidence.reading.signatures import read_signatures
    from evidence_app.files import get_storage

    storage, seen = get_storage(), {}
    documents = db.session.execute(select(Document).where(Document.content_type == "application/pdf")).scalars()
    for document in documents:
        kind = (
            "scan" if "(bản scan)" in document.filename else "photo" if "(ảnh chụp)" in document.filename else "signed"
        )
        with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
            with storage.open(document.storage_key) as source:
                copy.write(source.read())
            copy.flush()
            read = read_signatures(copy.name, None)
        seen.setdefault(kind, []).append(
            tuple(
                (
                    s["signer"],
                    s["organisation"],
                    s["intact"],
                    s["modified_after"],
                    s["chain"],
                    datetime.fromisoformat(s["signed_at"]) < document.uploaded_at,
                )
                for s in read
            )
        )
    return seen


def index(report: dict, code: str) -> dict:
    return next(i for i in report["indices"] if i["code"] == code)


def test_the_catalogs_are_rolled_into_the_cycle_of_the_day(demo):
    year, cchc_day, dti_day = DAYS[demo["today"].strftime("%d/%m/%Y")]
    assert f"Catalog CCHC {year}: imported" in demo["first"] and f"Catalog QN-DTI {year}: imported" in demo["first"]
    for unit in WARDS:
        assert demo["indices"][unit] == [
            ("CCHC", year, cchc_day, year - 1, "86.34"),
            ("QN-DTI", year, dti_day, year - 1, "696"),
        ]
    assert timedelta(days=39) <= cchc_day - demo["today"] <= timedelta(days=45)
    assert demo["items"] == 157
    report = demo["report"]
    cchc = index(report, "CCHC")
    assert (cchc["year"], cchc["assessment_date"], cchc["last_year_published"]) == (year, cchc_day.isoformat(), 86.34)
    titles = " ".join(c["title"] + " " + " ".join(c["reasons"]) for i in report["indices"] for c in i["criteria"])
    assert "2024" not in titles


def test_the_report_of_the_day_shows_what_is_at_risk(demo):
    report = demo["report"]
    cchc, dti = index(report, "CCHC"), index(report, "QN-DTI")
    for i in (cchc, dti):
        assert i["totals"]["expected"] > 0 and i["totals"]["secured"] > 0
        at_risk = [c for c in i["criteria"] if c["risk"] in ("at_risk", "critical")]
        assert at_risk and all(c["owner"] and c["reasons"] for c in at_risk)
    reasons = [r for i in (cchc, dti) for c in i["criteria"] for r in c["reasons"]]
    assert any("Báo cáo CCHC 9 tháng" in r and ("muộn" in r or "quá hạn" in r) and "mất" in r for r in reasons), (
        "the 9-month report was sent late: its points are lost"
    )
    assert any("tài liệu bị trả lại" in r for r in reasons) and any("tài liệu chờ duyệt" in r for r in reasons)
    assert any("xu hướng" in r for r in reasons), "measurements with a trend"
    warning = cchc["deviation_warning"]
    assert warning is not None and warning["penalty_points"] == 1 and "1.1" in warning["criteria"]
    assert dti["deviation_warning"] is None


def test_the_league_table_lists_every_ward(demo):
    tables = {t["code"]: t for t in demo["league"]}
    year = DAYS[demo["today"].strftime("%d/%m/%Y")][0]
    assert set(tables) == {"CCHC", "QN-DTI"} and all(t["year"] == year for t in tables.values())
    for table in tables.values():
        assert {row["unit"] for row in table["rows"]} == WARDS
        assert table["rows"][0]["unit"] == "ha-khau", "the diligent ward leads"
    signed_in, status, page = demo["province_page"]
    assert signed_in == 302 and status == 200 and "UBND phường Hà Phong" in page and f"({year})" in page


def test_the_idle_ward_ranks_last(demo):
    """Depends on the forecast (checklists/scoring.py): a ward with no document ranks below every ward with one."""
    for table in demo["league"]:
        assert table["rows"][-1]["unit"] == IDLE, [(r["unit"], r["expected"]) for r in table["rows"]]


def test_the_users_and_their_passwords_are_printed_once(demo):
    passwords = demo["passwords"]
    assert {
        "admin",
        "reviewer",
        "cb-vp-tk",
        "cb-tu-phap",
        "cb-vh-tt",
        "cb-tc-kt",
        "cb-mot-cua",
        "cb-cong-an",
        "cb-tram-y-te",
        "cb-khu-pho",
        "tinh",
    } <= set(passwords)
    for ward in WARDS - {"gieng-day"}:
        assert {f"{ward}-reviewer", f"{ward}-canbo"} <= set(passwords)
    assert demo["admin"] == ("admin", "gieng-day", True)
    assert demo["staff_departments"] == ["Bộ phận tiếp nhận và trả kết quả"]
    assert demo["province"] == ("province", "quang-ninh")
    assert "secret_key" in demo["instance"]


def test_running_it_again_changes_nothing(demo):
    year = DAYS[demo["today"].strftime("%d/%m/%Y")][0]
    second = demo["second"]
    assert f"Catalog CCHC {year}: up to date" in second and "Demo users exist already" in second
    assert not PASSWORD_LINE.search(second), "passwords are printed once"
    assert demo["counts_after"] == demo["counts"]
    n = demo["counts"]
    printed = re.findall(r": (\d+) uploads, (\d+) decisions", demo["first"])
    assert n["Unit"] == 5 and n["Index"] == 8 and n["SelfScore"] > 10 and n["Measurement"] > 20
    assert (n["Document"], n["Review"]) == tuple(sum(int(p[k]) for p in printed) for k in (0, 1))
    assert n["Document"] >= 80 and n["Review"] >= 70
    assert "audit trail intact" in demo["audit"]


def test_the_report_page_renders_for_the_reviewer(demo):
    year, cchc_day, _ = DAYS[demo["today"].strftime("%d/%m/%Y")]
    signed_in, status, page = demo["report_page"]
    assert signed_in == 302 and status == 200
    assert f"Chỉ số cải cách hành chính cấp xã ({year})" in page
    assert cchc_day.strftime("%d/%m/%Y") in page
    assert f"Báo cáo CCHC 9 tháng năm {year}" in page


def test_the_history_is_ten_weeks_of_the_service_functions(demo):
    """Every action of the history went through the service functions (it is in the audit trail) at its moment:
    within the ten weeks before the day, never on it or after."""
    today, moments = demo["today"], demo["moments"]
    for action in (
        "document.upload",
        "document.update",
        "review.approved",
        "review.changes_requested",
        "measurement.add",
        "self_score.set",
    ):
        first_at, last_at = moments[action]
        assert today - timedelta(weeks=11) <= first_at.date() and last_at.date() < today, action
    assert moments["document.upload"][0].date() >= today - timedelta(weeks=10, days=3)
    uploads = {
        m.group(1): int(m.group(2)) for m in re.finditer(r"UBND phường (.+?)\s{2,}.*?: (\d+) uploads", demo["first"])
    }
    assert uploads["Hà Phong"] == 0 and uploads["Giếng Đáy"] > uploads["Cao Xanh"] > 0 and uploads["Hà Khẩu"] > 0


def test_the_documents_called_signed_carry_a_real_signature(demo):
    """Every PDF the demo calls digitally signed carries a PAdES signature of the ward's signer, intact, by the
    demo's CA, which nobody trusts by default (the chain is "unknown"); the scan and the phone's picture carry none."""
    signed = demo["signatures"]["signed"]
    assert len(signed) > 50
    signers = {"Nguyễn Văn Thành", "Trần Thị Mai", "Lê Văn Dũng"}
    for [(signer, organisation, intact, modified_after, chain, before_upload)] in signed:
        assert signer in signers and organisation.split()[0] in ("UBND", "Công", "Trạm")
        assert (intact, modified_after, chain, before_upload) == (True, False, "unknown", True)
    assert all(read == () for kind in ("scan", "photo") for read in demo["signatures"].get(kind, []))
    assert "demo-pki" in demo["instance"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_serves_the_app_on_the_day_given(demo_dir):
    folder, env = demo_dir
    port = free_port()
    server = subprocess.Popen(
        [MINHCHUNG, "demo", "--port", str(port), "--today", "10/11/2026"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        printed = []
        while not any("Minh Chứng demo:" in line for line in printed):
            line = server.stdout.readline()
            if not line:
                raise AssertionError("the demo stopped: " + "".join(printed))
            printed.append(line)
        password = dict(PASSWORD_LINE.findall("".join(printed)))["reviewer"]
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the demo did not serve") from None
                time.sleep(0.3)
        assert "Đăng nhập" in page
        with urllib.request.urlopen(f"{base}/static/app.css", timeout=5) as response:
            assert response.status == 200
        # signed in, the report is as of the day given, in its cycle
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', browser.open(f"{base}/login").read().decode()
        ).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "username": "reviewer", "password": password}).encode()
        browser.open(f"{base}/login", data=form, timeout=10).read()
        report = browser.open(f"{base}/reports/", timeout=60).read().decode()
        assert "10/11/2026" in report and "(2026)" in report
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_day_that_is_not_one_is_refused(app):
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve", "--today", "31/02/2026"])
    assert result.exit_code == 2 and "--today" in result.output and "DD/MM/YYYY" in result.output


def test_the_demo_files_are_valid_and_always_the_same(tmp_path):
    """The demo's PDFs and photos pass the upload checks; made twice, they are the same bytes (a PDF's dates are
    its issue date, never the moment it is made)."""
    from datetime import datetime

    import pypdf

    from evidence_app.demo.files import Letter, jpeg_bytes, pdf_bytes
    from evidence_app.evidence.filecheck import check_file

    letter = Letter(
        parent="UBND THÀNH PHỐ HẠ LONG",
        issuer="UBND PHƯỜNG GIẾNG ĐÁY",
        number="45/BC-UBND",
        place="Giếng Đáy",
        issued=date(2026, 9, 5),
        kind="BÁO CÁO",
        summary="Kết quả thực hiện công tác cải cách hành chính 9 tháng năm 2026",
        body=["I. Kết quả thực hiện", "II. Phương hướng"],
        signer="Nguyễn Văn Thành",
        pages=2,
    )
    made = pdf_bytes(letter)
    time.sleep(1.1)
    assert pdf_bytes(letter) == made
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(made)
    checked = check_file(path, "Báo cáo.pdf", max_bytes=10**6)
    assert (checked.kind, checked.page_count) == ("pdf", 2)
    reader = pypdf.PdfReader(path)
    assert (
        reader.metadata.title == "Báo cáo 45/BC-UBND: Kết quả thực hiện công tác cải cách hành chính 9 tháng năm 2026"
    )
    assert reader.metadata.creation_date.date() == date(2026, 9, 5)
    text = reader.pages[0].extract_text()
    assert "Số: 45/BC-UBND" in text and "Giếng Đáy, ngày 05 tháng 9 năm 2026" in text and "BÁO CÁO" in text

    taken = datetime(2026, 10, 8, 9, 15)
    photo = jpeg_bytes("Giếng Đáy: đầu đọc mã vạch", taken, seed=3)
    assert jpeg_bytes("Giếng Đáy: đầu đọc mã vạch", taken, seed=3) == photo
    path = tmp_path / "anh.jpg"
    path.write_bytes(photo)
    checked = check_file(path, "Ảnh.jpg", max_bytes=10**6)
    assert checked.kind == "jpeg" and checked.taken_at.replace(tzinfo=None) == taken


def test_the_demo_signatures_are_real_and_always_the_same(tmp_path):
    """A demo PDF signed by the demo's PKI (made once in its folder): a signature every reader verifies, the same
    bytes when signed again or by the next run from the same folder, and trusted once its CA is a trust root."""
    from datetime import timezone

    from evidence_app.demo.files import DemoSigning, Letter, pdf_bytes
    from evidence_app.evidence.filecheck import check_file
    from evidence_app.evidence.reading.signatures import read_signatures

    letter = Letter(
        parent="UBND THÀNH PHỐ HẠ LONG",
        issuer="UBND PHƯỜNG GIẾNG ĐÁY",
        number="46/KH-UBND",
        place="Giếng Đáy",
        issued=date(2026, 9, 7),
        kind="KẾ HOẠCH",
        summary="Tuyên truyền cải cách hành chính năm 2026",
        signer="Nguyễn Văn Thành",
    )
    at = datetime(2026, 9, 7, 16, tzinfo=timezone(timedelta(hours=7)))
    folder = tmp_path / "demo-pki"
    signed = DemoSigning(folder, date(2026, 11, 10)).sign(
        pdf_bytes(letter), "Nguyễn Văn Thành", "UBND phường Giếng Đáy", at
    )
    time.sleep(1.1)
    again = DemoSigning(folder, date(2026, 11, 10)).sign(
        pdf_bytes(letter), "Nguyễn Văn Thành", "UBND phường Giếng Đáy", at
    )
    assert again == signed
    path = tmp_path / "ke-hoach.pdf"
    path.write_bytes(signed)
    assert check_file(path, "Kế hoạch.pdf", max_bytes=10**6).page_count == 1
    [signature] = read_signatures(str(path), None)
    assert (signature["signer"], signature["organisation"]) == ("Nguyễn Văn Thành", "UBND phường Giếng Đáy")
    assert datetime.fromisoformat(signature["signed_at"]) == at
    assert (signature["intact"], signature["modified_after"], signature["chain"]) == (True, False, "unknown")
    roots = tmp_path / "roots"
    roots.mkdir()
    (roots / "demo-ca.pem").write_bytes((folder / "ca.pem").read_bytes())
    assert read_signatures(str(path), str(roots))[0]["chain"] == "trusted"
