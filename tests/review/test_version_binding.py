"""A decision is bound to the version the reviewer saw (issue 13, finding 4): any change of a document's metadata
or of the items it is offered for moves its links to a new version in the same transaction, and an approval or
send-back naming an older version is refused with what changed; an edit racing an approval never lands on the
approved data."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from evidence_app.evidence.models import Document, Evidence, Review
from evidence_app.evidence.operations import DocumentFields, NotEditable, link_document, update_document
from evidence_app.extensions import db
from evidence_app.review.operations import ChangedSinceSeen, decide
from tests.api.test_api import Api, item_id
from tests.api.test_api import upload as api_upload
from tests.helpers import login
from tests.review.test_review import item, upload, user


def fresh(evidence: Evidence) -> Evidence:
    db.session.expire_all()
    return db.session.get(Evidence, evidence.id)


def test_every_change_of_what_reviewers_see_moves_the_version(ward, tmp_path):
    evidence = upload(tmp_path)
    assert evidence.version == 1
    document, staff = evidence.document, user("cb-vp-tk")
    update_document(document, DocumentFields(number="1/KH", sent_date=None), staff)  # nothing changed
    assert fresh(evidence).version == 1
    update_document(document, DocumentFields(number="2/KH"), staff)
    assert fresh(evidence).version == 2
    update_document(document, DocumentFields(number="2/KH", issuer="UBND phường"), staff)
    assert fresh(evidence).version == 3
    other = link_document(document, [item("CCHC-1.1-a")], staff)[0]
    assert fresh(evidence).version == 4, "the items it is offered for are part of what is seen"
    assert fresh(other).version == 1
    with pytest.raises(ChangedSinceSeen) as refused:
        decide(fresh(evidence), user("reviewer"), "approved", expected_version=1)
    assert refused.value.changed == [
        {"field": "number", "old": "1/KH", "new": "2/KH"},
        {"field": "issuer", "old": None, "new": "UBND phường"},
        {"field": "items", "old": ["CCHC-1.2-a"], "new": ["CCHC-1.1-a", "CCHC-1.2-a"]},
    ]
    assert refused.value.status == 409
    assert db.session.execute(select(Review)).first() is None
    decide(fresh(evidence), user("reviewer"), "approved", expected_version=4)
    assert fresh(evidence).state == "approved"


def test_the_review_page_shows_what_changed_and_the_current_version(ward, tmp_path, app):
    evidence = upload(tmp_path)
    reviewer, staff = app.test_client(), app.test_client()
    login(reviewer, "reviewer")
    login(staff, "cb-vp-tk")
    assert 'name="version" value="1"' in reviewer.get(f"/review/{evidence.id}").get_data(as_text=True)
    edited = staff.post(
        f"/documents/{evidence.document_id}/edit", data={"number": "9/BC-UBND", "sent_date": "05/03/2024"}
    )
    assert edited.status_code == 303
    response = reviewer.post(f"/review/{evidence.id}", data={"decision": "approved", "version": 1})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Tài liệu đã được sửa sau khi anh/chị mở" in page
    assert "Số, ký hiệu" in page and "1/KH" in page and "9/BC-UBND" in page
    assert "Ngày gửi" in page and "05/03/2024" in page
    assert 'name="version" value="2"' in page, "the current version, ready to decide on"
    assert fresh(evidence).state == "submitted"
    sent_back = reviewer.post(
        f"/review/{evidence.id}", data={"decision": "changes_requested", "version": 1, "reason": "unsigned"}
    )
    assert sent_back.status_code == 409, "a send-back is bound to the version seen too"
    assert reviewer.post(f"/review/{evidence.id}", data={"decision": "approved", "version": 2}).status_code == 303
    assert fresh(evidence).state == "approved"


def test_the_api_answers_409_with_the_changes(app, ward, tmp_path):
    staff, reviewer = Api(app, "cb-vp-tk"), Api(app, "reviewer")
    evidence = api_upload(staff, tmp_path, number="1/KH").json["evidence"][0]
    document_url = f"/documents/{evidence['document_id']}"
    assert staff.patch(document_url, json={"number": "2/KH", "sent_date": "2024-03-05"}).status_code == 200
    assert (
        staff.post(f"/items/{item_id('CCHC-1.1-a')}/links", json={"document_id": evidence["document_id"]}).status_code
        == 201
    )
    stale = reviewer.post(f"/evidence/{evidence['id']}/decision", json={"decision": "approved", "version": 1})
    assert stale.status_code == 409
    error = stale.json["error"]
    assert error["code"] == "changed_since_seen" and "sau khi" in error["message"]
    assert error["current"] == {"state": "submitted", "version": 3}
    assert error["changed"] == [
        {"field": "number", "old": "1/KH", "new": "2/KH"},
        {"field": "sent_date", "old": None, "new": "2024-03-05"},
        {"field": "items", "old": ["CCHC-1.2-a"], "new": ["CCHC-1.1-a", "CCHC-1.2-a"]},
    ]
    assert reviewer.get(f"/evidence/{evidence['id']}").json["version"] == 3
    decided = reviewer.post(f"/evidence/{evidence['id']}/decision", json={"decision": "approved", "version": 3})
    assert decided.status_code == 200


def test_after_a_decision_the_document_stays_as_it_was_decided(app, ward, tmp_path):
    """Editing after a decision: refused on the pages, the API and the service alike; a link to another item is
    still allowed (a new version to review) and leaves the decided one as it is."""
    evidence = upload(tmp_path)
    decide(evidence, user("reviewer"), "approved", expected_version=1)
    staff = app.test_client()
    login(staff, "cb-vp-tk")
    assert staff.post(f"/documents/{evidence.document_id}/edit", data={"number": "2/KH"}).status_code == 403
    assert Api(app, "cb-vp-tk").patch(f"/documents/{evidence.document_id}", json={"number": "2/KH"}).status_code == 403
    with pytest.raises(NotEditable):
        update_document(fresh(evidence).document, DocumentFields(number="2/KH"), user("cb-vp-tk"))
    other = link_document(fresh(evidence).document, [item("CCHC-1.1-a")], user("cb-vp-tk"))[0]
    assert (fresh(evidence).version, fresh(evidence).state, fresh(other).version) == (2, "approved", 1)
    assert db.session.get(Document, evidence.document_id).number == "1/KH"


def test_a_document_deleted_after_it_was_opened_is_not_decided(ward, tmp_path, app):
    evidence = upload(tmp_path)
    reviewer, staff = app.test_client(), app.test_client()
    login(reviewer, "reviewer")
    login(staff, "cb-vp-tk")
    assert staff.post(f"/documents/{evidence.document_id}/delete", data={}).status_code == 303
    assert reviewer.post(f"/review/{evidence.id}", data={"decision": "approved", "version": 1}).status_code == 404
    with pytest.raises(Exception) as refused:
        decide(fresh(evidence), user("reviewer"), "approved", expected_version=2)
    assert getattr(refused.value, "status", None) == 404
    assert fresh(evidence).state == "submitted"


@pytest.mark.parametrize("first", ["edit", "approval"])
def test_an_edit_racing_an_approval_never_lands_on_the_approved_data(app, ward, tmp_path, first):
    """Two threads, two connections. The one named `first` reads and passes its checks, then waits (up to two
    seconds) for the other to finish before it writes: without the row lock and the version moved by the edit,
    both succeeded and the approval covered metadata the reviewer never saw."""
    staff, reviewer = Api(app, "cb-vp-tk"), Api(app, "reviewer")
    evidence = api_upload(staff, tmp_path, number="1/KH").json["evidence"][0]
    db.session.commit()  # the test's own connection holds nothing while the threads run
    other_done = threading.Event()
    results: dict[str, object] = {}

    def hold_the_first(session, _context, _instances):
        writing = any(isinstance(o, (Document, Evidence)) for o in session.dirty)
        if writing and threading.current_thread().name == first and not session.info.get("held"):
            session.info["held"] = True
            other_done.wait(2)

    def edit():
        results["edit"] = staff.patch(f"/documents/{evidence['document_id']}", json={"number": "2/KH"})

    def approve():
        results["approval"] = reviewer.post(
            f"/evidence/{evidence['id']}/decision", json={"decision": "approved", "version": 1}
        )

    def run(name, target):
        def body():
            target()
            if name != first:
                other_done.set()

        return threading.Thread(target=body, name=name)

    event.listen(Session, "before_flush", hold_the_first)
    try:
        threads = {"edit": run("edit", edit), "approval": run("approval", approve)}
        threads[first].start()
        threading.Event().wait(0.3)  # the first is past its checks and waiting
        threads["approval" if first == "edit" else "edit"].start()
        for t in threads.values():
            t.join(30)
    finally:
        event.remove(Session, "before_flush", hold_the_first)

    edited, approved = results["edit"].status_code, results["approval"].status_code
    db.session.expire_all()
    document = db.session.get(Document, evidence["document_id"])
    state = db.session.get(Evidence, evidence["id"]).state
    if approved == 200:
        assert edited in (403, 409), "the edit is refused: the document was decided"
        assert (document.number, state) == ("1/KH", "approved"), "approved as the reviewer saw it"
    else:
        assert (approved, edited) == (409, 200)
        assert results["approval"].json["error"]["code"] == "changed_since_seen"
        assert (document.number, state) == ("2/KH", "submitted")
