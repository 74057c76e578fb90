"""Reviewing evidence: approve or send back with a coded reason, never one's own upload, never over someone
else's decision; several at once; every step in the audit trail; a resubmission keeps the earlier version."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from evidence_app import audit
from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document, Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.evidence.work import my_work
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, Review, User
from evidence_app.review.operations import ReviewConflict, ReviewRefused, decide
from tests.evidence import corpus
from tests.helpers import login


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def item(code: str) -> ChecklistItem:
    return db.session.execute(select(ChecklistItem).where(ChecklistItem.code == code)).scalar_one()


def upload(tmp_path, code="CCHC-1.2-a", by="cb-vp-tk", pages=1, name="ke-hoach.pdf") -> Evidence:
    path = corpus.pdf(tmp_path, f"{pages}-{name}", pages=pages)
    result = upload_document(path, name, user=user(by), items=[item(code)], fields=DocumentFields(number=f"{pages}/KH"))
    return result.new_links[0]


def test_approve_and_send_back_with_a_coded_reason(ward, tmp_path):
    first, second = upload(tmp_path, pages=1), upload(tmp_path, pages=2)
    decide(first, user("reviewer"), "approved", expected_version=first.version)
    decide(
        second,
        user("reviewer"),
        "changes_requested",
        expected_version=second.version,
        reason_code="unsigned",
        comment="Chưa có chữ ký số của Chủ tịch",
    )
    assert (first.state, second.state) == ("approved", "changes_requested")
    reviews = db.session.execute(select(Review).order_by(Review.id)).scalars().all()
    assert [(r.decision, r.reason_code, r.comment) for r in reviews] == [
        ("approved", None, None),
        ("changes_requested", "unsigned", "Chưa có chữ ký số của Chủ tịch"),
    ]
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions[-2:] == ["review.approved", "review.changes_requested"]
    assert audit.verify_chain()[1] is None


@pytest.mark.parametrize(
    "reason, comment, code",
    [(None, None, "reason_required"), ("nonsense", None, "reason_required"), ("other", "", "comment_required")],
)
def test_sending_back_needs_a_reason(ward, tmp_path, reason, comment, code):
    evidence = upload(tmp_path)
    with pytest.raises(ReviewRefused) as info:
        decide(
            evidence,
            user("reviewer"),
            "changes_requested",
            expected_version=evidence.version,
            reason_code=reason,
            comment=comment,
        )
    assert info.value.code == code and evidence.state == "submitted"


def test_a_reviewer_never_decides_on_their_own_upload(ward, tmp_path, client):
    evidence = upload(tmp_path, by="reviewer")
    with pytest.raises(ReviewRefused) as info:
        decide(evidence, user("reviewer"), "approved", expected_version=evidence.version)
    assert info.value.code == "own_upload"
    login(client, "reviewer")
    page = client.get(f"/review/{evidence.id}").get_data(as_text=True)
    assert 'id="approve"' not in page and "tự tải lên" in page
    response = client.post(f"/review/{evidence.id}", data={"decision": "approved", "version": evidence.version})
    assert response.status_code == 403
    response = client.post("/review/bulk", data={"selected": f"{evidence.id}:{evidence.version}"})
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).state == "submitted" and db.session.query(Review).count() == 0


def test_staff_cannot_review(ward, tmp_path, client):
    evidence = upload(tmp_path, by="reviewer")
    with pytest.raises(ReviewRefused):
        decide(evidence, user("cb-vp-tk"), "approved", expected_version=evidence.version)
    login(client, "cb-vp-tk")
    assert client.get("/review/").status_code == 403
    assert client.post(f"/review/{evidence.id}", data={"decision": "approved", "version": 1}).status_code == 403


def test_two_reviewers_at_once_the_second_is_told(ward, tmp_path, app):
    evidence = upload(tmp_path)
    seen_version = evidence.version
    first = app.test_client()
    second = app.test_client()
    login(first, "reviewer")
    login(second, "reviewer2")
    assert second.get(f"/review/{evidence.id}").status_code == 200  # both have the page open
    response = first.post(
        f"/review/{evidence.id}",
        data={"decision": "changes_requested", "version": seen_version, "reason": "illegible", "comment": "Ảnh mờ"},
    )
    assert response.status_code == 303
    response = second.post(
        f"/review/{evidence.id}", data={"decision": "approved", "version": seen_version}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Một người duyệt khác" in page and "reviewer" in page
    db.session.expire_all()
    evidence = db.session.get(Evidence, evidence.id)
    assert evidence.state == "changes_requested"
    assert [r.reviewer.username for r in db.session.execute(select(Review)).scalars()] == ["reviewer"]
    with pytest.raises(ReviewConflict):
        decide(evidence, user("reviewer2"), "approved", expected_version=seen_version)


def test_approve_several_at_once(ward, tmp_path, client):
    mine = upload(tmp_path, by="reviewer", pages=4)
    evidence = [upload(tmp_path, pages=n) for n in (1, 2, 3)]
    login(client, "reviewer")
    page = client.get("/review/").get_data(as_text=True)
    order = [int(m) for m in re.findall(r"/review/(\d+)\?", page) or re.findall(r'/review/(\d+)"', page)]
    assert order[:4] == [mine.id] + [e.id for e in evidence], "oldest first"
    stale = evidence[2]
    decide(db.session.get(Evidence, stale.id), user("reviewer2"), "approved", expected_version=stale.version)
    response = client.post(
        "/review/bulk", data={"selected": [f"{e.id}:1" for e in evidence] + [f"{mine.id}:1"]}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "2 tài liệu đã được duyệt" in page and "ke-hoach.pdf" in page
    db.session.expire_all()
    assert [db.session.get(Evidence, e.id).state for e in evidence] == ["approved"] * 3
    assert db.session.get(Evidence, mine.id).state == "submitted"


def test_queue_filters_and_next_document(ward, tmp_path, client):
    a = upload(tmp_path, code="CCHC-1.2-a", pages=1)
    b = upload(tmp_path, code="CCHC-2.1-a", pages=2)
    login(client, "reviewer")
    area_1 = item("CCHC-1.2-a").criterion.area_id
    page = client.get(f"/review/?area={area_1}").get_data(as_text=True)
    assert f"/review/{a.id}" in page and f"/review/{b.id}" not in page
    page = client.get(f"/review/?uploader={user('reviewer').id}").get_data(as_text=True)
    assert "Không có tài liệu nào chờ duyệt" in page
    response = client.post(f"/review/{a.id}", data={"decision": "approved", "version": a.version})
    assert response.headers["Location"].startswith(f"/review/{b.id}"), "the next document opens after a decision"


def test_resubmission_keeps_every_version_and_its_review(ward, tmp_path, client):
    first = upload(tmp_path, code="CCHC-2.1-a", pages=1)
    decide(first, user("reviewer"), "changes_requested", expected_version=first.version, reason_code="out_of_period")
    [work] = [w for w in my_work(user("cb-vp-tk"), date(2024, 4, 1)) if w.item.code == "CCHC-2.1-a"]
    assert work.state == "changes_requested" and work.last_review.reason_code == "out_of_period"
    second = upload(tmp_path, code="CCHC-2.1-a", pages=2)
    assert second.replaces_id == first.id
    login(client, "cb-vp-tk")
    page = client.get(f"/items/{item('CCHC-2.1-a').id}").get_data(as_text=True)
    assert "ngoài kỳ đánh giá" in page and "phiên bản mới" in page and "chờ duyệt" in page
    decide(second, user("reviewer"), "approved", expected_version=second.version)
    [work] = [w for w in my_work(user("cb-vp-tk"), date(2024, 4, 1)) if w.item.code == "CCHC-2.1-a"]
    assert work.state == "approved"
    assert db.session.get(Evidence, first.id).state == "changes_requested", "the earlier version is kept as it was"
    assert db.session.query(Document).count() == 2
