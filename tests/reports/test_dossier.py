"""The self-assessment dossier (issue 15): giải trình beside the self-score with its history, the dossier as of a
day in XLSX, DOCX and PDF (read back, and opened by LibreOffice), the signed dossier kept as evidence, and the
pack of one cycle as of a day."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from checklists import CATALOG_DIR, load_catalog
from evidence_app.audit.models import AuditEvent
from evidence_app.catalog.measurements import set_self_score
from evidence_app.catalog.models import ChecklistItem, Criterion, Index
from evidence_app.catalog.operations import import_catalog
from evidence_app.clock import frozen_at
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.evidence.reading.models import DocumentReading, ReadingStatus
from evidence_app.extensions import db
from evidence_app.models import User
from evidence_app.reports.dossier import build_dossier, index_for_dossier
from evidence_app.reports.dossier_renderers import render_dossier
from evidence_app.reports.models import SignedDossier
from evidence_app.reports.pack import SIGNATURE_KEYS
from evidence_app.reports.queries import end_of_day, self_assessments
from evidence_app.review.operations import decide
from tests.conftest import build_app
from tests.evidence import corpus
from tests.helpers import PASSWORD, import_file, login, make_unit, make_user

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# CI installs LibreOffice and names it in SOFFICE (.ci/run): then a missing `soffice` fails the test, as it does
# wherever CI is set; elsewhere it is skipped, saying why.
SOFFICE = os.environ.get("SOFFICE", "").strip()
IN_CI = bool(os.environ.get("CI"))


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VIETNAM)


@pytest.fixture
def ward(app):
    unit = make_unit()
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, unit)
    make_user(unit, "cb-vp-tk", departments=["vp-tk"])
    make_user(unit, "reviewer", role="reviewer")
    return unit


def user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def criterion(code: str, index_code: str = "CCHC", year: int = 2024) -> Criterion:
    return db.session.execute(
        select(Criterion).join(Index).where(Criterion.code == code, Index.code == index_code, Index.year == year)
    ).scalar_one()


def item(code: str, year: int = 2024) -> ChecklistItem:
    return db.session.execute(
        select(ChecklistItem)
        .join(Criterion)
        .join(Index, Criterion.index_id == Index.id)
        .where(ChecklistItem.code == code, Index.year == year)
    ).scalar_one()


def approve(tmp_path, code: str, name: str, on: date, year: int = 2024, **fields):
    """Uploaded and approved on `on`, as it happened that day."""
    with frozen_at(at(on)):
        path = corpus.pdf(tmp_path, f"{code}-{name}-{on}.pdf", pages=3)
        result = upload_document(
            path, name, user=user("cb-vp-tk"), items=[item(code, year)], fields=DocumentFields(**fields)
        )
        evidence = result.new_links[0]
        decide(evidence, user("reviewer"), "approved", expected_version=evidence.version)
    return result.document


def score(code: str, value: str, explanation: str | None, on: date, index_code: str = "CCHC") -> None:
    with frozen_at(at(on)):
        set_self_score(criterion(code, index_code), user("reviewer"), Decimal(value), explanation=explanation)


# ---- giải trình, with its history


def test_the_explanation_is_kept_beside_the_self_score_and_read_as_of_a_day(ward):
    c = criterion("1.4")
    index_id = c.index_id
    score("1.4", "10.5", "Đã ban hành kế hoạch tuyên truyền (Kế hoạch 12/KH-UBND)", date(2024, 10, 1))
    score("1.4", "12", "Bổ sung báo cáo kết quả tuyên truyền", date(2024, 11, 5))
    score("1.4", "12", None, date(2024, 11, 20))  # the explanation withdrawn, the score kept

    def standing(day):
        found = self_assessments([index_id], end_of_day(day)).get(c.id)
        return None if found is None else (found.score, found.explanation)

    assert standing(date(2024, 9, 30)) is None
    assert standing(date(2024, 10, 1)) == (Decimal("10.5"), "Đã ban hành kế hoạch tuyên truyền (Kế hoạch 12/KH-UBND)")
    assert standing(date(2024, 11, 4)) == (Decimal("10.5"), "Đã ban hành kế hoạch tuyên truyền (Kế hoạch 12/KH-UBND)")
    assert standing(date(2024, 11, 5)) == (Decimal(12), "Bổ sung báo cáo kết quả tuyên truyền")
    assert standing(date(2024, 11, 20)) == (Decimal(12), None)
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "self_score.set")).scalars().all()
    assert [e.data["explanation_after"] for e in events] == [
        "Đã ban hành kế hoạch tuyên truyền (Kế hoạch 12/KH-UBND)",
        "Bổ sung báo cáo kết quả tuyên truyền",
        None,
    ]


def test_the_explanation_is_entered_on_the_criterion_page_beside_the_score(ward, client):
    c = criterion("1.4")
    login(client, "reviewer")
    page = client.get(f"/catalog/criteria/{c.id}").get_data(as_text=True)
    assert 'name="explanation"' in page
    response = client.post(
        f"/catalog/criteria/{c.id}/self-score",
        data={"score": "1,5", "explanation": "Có kế hoạch và báo cáo kết quả"},
    )
    assert response.status_code == 303
    assert "Có kế hoạch và báo cáo kết quả" in client.get(f"/catalog/criteria/{c.id}").get_data(as_text=True)
    too_long = client.post(f"/catalog/criteria/{c.id}/self-score", data={"score": "1", "explanation": "x" * 4001})
    assert too_long.status_code == 422
    db.session.expire_all()
    standing = self_assessments([c.index_id], end_of_day(date(2100, 1, 1)))[c.id]
    assert (standing.score, standing.explanation) == (
        Decimal("1.5"),
        "Có kế hoạch và báo cáo kết quả",
    )  # the refused entry changed nothing


def test_the_api_takes_and_gives_the_explanation(ward, client):
    from evidence_app.api.operations import create_token

    _token, secret = create_token(user("reviewer"), "tests", actor=user("reviewer"))
    c = criterion("1.4")
    response = client.put(
        f"/api/v1/criteria/{c.id}/self-score",
        json={"score": "12,5", "explanation": "Đủ minh chứng theo Kế hoạch 100/KH-UBND"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.json
    assert response.json["explanation"] == "Đủ minh chứng theo Kế hoạch 100/KH-UBND"
    got = client.get(f"/api/v1/criteria/{c.id}", headers={"Authorization": f"Bearer {secret}"}).json
    assert got["self_score"]["explanation"] == "Đủ minh chứng theo Kế hoạch 100/KH-UBND"


# ---- the dossier


@pytest.fixture
def assessed(ward, tmp_path):
    """Two documents for criterion 1.3 (one approved after the dossier's day), self-scores with giải trình."""
    approve(
        tmp_path,
        "CCHC-1.3-a",
        "Kế hoạch tuyên truyền.pdf",
        date(2024, 3, 1),
        number="12/KH-UBND",
        issue_date=date(2024, 2, 5),
        summary="Kế hoạch tuyên truyền cải cách hành chính năm 2024",
        page_ref="tr. 2–3",
    )
    approve(tmp_path, "CCHC-1.3-b", "Báo cáo kiểm tra.pdf", date(2024, 3, 2), number="30/BC-UBND")
    approve(tmp_path, "CCHC-1.3-a", "Báo cáo tháng 12.pdf", date(2024, 12, 20), number="99/BC-UBND")
    score("1.3", "0.5", "Đủ kế hoạch, báo cáo; chưa có ảnh hoạt động", date(2024, 11, 1))
    score("1.1", "2", None, date(2024, 11, 1))
    return ward


DAY = date(2024, 11, 30)


def test_the_dossier_holds_the_criteria_scores_explanations_and_documents_as_of_its_day(assessed):
    index = index_for_dossier(assessed, "CCHC", DAY)
    assert (index.code, index.year) == ("CCHC", 2024)
    dossier = build_dossier(assessed, index, DAY)
    rows = {row.stt: row for row in dossier.rows}
    assert rows["I"].kind == "area" and rows["I"].self_score == Decimal("2.5")
    row = rows["1.3"]
    assert row.self_score == Decimal("0.5") and row.explanation == "Đủ kế hoạch, báo cáo; chưa có ảnh hoạt động"
    assert [(d.number, d.issue_date, d.summary, d.page_ref, d.path) for d in row.documents] == [
        (
            "12/KH-UBND",
            date(2024, 2, 5),
            "Kế hoạch tuyên truyền cải cách hành chính năm 2024",
            "tr. 2–3",
            "CCHC-2024/1.3/Kế hoạch tuyên truyền.pdf",
        ),
        ("30/BC-UBND", None, None, None, "CCHC-2024/1.3/Báo cáo kiểm tra.pdf"),
    ], "the document approved on 20/12 is not in the dossier of 30/11"
    assert dossier.total_max == Decimal(100) and dossier.total_self_score == Decimal("2.5")
    assert dossier.place_and_date == "Giếng Đáy, ngày 30 tháng 11 năm 2024"
    earlier = {r.stt: r for r in build_dossier(assessed, index, date(2024, 10, 31)).rows}
    assert earlier["1.3"].self_score is None and earlier["1.3"].explanation is None


def test_a_document_proving_two_items_of_a_criterion_is_cited_once(ward, tmp_path):
    with frozen_at(at(date(2024, 4, 1))):
        result = upload_document(
            corpus.pdf(tmp_path, "chung.pdf", pages=2),
            "Biên bản chung.pdf",
            user=user("cb-vp-tk"),
            items=[item("CCHC-1.3-a"), item("CCHC-1.3-b")],
            fields=DocumentFields(number="3/BB-UBND"),
        )
        for evidence in result.new_links:
            decide(evidence, user("reviewer"), "approved", expected_version=evidence.version)
    index = index_for_dossier(ward, "CCHC", DAY)
    row = next(r for r in build_dossier(ward, index, DAY).rows if r.stt == "1.3")
    assert [d.path for d in row.documents] == ["CCHC-2024/1.3/Biên bản chung.pdf"]


def _texts(fmt: str, body: bytes) -> str:
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    if fmt == "docx":
        from docx import Document

        document = Document(io.BytesIO(body))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_each_format_carries_the_province_layout(assessed, runner, tmp_path, fmt):
    out = tmp_path / f"dossier.{fmt}"
    result = runner.invoke(
        args=["selfassessment", "--index", "CCHC", "--as-of", "30/11/2024", "--format", fmt, "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = _texts(fmt, out.read_bytes())
    if fmt == "pdf":
        text = " ".join(text.split())  # lines wrap inside the table's cells
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND PHƯỜNG GIẾNG ĐÁY",
        "NĂM 2024",
        "Điểm tự chấm",
        "Giải trình",
        "Tài liệu kiểm chứng",
        "12/KH-UBND",
        "Đủ kế hoạch, báo cáo; chưa có ảnh hoạt động",
        "Tổng cộng",
        "CHỦ TỊCH",
    ):
        assert expected in text, (fmt, expected)
    assert "99/BC-UBND" not in text, "approved after the dossier's day"
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(out).active
        row = next(r for r in sheet.iter_rows() if r[0].value == "1.3")
        assert row[3].value == 0.5 and row[5].value == "12/KH-UBND" and row[6].value.date() == date(2024, 2, 5)
        assert row[9].value == "CCHC-2024/1.3/Kế hoạch tuyên truyền.pdf" and row[8].value == "tr. 2–3"
        assert f"A{row[0].row}:A{row[0].row + 1}" in {str(m) for m in sheet.merged_cells.ranges}
    if fmt == "docx":
        assert "CCHC-2024/1.3/Kế hoạch tuyên truyền.pdf" in text and "0,5" in text and "05/02/2024" in text
    if fmt == "pdf":
        from pypdf import PdfReader

        fonts = {
            str(font["/BaseFont"]) for page in PdfReader(out).pages for font in page["/Resources"]["/Font"].values()
        }
        assert any("DejaVuSans" in name for name in fonts), "the bundled font, embedded"


def test_the_command_says_what_is_wrong(assessed, runner, tmp_path):
    out = tmp_path / "d.pdf"
    result = runner.invoke(args=["selfassessment", "--index", "XYZ", "--format", "pdf", "--output", str(out)])
    assert result.exit_code != 0 and "gieng-day has no index XYZ" in result.output and not out.exists()
    result = runner.invoke(
        args=["selfassessment", "--index", "CCHC", "--year", "2019", "--format", "pdf", "--output", str(out)]
    )
    assert result.exit_code != 0 and "no index CCHC 2019" in result.output
    result = runner.invoke(args=["selfassessment", "--index", "CCHC", "--format", "odt", "--output", str(out)])
    assert result.exit_code != 0 and "odt" in result.output


def soffice() -> str:
    """LibreOffice's `soffice`: the one SOFFICE names (CI sets it, as it sets S3_TEST_ENDPOINT_URL), where a missing
    program fails the test; else the one on PATH, the test skipped without one (saying how to install it)."""
    install = (
        "apt-get install -y --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui "
        "libreoffice-draw-nogui"
    )
    if SOFFICE:
        if not (shutil.which(SOFFICE) or os.access(SOFFICE, os.X_OK)):
            pytest.fail(f"SOFFICE={SOFFICE} is set but is not a program: {install}", pytrace=False)
        return SOFFICE
    found = shutil.which("soffice")
    if found is None:
        message = f"LibreOffice (`soffice`) is not installed: {install}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def test_libreoffice_opens_every_format(assessed, tmp_path):
    """The three files convert to PDF headless (Writer, Calc, and Draw for the PDF): a ward opening them in
    LibreOffice gets a document, not a repair prompt or an empty page."""
    program = soffice()
    index = index_for_dossier(assessed, "CCHC", DAY)
    dossier = build_dossier(assessed, index, DAY)
    inputs = tmp_path / "in"
    inputs.mkdir()
    files = []
    for fmt in ("xlsx", "docx", "pdf"):
        path = inputs / f"ho-so.{fmt}"
        path.write_bytes(render_dossier(dossier, fmt))
        files.append(path)
    for path in files:
        out = tmp_path / f"out-{path.suffix[1:]}"
        completed = subprocess.run(
            [
                program,
                f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        produced = list(out.glob("*")) if out.exists() else []
        assert completed.returncode == 0 and produced and produced[0].stat().st_size > 1000, (
            path.name,
            completed.stdout,
            completed.stderr,
        )
        converted = " ".join(_texts("pdf", produced[0].read_bytes()).split())
        assert "Tổng cộng" in converted and "12/KH-UBND" in converted.replace(" ", ""), path.name  # may wrap


# ---- the signed dossier


def test_a_leader_uploads_the_signed_dossier_and_it_is_kept_as_evidence(assessed, client, tmp_path):
    index = index_for_dossier(assessed, "CCHC", DAY)
    login(client, "reviewer")
    report_page = client.get("/reports/?as_of=30/11/2024").get_data(as_text=True)
    assert f"/reports/selfassessment/{index.id}?as_of=2024-11-30" in report_page, "the report page's button"
    page = client.get(f"/reports/selfassessment/{index.id}?as_of=30/11/2024")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Đủ kế hoạch, báo cáo; chưa có ảnh hoạt động" in html and 'name="file"' in html
    for fmt in ("xlsx", "docx", "pdf"):
        download = client.get(f"/reports/selfassessment/{index.id}/download?format={fmt}&as_of=30/11/2024")
        assert download.status_code == 200
        assert download.headers["Content-Disposition"].endswith(f'ho-so-tu-danh-gia-CCHC-2024-2024-11-30.{fmt}"')
    signed = corpus.pdf(tmp_path, "signed.pdf", pages=4)
    with open(signed, "rb") as f:
        response = client.post(
            f"/reports/selfassessment/{index.id}/signed",
            data={"as_of": "30/11/2024", "file": (f, "Hồ sơ tự đánh giá (đã ký).pdf")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 303
    row = db.session.execute(select(SignedDossier)).scalar_one()
    assert row.as_of == DAY and row.document.filename == "Hồ sơ tự đánh giá (đã ký).pdf"
    assert row.document.unit_id == assessed.id and row.uploaded_by.username == "reviewer"
    actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert "document.upload" in actions and "dossier.signed" in actions
    assert "Hồ sơ tự đánh giá (đã ký).pdf" in client.get(f"/reports/selfassessment/{index.id}").get_data(as_text=True)
    assert client.get(f"/documents/{row.document.id}").status_code == 200
    assert client.get(f"/documents/{row.document.id}/download").status_code == 200
    # staff see the dossier but do not sign it off
    staff = client.application.test_client()
    login(staff, "cb-vp-tk")
    assert staff.get(f"/reports/selfassessment/{index.id}").status_code == 200
    with open(signed, "rb") as f:
        refused = staff.post(
            f"/reports/selfassessment/{index.id}/signed",
            data={"as_of": "30/11/2024", "file": (f, "x.pdf")},
            content_type="multipart/form-data",
        )
    assert refused.status_code == 403


def test_a_bad_file_is_refused_and_nothing_is_recorded(assessed, client, tmp_path):
    index = index_for_dossier(assessed, "CCHC", DAY)
    login(client, "reviewer")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"MZ this is not a pdf")
    with open(bad, "rb") as f:
        response = client.post(
            f"/reports/selfassessment/{index.id}/signed",
            data={"as_of": "30/11/2024", "file": (f, "ho-so.pdf")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 422
    assert db.session.execute(select(SignedDossier)).first() is None


def test_another_ward_sees_nothing_of_this_dossier(assessed, app, tmp_path):
    index = index_for_dossier(assessed, "CCHC", DAY)
    other = make_unit("ha-long", "UBND phường Hà Lầm")
    make_user(other, "other-reviewer", role="reviewer")
    client = app.test_client()
    login(client, "other-reviewer")
    assert client.get(f"/reports/selfassessment/{index.id}").status_code == 404
    assert client.get(f"/reports/selfassessment/{index.id}/download?format=pdf").status_code == 404
    signed = corpus.pdf(tmp_path, "signed.pdf", pages=1)
    with open(signed, "rb") as f:
        response = client.post(
            f"/reports/selfassessment/{index.id}/signed",
            data={"as_of": "30/11/2024", "file": (f, "x.pdf")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 404
    assert db.session.execute(select(SignedDossier)).first() is None


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_forms_refuse_a_request_without_its_csrf_token(assessed, tmp_path):
    """With CSRF protection on, as in production: the self-score and the signed dossier need the form's token."""
    app = build_app(tmp_path / "csrf", db.engine.url.render_as_string(hide_password=False), WTF_CSRF_ENABLED=True)
    index = index_for_dossier(assessed, "CCHC", DAY)
    c = criterion("1.2")
    try:
        client = app.test_client()
        token = _csrf(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": "reviewer", "password": PASSWORD, "csrf_token": token})
        token = _csrf(client.get(f"/reports/selfassessment/{index.id}").get_data(as_text=True))
        signed = corpus.pdf(tmp_path, "signed.pdf", pages=1)
        for data in ({}, {"csrf_token": "forged"}):
            assert client.post(f"/catalog/criteria/{c.id}/self-score", data={"score": "1", **data}).status_code == 400
            with open(signed, "rb") as f:
                response = client.post(
                    f"/reports/selfassessment/{index.id}/signed",
                    data={"as_of": "30/11/2024", "file": (f, "x.pdf"), **data},
                    content_type="multipart/form-data",
                )
            assert response.status_code == 400
        db.session.expire_all()
        assert db.session.execute(select(SignedDossier)).first() is None
        assert c.id not in self_assessments([c.index_id], end_of_day(date(2100, 1, 1)))
        with open(signed, "rb") as f:
            response = client.post(
                f"/reports/selfassessment/{index.id}/signed",
                data={"as_of": "30/11/2024", "file": (f, "x.pdf"), "csrf_token": token},
                content_type="multipart/form-data",
            )
        assert response.status_code == 303, "with its token, the same form is accepted"
    finally:
        with app.app_context():
            db.engine.dispose()


# ---- the pack of one cycle as of a day


@pytest.fixture
def two_years(assessed, catalog_2025):
    """The 2025 cycle beside 2024's, and a 2025 document."""
    return assessed


def next_year(value) -> str:
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return day.replace(year=day.year + 1, day=min(day.day, 28)).isoformat()


@pytest.fixture
def catalog_2025(ward, write_catalog):
    import yaml

    data = yaml.safe_load((CATALOG_DIR / "gieng-day" / "cchc-2024.yaml").read_text(encoding="utf-8"))
    data["index"]["year"] = 2025
    data["index"]["assessment_date"] = "2025-12-15"
    for area in data["areas"]:
        for c in area["criteria"]:
            for i in c.get("items", []):
                i["code"] = i["code"].replace("CCHC-", "CCHC-2025-")
                if "due" in i:
                    i["due"] = next_year(i["due"])
                if "report" in i:
                    i["report"]["deadline"] = next_year(i["report"]["deadline"])
    import_catalog(load_catalog(write_catalog(data, "cchc-2025.yaml")), ward, source="cchc-2025.yaml")
    db.session.commit()


def test_the_pack_as_of_a_day_holds_that_cycles_documents_approved_by_then(two_years, runner, tmp_path):
    approve(tmp_path, "CCHC-2025-1.3-a", "Kế hoạch 2025.pdf", date(2025, 2, 10), year=2025, number="5/KH-UBND")
    with frozen_at(at(date(2024, 12, 2))):
        signed = upload_document(
            corpus.pdf(tmp_path, "signed.pdf", pages=2),
            "Hồ sơ đã ký.pdf",
            user=user("reviewer"),
            items=[],
            fields=DocumentFields(),
        ).document
        db.session.add(
            SignedDossier(
                index_id=index_for_dossier(two_years, "CCHC", DAY, 2024).id,
                document_id=signed.id,
                as_of=DAY,
                uploaded_by_id=user("reviewer").id,
            )
        )
        db.session.commit()

    def pack(*args):
        out = tmp_path / "pack.zip"
        result = runner.invoke(args=["pack", "--out", str(out), *args])
        assert result.exit_code == 0, result.output
        archive = zipfile.ZipFile(out)
        return archive, json.loads(archive.read("manifest.json"))

    archive, manifest = pack("--as-of", "30/11/2024")
    names = [n for n in archive.namelist() if not n.startswith(("manifest", "bao-cao"))]
    assert sorted(names) == ["CCHC-2024/1.3/Báo cáo kiểm tra.pdf", "CCHC-2024/1.3/Kế hoạch tuyên truyền.pdf"]
    assert [c["folder"] for c in manifest["cycle"] if c["index"] == "CCHC"] == ["CCHC-2024"]
    first = next(f for f in manifest["files"] if f["number"] == "12/KH-UBND")
    assert first["page_ref"] == "tr. 2–3" and first["summary"].startswith("Kế hoạch tuyên truyền")
    assert first["self_score"] == 0.5 and first["explanation"] == "Đủ kế hoạch, báo cáo; chưa có ảnh hoạt động"
    row = next(c for c in manifest["self_assessment"] if c["criterion"] == "1.1" and c["index"] == "CCHC")
    assert row["self_score"] == 2 and row["year"] == 2024

    archive, manifest = pack("--as-of", "31/12/2024", "--year", "2024")
    names = [n for n in archive.namelist() if n.startswith("CCHC-")]
    assert "CCHC-2024/1.3/Báo cáo tháng 12.pdf" in names, "approved on 20/12"
    assert "CCHC-2024/ho-so-tu-danh-gia-da-ky/Hồ sơ đã ký.pdf" in names
    assert manifest["signed_dossier_signatures"] == {"CCHC-2024/ho-so-tu-danh-gia-da-ky/Hồ sơ đã ký.pdf": None}
    read = {
        "field": "Signature1",
        "signer": "Nguyễn Văn Thành",
        "organisation": "UBND phường Giếng Đáy",
        "signed_at": "2024-12-02T16:00:00+07:00",
        "intact": True,
        "modified_after": False,
        "coverage": "document",
        "chain": "trusted",
        "chain_detail": "chains to Root CA",
    }
    db.session.add(DocumentReading(document_id=signed.id, status=ReadingStatus.done.value, signatures=[read]))
    db.session.commit()
    archive, manifest = pack("--as-of", "31/12/2024", "--year", "2024")
    [signature] = manifest["signed_dossier_signatures"]["CCHC-2024/ho-so-tu-danh-gia-da-ky/Hồ sơ đã ký.pdf"]
    assert signature == {key: read[key] for key in SIGNATURE_KEYS}  # what the manifest says of a signature
    assert not [n for n in names if n.startswith("CCHC-2025")], "one cycle in one pack"

    archive, manifest = pack("--as-of", "01/03/2025")  # the 2025 cycle is under way
    names = [n for n in archive.namelist() if n.startswith("CCHC")]
    assert names == ["CCHC-2025/1.3/Kế hoạch 2025.pdf"]

    result = runner.invoke(args=["pack", "--out", str(tmp_path / "x.zip"), "--year", "2019"])
    assert result.exit_code != 0 and "no index for 2019" in result.output
