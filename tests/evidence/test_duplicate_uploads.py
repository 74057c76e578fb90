"""The same file is one document, however it arrives (issue 13, findings 11 and 12): sent to several items at
the same moment it is stored once and linked to each; sent again where it is linked already, nothing changes and
nothing is recorded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document, Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, User
from tests.evidence import corpus


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_one_new_file_sent_to_every_item_at_once_is_one_document(app, ward, tmp_path):
    path = corpus.pdf(tmp_path, "ke-hoach.pdf", pages=2)
    user_id = db.session.execute(select(User.id).where(User.username == "cb-vp-tk")).scalar_one()
    item_ids = (
        db.session.execute(select(ChecklistItem.id).where(ChecklistItem.unit_id == ward.id).order_by(ChecklistItem.id))
        .scalars()
        .all()
    )
    db.session.remove()  # the threads' sessions must not wait on this one's open read

    def send(item_id: int) -> bool:
        with app.app_context():
            result = upload_document(
                path,
                "ke-hoach.pdf",
                user=db.session.get(User, user_id),
                items=[db.session.get(ChecklistItem, item_id)],
                fields=DocumentFields(number="12/KH"),
            )
            deduplicated = result.deduplicated
            db.session.remove()
            return deduplicated

    with ThreadPoolExecutor(max_workers=len(item_ids)) as pool:
        outcomes = list(pool.map(send, item_ids))

    assert len(item_ids) >= 4
    assert sorted(outcomes) == [False] + [True] * (len(item_ids) - 1), "one upload stored it, the others found it"
    assert count(Document) == 1
    assert {e.item_id for e in db.session.execute(select(Evidence)).scalars()} == set(item_ids)


def test_a_file_sent_again_where_it_is_linked_already_records_nothing(ward, tmp_path):
    path = corpus.pdf(tmp_path, "ke-hoach.pdf")
    staff = db.session.execute(select(User).where(User.username == "cb-vp-tk")).scalar_one()
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.2-a")).scalar_one()
    upload_document(path, "ke-hoach.pdf", user=staff, items=[item], fields=DocumentFields())
    events = count(AuditEvent)
    again = upload_document(path, "ke-hoach.pdf", user=staff, items=[item], fields=DocumentFields())
    assert again.deduplicated and again.new_links == []
    assert count(AuditEvent) == events and count(Evidence) == 1
