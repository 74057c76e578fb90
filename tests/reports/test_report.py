"""The completeness report through the real parts: the query layer (bounded statements, as-of), the page with
its bars and drill-down, the exports (JSON, CSV, XLSX, HTML), the submission pack, the province's league table."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from checklists import CATALOG_DIR
from evidence_app.catalog.models import ChecklistItem, Index
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.evidence.reading.models import DocumentReading, ReadingStatus
from evidence_app.evidence.reading.signatures import read_signatures
from evidence_app.extensions import db
from evidence_app.models import Unit, User
from evidence_app.reports.build import build_report, league_table
from evidence_app.reports.summary import criteria_at_risk
from evidence_app.review.operations import decide
from tests.evidence import corpus
from tests.evidence.reading import pki
from tests.helpers import import_file, login, make_unit, make_user

CRITERION_KEYS = {
    "code",
    "title",
    "area",
    "max",
    "last_year",
    "secured",
    "expected",
    "best",
    "at_risk",
    "risk",
    "reasons",
    "owner",
    "due",
}


@pytest.fixture
def ward(app):
    unit = make_unit()
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, unit)
    make_user(unit, "cb-vp-tk", departments=["vp-tk"])
    make_user(unit, "reviewer", role="reviewer")
    return unit


MAY = datetime(2024, 5, 2, 3, tzinfo=UTC)  # approved before the packs' day (01/06/2024)


def user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def approve(tmp_path, code: str, name: str, on: datetime | None = None, **fields):
    staff = user("cb-vp-tk")
    item = db.session.execute(
        select(ChecklistItem).where(ChecklistItem.code == code, ChecklistItem.unit_id == staff.unit_id)
    ).scalar_one()
    path = corpus.pdf(tmp_path, f"{code}.pdf", pages=len(code))
    result = upload_document(path, name, user=staff, items=[item], fields=DocumentFields(**fields))
    evidence = result.new_links[0]
    review = decide(evidence, user("reviewer"), "approved", expected_version=evidence.version)
    if on is not None:  # as it happened on that day: uploaded, linked and approved
        result.document.uploaded_at = evidence.linked_at = review.created_at = on
        db.session.commit()
    return result.document


def criterion(report, index_code, code):
    index = next(i for i in report["indices"] if i["code"] == index_code)
    return next(c for c in index["criteria"] if c["code"] == code)


def test_json_shape_and_the_seed_figures(ward):
    report = build_report(ward, date(2024, 6, 1))
    assert [i["code"] for i in report["indices"]] == ["CCHC", "QN-DTI"]
    cchc, dti = report["indices"]
    assert cchc["last_year_published"] == 86.34 and dti["last_year_published"] == 696
    assert cchc["totals"]["max"] == 100 and dti["totals"]["max"] == 1000
    for index in report["indices"]:
        t = index["totals"]
        assert 0 <= t["secured"] <= t["expected"] <= t["best"] <= t["max"]
        for c in index["criteria"]:
            assert CRITERION_KEYS <= set(c)
            assert c["secured"] <= c["expected"] <= c["best"] <= c["max"]
            assert c["risk"] in ("secured", "on_track", "at_risk", "critical", "lost")
    lost_report = criterion(report, "CCHC", "1.1")
    assert any("Quý I/2024" in r and "đã mất" in r for r in lost_report["reasons"]), (
        "the Q1 report's deadline passed unsent"
    )


def test_as_of_counts_only_what_was_approved_by_then(ward, tmp_path):
    approve(
        tmp_path,
        "CCHC-1.1-a",
        "Báo cáo CCHC quý I.pdf",
        on=datetime(2024, 3, 10, 3, tzinfo=UTC),
        number="35/BC-UBND",
        sent_date=date(2024, 3, 10),
    )
    before = criterion(build_report(ward, date(2024, 3, 9)), "CCHC", "1.1")
    after = criterion(build_report(ward, date(2024, 3, 20)), "CCHC", "1.1")
    assert not any("Quý I/2024" in r and "quá hạn" in r for r in before["reasons"]), (
        "before its deadline nothing is lost"
    )
    assert not any("Quý I/2024" in r and "mất điểm" in r for r in after["reasons"]), "sent on time: not lost"
    assert after["best"] == before["best"] == 2.0


def test_the_report_takes_a_bounded_number_of_statements(ward, tmp_path, app):
    for code in ("CCHC-1.3-a", "CCHC-1.3-b", "QN-DTI-1.1-a"):
        approve(tmp_path, code, f"{code}.pdf")

    def statements_of(**kwargs) -> list[str]:
        statements = []
        listener = lambda *args, **_: statements.append(args[2])
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            build_report(ward, date(2024, 6, 1), **kwargs)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return statements

    assert len(computed := statements_of(reference=True)) <= 15, computed
    assert len(kept_after := statements_of()) <= 15 + 6, kept_after  # computed, then kept: mark, read, write
    assert len(kept := statements_of()) <= 5, kept  # kept: the mark, the kept report, the audit chain's head


def test_csv_xlsx_html_exports(ward, runner, tmp_path):
    for fmt in ("csv", "xlsx", "html", "json"):
        out = tmp_path / f"r.{fmt}"
        result = runner.invoke(args=["report", "--as-of", "01/06/2024", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Bộ chỉ số", "Mã", "Tiêu chí", "Lĩnh vực"] and "Điểm có nguy cơ mất" in rows[0]
    assert len(rows) == 1 + 84 + 1  # the header, the criteria, the audit chain's head
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Tổng hợp", "CCHC 2024", "QN-DTI 2024"]
    sheet = book["CCHC 2024"]
    assert sheet["A1"].value == "Mã" and sheet["D1"].value == "Điểm tối đa" and sheet["D2"].number_format == "#,##0.00"
    assert book["Tổng hợp"]["D5"].value == 100
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "BÁO CÁO MỨC ĐỘ ĐẦY ĐỦ MINH CHỨNG" in html and "CHỦ TỊCH" in html
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["as_of"] == "2024-06-01"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--as-of", "31/02/2024"], "is not a date"),
        (["--format", "pdf"], "is not a format"),
    ],
)
def test_report_command_bad_input(ward, runner, args, message):
    result = runner.invoke(args=["report", *args])
    assert result.exit_code != 0 and message in result.output


def test_an_index_without_an_assessment_date_never_gets_in(catalog_dict, write_catalog):
    from checklists import CatalogError, load_catalog

    del catalog_dict["index"]["assessment_date"]
    with pytest.raises(CatalogError) as info:
        load_catalog(write_catalog(catalog_dict))
    assert "index.assessment_date: is missing: expected a date such as 2024-12-15" in info.value.report()


def test_the_report_page_and_its_downloads(ward, client, tmp_path):
    approve(tmp_path, "CCHC-1.3-a", "Kế hoạch tuyên truyền.pdf")
    login(client, "reviewer")
    page = client.get("/reports/?as_of=01/06/2024").get_data(as_text=True)
    assert "Báo cáo mức độ đầy đủ" in page and "86,34" in page and "<svg" in page and "bar-secured" in page
    assert "Tiêu chí có nguy cơ" in page and "/catalog/" in page
    response = client.get("/reports/download?format=xlsx&as_of=2024-06-01")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    assert client.get("/reports/download?format=doc").status_code == 400
    assert client.get("/reports/?as_of=hôm qua").status_code == 400
    report = build_report(db.session.execute(select(Unit)).scalar_one(), as_of=date(2024, 12, 1))
    counts = [len(criteria_at_risk(index)) for index in report["indices"]]
    page = client.get("/reports/?as_of=01/12/2024").get_data(as_text=True)
    folded = [n - 10 for n in counts if n > 10]
    assert folded, "the seed leaves more than ten criteria at risk in an index"
    for n in folded:  # the first ten are what to do first; the rest folds, so that a phone reads the report
        assert f"Xem thêm {n} tiêu chí có nguy cơ khác" in page
    assert page.count('<details class="more-at-risk">') == len(folded)
    index = db.session.execute(select(Index).where(Index.code == "CCHC")).scalar_one()
    drill = client.get(f"/catalog/{index.id}/criteria/1.3")
    assert drill.status_code == 302 and "/catalog/criteria/" in drill.headers["Location"]


def test_the_submission_pack(ward, client, runner, tmp_path):
    approve(
        tmp_path,
        "CCHC-1.3-a",
        "Kế hoạch tuyên truyền.pdf",
        on=MAY,
        number="12/KH-UBND",
        issue_date=date(2024, 2, 5),
    )
    approve(tmp_path, "CCHC-1.3-b", "Kế hoạch tuyên truyền.pdf", on=MAY)
    out = tmp_path / "pack.zip"
    assert runner.invoke(args=["pack", "--out", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert (
            "CCHC-2024/1.3/Kế hoạch tuyên truyền.pdf" in names
            and "CCHC-2024/1.3/Kế hoạch tuyên truyền (2).pdf" in names
        )
        info = archive.getinfo("CCHC-2024/1.3/Kế hoạch tuyên truyền.pdf")
        assert info.flag_bits & 0x800, "names stored as UTF-8"
        assert {"manifest.csv", "manifest.json", "bao-cao.json", "bao-cao.xlsx", "bao-cao.html"} <= set(names)
        manifest = json.loads(archive.read("manifest.json"))["files"]
        first = next(f for f in manifest if f["file"] == "CCHC-2024/1.3/Kế hoạch tuyên truyền.pdf")
        assert (
            first["number"] == "12/KH-UBND" and first["issue_date"] == "2024-02-05" and first["approver"] == "reviewer"
        )
        import hashlib

        assert hashlib.sha256(archive.read(first["file"])).hexdigest() == first["sha256"]
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
        assert list(rows[0]) == [
            "file",
            "index",
            "year",
            "criterion",
            "item",
            "number",
            "issue_date",
            "summary",
            "page_ref",
            "self_score",
            "explanation",
            "sha256",
            "size",
            "approver",
            "approved_at",
            "signatures",
        ]
        assert first["signatures"] is None and rows[0]["signatures"] == ""  # never read: not known, not "none"
    login(client, "reviewer")
    response = client.post("/reports/pack", data={"as_of": "2024-06-01"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ho-so-minh-chung-gieng-day-2024-06-01.zip"'
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body), "built whole before it was sent"
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert "CCHC-2024/1.3/Kế hoạch tuyên truyền.pdf" in archive.namelist()
    staff = client.application.test_client()
    login(staff, "cb-vp-tk")
    assert staff.post("/reports/pack").status_code == 403


def test_every_report_and_the_pack_carry_the_audit_chain_head(ward, client, runner, tmp_path):
    """Issue 13, finding 2: the head (event count, last id and hash) goes wherever the ward keeps a copy, so that
    `audit verify --anchor` can later tell whether the newest events were cut."""
    from evidence_app.audit import chain_head

    approve(tmp_path, "CCHC-1.3-a", "Kế hoạch.pdf")
    head = chain_head()
    assert head["events"] > 1 and head["last_id"] is not None
    line = f"{head['events']} sự kiện, sự kiện cuối #{head['last_id']}, mã băm {head['last_hash']}"
    for fmt in ("csv", "xlsx", "html", "json"):
        out = tmp_path / f"r.{fmt}"
        assert runner.invoke(args=["report", "--format", fmt, "--out", str(out)]).exit_code == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["audit_head"] == head
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    assert line in rows[-1][0]
    book = load_workbook(tmp_path / "r.xlsx")
    assert line in book.properties.description
    assert any(line in str(c.value) for row in book["Tổng hợp"].iter_rows() for c in row)
    assert line in (tmp_path / "r.html").read_text(encoding="utf-8")

    out = tmp_path / "pack.zip"
    assert runner.invoke(args=["pack", "--out", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        manifest = archive.read("manifest.json")
        assert json.loads(manifest)["audit_head"] == head
        assert json.loads(archive.read("bao-cao.json"))["audit_head"] == head
    (tmp_path / "manifest.json").write_bytes(manifest)
    assert runner.invoke(args=["audit", "verify", "--anchor", str(tmp_path / "manifest.json")]).exit_code == 0

    login(client, "reviewer")  # an event of its own
    head = chain_head()
    page = client.get("/reports/").get_data(as_text=True)
    assert f"{head['events']} sự kiện, sự kiện cuối #{head['last_id']}, mã băm {head['last_hash']}" in page
    api = client.get("/api/v1/report?as_of=2024-06-01")
    assert api.status_code == 200 and api.get_json()["audit_head"] == chain_head()


def test_a_store_failing_midway_through_the_pack_is_an_error_page_not_a_broken_zip(ward, client, tmp_path, monkeypatch):
    """Issue 13, finding 5: the pack was streamed, so a store failing (or a worker killed) midway left a broken ZIP
    after HTTP 200. It is now built whole first: the failure is a 503 page, and no temporary file is left behind."""
    from evidence_app.files import get_storage, upload_tmp_dir
    from storage import StorageError

    approve(tmp_path, "CCHC-1.3-a", "Kế hoạch.pdf", on=MAY)
    approve(tmp_path, "CCHC-1.3-b", "Báo cáo.pdf", on=MAY)
    store = get_storage()
    real_open, opened = store.open, []

    def open_then_fail(key):
        opened.append(key)
        if len(opened) == 2:
            raise StorageError("the store went away")
        return real_open(key)

    monkeypatch.setattr(store, "open", open_then_fail)
    login(client, "reviewer")
    response = client.post("/reports/pack", data={"as_of": "2024-06-01"})
    assert len(opened) == 2
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "Không kết nối được kho lưu trữ tệp" in response.get_data(as_text=True)
    assert list(upload_tmp_dir().iterdir()) == []


def test_province_league_table(ward, app, client, tmp_path):
    other = make_unit("bai-chay", "UBND phường Bãi Cháy")
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, other)
    tied = next(t for t in league_table(date(2024, 6, 1)) if t["code"] == "CCHC")["rows"]
    assert [(r["unit"], r["rank"]) for r in tied] == [("bai-chay", 1), ("gieng-day", 1)], "the same work: a tie"
    # criterion 2.4 is binary with one document: approved, it is secured
    approve(tmp_path, "CCHC-2.4-a", "a.pdf", on=datetime(2024, 5, 20, 3, tzinfo=UTC))
    approve(tmp_path, "CCHC-2.5-a", "b.pdf", on=datetime(2025, 1, 5, 3, tzinfo=UTC))  # after the assessment
    province = make_unit("quang-ninh", "UBND tỉnh Quảng Ninh")
    make_user(province, "tinh", role="province")
    for day in (date(2024, 6, 1), date(2024, 12, 15), date.today()):
        cchc = next(t for t in league_table(day) if t["code"] == "CCHC")
        assert [(r["unit"], r["rank"]) for r in cchc["rows"]] == [("gieng-day", 1), ("bai-chay", 2)], day
        assert cchc["rows"][0]["secured"] > cchc["rows"][1]["secured"]
    closed, last_day = (
        build_report(ward, date.today())["indices"][0],
        build_report(ward, date(2024, 12, 15))["indices"][0],
    )
    assert closed["closed"] and not last_day["closed"]
    assert closed["totals"]["secured"] == last_day["totals"]["secured"] == 1, (
        "approved after the assessment: not counted"
    )
    assert closed["totals"]["best"] == closed["totals"]["expected"] and closed["totals"]["at_risk"] == 0
    login(client, "tinh")
    page = client.get("/reports/province").get_data(as_text=True)
    assert "UBND phường Bãi Cháy" in page and "UBND phường Giếng Đáy" in page
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    assert reviewer.get("/reports/province").status_code == 403


def test_the_pack_manifest_carries_the_signatures_read(ward, runner, tmp_path):
    """Issue 18: per document, the digital signatures its reading found (signer, organisation, time, intact,
    modified after signing, chain); nothing when it was not read or the reading is not done."""
    root = pki.make_ca("Root CA thử nghiệm")
    signer = pki.make_signer(root, "=Nguyễn Văn A", "UBND phường Giếng Đáy", None)
    signed = pki.sign_pdf(pki.base_pdf(), signer, [])
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    read = read_signatures(str(path), None)
    staff = user("cb-vp-tk")
    item = db.session.execute(
        select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.3-a", ChecklistItem.unit_id == staff.unit_id)
    ).scalar_one()
    upload = upload_document(str(path), "Kế hoạch đã ký số.pdf", user=staff, items=[item], fields=DocumentFields())
    evidence = upload.new_links[0]
    decide(evidence, user("reviewer"), "approved", expected_version=evidence.version)
    altered = approve(tmp_path, "CCHC-1.3-b", "Kế hoạch sửa sau khi ký.pdf")
    plain = approve(tmp_path, "CCHC-1.3-c", "Kế hoạch không ký.pdf")
    pending = approve(tmp_path, "CCHC-1.4-a", "Đang đọc.pdf")
    failed = approve(tmp_path, "CCHC-1.4-b", "Không đọc được.pdf")
    modified = [read[0] | {"modified_after": True, "chain": "untrusted"}]
    db.session.add_all(
        [
            DocumentReading(document_id=upload.document.id, status=ReadingStatus.done.value, signatures=read),
            DocumentReading(document_id=altered.id, status=ReadingStatus.done.value, signatures=modified),
            DocumentReading(document_id=plain.id, status=ReadingStatus.done.value, signatures=[]),
            DocumentReading(document_id=pending.id, status=ReadingStatus.pending.value),
            DocumentReading(document_id=failed.id, status=ReadingStatus.failed.value, signatures=read),
        ]
    )
    db.session.commit()

    out = tmp_path / "pack.zip"
    assert runner.invoke(args=["pack", "--out", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        files = {f["file"].rsplit("/", 1)[1]: f for f in json.loads(archive.read("manifest.json"))["files"]}
        rows = {
            r["file"].rsplit("/", 1)[1]: r
            for r in csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")))
        }
    [signature] = files["Kế hoạch đã ký số.pdf"]["signatures"]
    assert signature == {
        "signer": "=Nguyễn Văn A",
        "organisation": "UBND phường Giếng Đáy",
        "signed_at": read[0]["signed_at"],
        "intact": True,
        "modified_after": False,
        "chain": "unknown",
    }
    assert files["Kế hoạch sửa sau khi ký.pdf"]["signatures"][0]["modified_after"] is True
    assert files["Kế hoạch không ký.pdf"]["signatures"] == []
    assert files["Đang đọc.pdf"]["signatures"] is None and files["Không đọc được.pdf"]["signatures"] is None
    assert rows["Kế hoạch đã ký số.pdf"]["signatures"] == (
        f"'=Nguyễn Văn A | UBND phường Giếng Đáy | {read[0]['signed_at']} | intact | unmodified | chain unknown"
    )
    assert "MODIFIED AFTER SIGNING | chain untrusted" in rows["Kế hoạch sửa sau khi ký.pdf"]["signatures"]
    assert rows["Kế hoạch không ký.pdf"]["signatures"] == "none"
    assert rows["Đang đọc.pdf"]["signatures"] == rows["Không đọc được.pdf"]["signatures"] == ""


def test_cells_that_start_like_a_formula_stay_text_in_every_export(ward, runner, tmp_path):
    """Issue 13, finding 8: a document number `=1+1`, a title `=HYPERLINK(…)` or a department `@SUM(…)` must not run
    when the ward opens the manifest, the report or the catalog export in Excel."""
    from openpyxl import load_workbook

    from evidence_app.catalog.models import Criterion, Department
    from evidence_app.cycle.carry import to_xlsx as catalog_xlsx
    from evidence_app.reports.build import build_report
    from evidence_app.reports.exports import to_csv, to_xlsx

    hyperlink = '=HYPERLINK("http://evil.example","Bấm vào đây")'
    criterion = db.session.execute(select(Criterion).where(Criterion.code == "1.3")).scalars().first()
    criterion.title = hyperlink
    department = db.session.execute(select(Department).where(Department.code == "vp-tk")).scalar_one()
    department.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    db.session.commit()
    approve(tmp_path, "CCHC-1.3-a", "Kế hoạch.pdf", number="=1+1")

    out = tmp_path / "pack.zip"
    assert runner.invoke(args=["pack", "--out", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [r["number"] for r in rows if r["number"]] == ["'=1+1"]

    report = build_report(ward, date(2024, 6, 1))
    assert "'=HYPERLINK(" in to_csv(report).decode("utf-8-sig")
    cells = [
        c for sheet in load_workbook(io.BytesIO(to_xlsx(report))).worksheets for row in sheet.iter_rows() for c in row
    ]
    titled = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert titled and all(c.data_type == "s" for c in titled), "written as text, not as a formula"

    index = criterion.area.index
    cells = [c for row in load_workbook(io.BytesIO(catalog_xlsx(index))).active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert any(c.value == hyperlink for c in cells)


def test_names_in_the_pack_open_on_windows(ward, runner, tmp_path):
    """Issue 13, finding 12: `Case.pdf` beside `case.pdf`, and `CON.pdf`, collided or failed on Windows."""
    approve(tmp_path, "CCHC-1.3-a", "Case.pdf")
    approve(tmp_path, "CCHC-1.3-b", "case.pdf")
    approve(tmp_path, "CCHC-1.3-c", "CON.pdf")
    out = tmp_path / "pack.zip"
    assert runner.invoke(args=["pack", "--out", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        names = [n for n in archive.namelist() if n.startswith("CCHC-2024/1.3/")]
    assert sorted(names) == ["CCHC-2024/1.3/CON_.pdf", "CCHC-2024/1.3/Case.pdf", "CCHC-2024/1.3/case (2).pdf"]
