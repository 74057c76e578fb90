"""The admin pages: upload the results (a dry run first, then apply), and decide on the proposals."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem, Index
from evidence_app.cycle.models import CriterionResult, Proposal, ResultSet
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, User
from tests.cycle.sheets import write_xlsx
from tests.helpers import import_file, login, make_unit, make_user

ROWS = [
    ["STT", "Tiêu chí / mã", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Điểm chốt", "Giải trình / ghi chú"],
    [1, "1.1", 4, 4, 2, 2, "Báo cáo CCHC Quý I quá hạn; Thiếu minh chứng tuyên truyền"],
    [2, "1.2", 8, 8, 8, 8, None],
    [3, "2.1", 7.5, 7.5, 7.5, 7.5, None],
]


def csrf(client, url):
    """The page's CSRF token (the test configuration turns CSRF off, so usually none; tests/test_csrf covers it)."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))
    return found.group(1) if found else ""


@pytest.fixture
def setup(app, catalog_dict, write_catalog, tmp_path):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)  # CCHC 2024: results of 2023 are its last year
    make_user(unit, "admin", role="admin")
    make_user(unit, "staff", role="staff", departments=["vp-tk"])
    client = app.test_client()
    login(client, "admin")
    return unit, client, write_xlsx(tmp_path / "ket-qua.xlsx", ROWS)


def test_upload_shows_the_changes_then_applies_them(setup):
    unit, client, sheet = setup
    token = csrf(client, "/admin/results")
    with open(sheet, "rb") as f:
        page = client.post(
            "/admin/results",
            data={"csrf_token": token, "index_code": "CCHC", "year": "2023", "file": (f, "ket-qua.xlsx")},
            content_type="multipart/form-data",
        )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "CCHC 2024" in html and "Báo cáo định kỳ nộp quá hạn hoặc không nộp" in html
    assert db.session.query(ResultSet).count() == 0, "the upload is a dry run"
    apply = dict(
        re.findall(
            r'<input id="(?:\w+)" name="(\w+)" type="hidden" value="([^"]*)"',
            html.split('action="/admin/results/apply"')[1].split("</form>")[0],
        )
    )
    assert set(apply) >= {"filename", "content", "index_code", "year"}
    response = client.post("/admin/results/apply", data=apply)
    assert response.status_code == 303
    index = db.session.execute(select(Index)).scalar_one()
    assert response.headers["Location"] == f"/admin/proposals?index={index.id}"
    assert db.session.query(CriterionResult).count() == 3
    proposals = db.session.execute(select(Proposal).order_by(Proposal.id)).scalars().all()
    assert [(p.criterion.code, p.cause_type) for p in proposals] == [
        ("1.1", "late_report"),
        ("1.1", "missing_evidence"),
        ("1.1", "self_score_deviation"),
    ]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Báo cáo CCHC Quý I quá hạn" in page and page.count('value="accept"') == 3


def test_a_bad_file_names_the_row_and_writes_nothing(setup, tmp_path):
    unit, client, _sheet = setup
    bad = write_xlsx(tmp_path / "bad.xlsx", [ROWS[0], [1, "1.1", 4, 4, 2, 5, None]])
    token = csrf(client, "/admin/results")
    with open(bad, "rb") as f:
        page = client.post(
            "/admin/results",
            data={"csrf_token": token, "index_code": "CCHC", "year": "2023", "file": (f, "bad.xlsx")},
            content_type="multipart/form-data",
        )
    assert page.status_code == 422
    assert (
        "bad.xlsx, trang tính «Sheet», dòng 4, cột F (Điểm chốt): điểm 5 của tiêu chí 1.1 vượt điểm tối đa 4; "
        "sửa điểm trong tệp" in page.get_data(as_text=True)
    )
    assert db.session.query(ResultSet).count() == 0


def _import(unit):
    import io

    from openpyxl import Workbook

    from evidence_app.cycle.operations import import_results

    book = Workbook()
    for row in ROWS:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    import_results(unit, "CCHC", 2023, "kq.xlsx", data=buffer.getvalue())
    db.session.commit()


