"""What staff do every day: their list (overdue first, then by due date, with the state and the reviewer's
reason), linking a document already uploaded, correcting or deleting their own upload before review."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document, Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.evidence.work import my_work, reminders
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, User
from evidence_app.review.operations import decide
from tests.evidence import corpus
from tests.helpers import login


def user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def item(code):
    return db.session.execute(select(ChecklistItem).where(ChecklistItem.code == code)).scalar_one()


def upload(tmp_path, code, by, pages=1, **fields):
    path = corpus.pdf(tmp_path, f"{code}-{pages}.pdf", pages=pages)
    return upload_document(path, path.name, user=user(by), items=[item(code)], fields=DocumentFields(**fields))


def test_my_work_is_ordered_overdue_first_then_by_due_date(ward, tmp_path):
    today = date(2024, 6, 1)
    work = my_work(user("cb-vp-tk"), today)
    # vp-tk owns CCHC-1.1-a (due 14/03), CCHC-1.1-b (due 05/12) and CCHC-2.1-a (due 30/11)
    assert [w.item.code for w in work] == ["CCHC-1.1-a", "CCHC-2.1-a", "CCHC-1.1-b"]
    assert [w.state for w in work] == ["missing"] * 3
    assert work[0].overdue(today) and not work[1].overdue(today)
    found = reminders(work, today)
    assert [w.item.code for w in found.overdue] == ["CCHC-1.1-a"] and found.due_soon == []
    found = reminders(my_work(user("cb-vp-tk"), date(2024, 11, 25)), date(2024, 11, 25))
    assert [w.item.code for w in found.due_soon] == ["CCHC-2.1-a"]


def test_my_work_page_shows_states_and_the_reason_for_sending_back(ward, tmp_path, client):
    evidence = upload(tmp_path, "CCHC-2.1-a", "cb-vp-tk").new_links[0]
    decide(
        evidence,
        user("reviewer"),
        "changes_requested",
        expected_version=evidence.version,
        reason_code="incomplete",
        comment="Thiếu biểu số liệu kèm theo",
    )
    upload(tmp_path, "CCHC-1.1-a", "cb-vp-tk", number="35/BC-UBND", sent_date=date(2024, 3, 12))
    login(client, "cb-vp-tk")
    page = client.get("/my").get_data(as_text=True)
    assert "cần bổ sung" in page and "thiếu trang / không đầy đủ — Thiếu biểu số liệu kèm theo" in page
    assert "chờ duyệt" in page and "chưa có" in page
    assert "mục bị trả lại, cần tài liệu mới" in page
    assert "CCHC-1.2-a" not in page, "another department's item"


def test_link_an_existing_document_instead_of_uploading_again(ward, tmp_path, client):
    document = upload(tmp_path, "CCHC-2.1-a", "cb-vp-tk", number="12/TB-UBND", summary="Thống kê số hoá hồ sơ").document
    login(client, "cb-vh-tt")
    target = item("CCHC-1.2-a")
    page = client.get(f"/items/{target.id}?q=12/TB").get_data(as_text=True)
    assert document.filename in page and "Gắn vào mục này" in page
    response = client.post(f"/items/{target.id}/link", data={"document_id": document.id})
    assert response.status_code == 303
    links = db.session.execute(select(Evidence).where(Evidence.document_id == document.id)).scalars().all()
    assert sorted(e.item.code for e in links) == ["CCHC-1.2-a", "CCHC-2.1-a"]
    assert [e.state for e in links] == ["submitted", "submitted"], "each link is reviewed for its own item"
    assert (
        db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc())).scalars().first()
        == "document.link"
    )
    page = client.get(f"/items/{target.id}?q=12/TB").get_data(as_text=True)
    assert "Không có tài liệu phù hợp" in page, "already linked here"


def test_staff_edit_and_delete_only_their_own_pending_uploads(ward, tmp_path, app):
    mine = upload(tmp_path, "CCHC-2.1-a", "cb-vp-tk", number="1/KH")
    reviewed = upload(tmp_path, "CCHC-2.1-a", "cb-vp-tk", pages=2)
    decide(reviewed.new_links[0], user("reviewer"), "approved", expected_version=1)
    owner, colleague = app.test_client(), app.test_client()
    login(owner, "cb-vp-tk")
    login(colleague, "cb-vh-tt")

    assert colleague.get(f"/documents/{mine.document.id}/edit").status_code == 403
    assert colleague.post(f"/documents/{mine.document.id}/delete").status_code == 403
    assert owner.get(f"/documents/{reviewed.document.id}/edit").status_code == 403, "already reviewed"
    assert owner.post(f"/documents/{reviewed.document.id}/delete").status_code == 403

    response = owner.post(
        f"/documents/{mine.document.id}/edit", data={"number": "2/KH-UBND", "issue_date": "03/01/2024"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Document, mine.document.id).number == "2/KH-UBND"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "document.update")).scalar_one()
    assert event.data["number"] == ["1/KH", "2/KH-UBND"]

    assert owner.post(f"/documents/{mine.document.id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(Document, mine.document.id).deleted_at is not None
    assert owner.get(f"/documents/{mine.document.id}/download").status_code == 404
    assert [w.state for w in my_work(user("cb-vp-tk"), date(2024, 1, 1)) if w.item.code == "CCHC-2.1-a"] == ["approved"]
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "document.delete")).scalar_one()