def test_accept_after_editing_discard_and_only_accepted_items_go_live(setup):
    unit, client, _sheet = setup
    _import(unit)
    late, evidence, review = db.session.execute(select(Proposal).order_by(Proposal.id)).scalars().all()
    items_before = db.session.query(ChecklistItem).count()
    token = csrf(client, "/admin/proposals")
    vh_tt = next(d for d in unit.departments if d.code == "vh-tt")
    response = client.post(
        f"/admin/proposals/{late.id}",
        data={
            f"p{late.id}-csrf_token": token,
            f"p{late.id}-title": "Báo cáo CCHC Quý I/2024 (ký số)",
            f"p{late.id}-checks": "Ký số; số hiệu; ngày gửi trước 15/03/2024",
            f"p{late.id}-owner": vh_tt.id,
            f"p{late.id}-due": "14/03/2024",
            f"p{late.id}-action": "accept",
        },
    )
    assert response.status_code == 303
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.origin == "proposal")).scalar_one()
    assert (
        item.code,
        item.title,
        item.owner_department.code,
        item.due_date.isoformat(),
        item.report_deadline.isoformat(),
    ) == ("CCHC-1.1-r1", "Báo cáo CCHC Quý I/2024 (ký số)", "vh-tt", "2024-03-14", "2024-03-14")
    assert (
        client.post(
            f"/admin/proposals/{evidence.id}",
            data={f"p{evidence.id}-csrf_token": token, f"p{evidence.id}-action": "discard"},
        ).status_code
        == 303
    )
    assert db.session.query(ChecklistItem).count() == items_before + 1, "only the accepted proposal became an item"
    db.session.expire_all()
    assert [p.state for p in db.session.execute(select(Proposal).order_by(Proposal.id)).scalars()] == [
        "accepted",
        "discarded",
        "proposed",
    ]
    assert {e.action for e in db.session.execute(select(AuditEvent)).scalars()} >= {
        "proposal.update",
        "proposal.accept",
        "proposal.discard",
    }
    edit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "proposal.update")).scalar_one()
    assert db.session.get(User, edit.actor_id).username == "admin" and edit.object_id == late.id
    assert edit.data["changed"]["title"][1] == "Báo cáo CCHC Quý I/2024 (ký số)"
    # the Q1 report was proposed due on the rubric's Q1 deadline already: the due date did not change
    assert edit.data["changed"]["owner"][1] == "vh-tt" and "due" not in edit.data["changed"]
    # a decided proposal cannot be decided again
    client.post(
        f"/admin/proposals/{late.id}",
        data={
            f"p{late.id}-csrf_token": token,
            f"p{late.id}-action": "discard",
            f"p{late.id}-title": "x",
            f"p{late.id}-checks": "x",
            f"p{late.id}-owner": vh_tt.id,
        },
    )
    db.session.expire_all()
    assert db.session.get(Proposal, late.id).state == "accepted"
    # the item is live on the staff's list; running the proposals again proposes nothing twice
    _import(unit)
    assert db.session.query(Proposal).count() == 3
    make_user(unit, "culture", role="staff", departments=["vh-tt"])
    page = app_client_for(client.application, "culture").get("/my")
    assert "Báo cáo CCHC Quý I/2024 (ký số)" in page.get_data(as_text=True)


def app_client_for(app, username):
    other = app.test_client()
    login(other, username)
    return other


def test_causes_corrected_by_hand_replace_the_undecided_proposals(setup):
    unit, client, _sheet = setup
    _import(unit)
    row = db.session.execute(
        select(CriterionResult).join(CriterionResult.criterion).where(CriterionResult.final_score == 2)
    ).scalar_one()
    token = csrf(client, "/admin/proposals")
    response = client.post(
        f"/admin/results/rows/{row.id}/causes",
        data={
            "csrf_token": token,
            "cause-0": "late_report",
            "cause-1": "equipment_missing",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert [c["type"] for c in db.session.get(CriterionResult, row.id).causes] == [
        "late_report",
        "equipment_missing",
    ]
    kinds = sorted((p.cause_type, p.title.split(":")[0]) for p in db.session.execute(select(Proposal)).scalars())
    # the index's self-score deviation (19.5 self-scored against 17.5 appraised) is not the row's: it stays
    assert kinds == [
        ("equipment_missing", "Hồ sơ mua sắm hoặc biên bản lắp đặt, bàn giao"),
        ("equipment_missing", "Ảnh chụp thiết bị, hệ thống đã lắp đặt và đang vận hành"),
        ("late_report", "Báo cáo CCHC Quý I/2024"),
        ("self_score_deviation", "Biên bản rà soát bảng tự chấm điểm CCHC trước khi nộp năm 2024"),
    ]
    # a re-import with the same note keeps the correction
    _import(unit)
    db.session.expire_all()
    assert [c["type"] for c in db.session.get(CriterionResult, row.id).causes][1] == "equipment_missing"


def test_staff_and_reviewers_may_not_use_the_pages(setup, app):
    unit, _client, _sheet = setup
    staff = app_client_for(app, "staff")
    for url in ("/admin/results", "/admin/proposals"):
        assert staff.get(url).status_code == 403
