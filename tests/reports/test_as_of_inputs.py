"""The inputs that are changed in place (an item's owner department, self-scores, a document's metadata) keep
their earlier values in undo logs, written by the services every path goes through (the pages, the API, a
rubric import), so that the report reads them as they stood at the end of any day. The logs are append-only."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from checklists import load_catalog
from evidence_app.catalog.assignments import assign_item
from evidence_app.catalog.models import AssignmentHistory, ChecklistItem, Criterion, Index, SelfScore, SelfScoreHistory
from evidence_app.catalog.operations import import_catalog
from evidence_app.clock import frozen_at
from evidence_app.evidence.models import DocumentHistory
from evidence_app.evidence.operations import DocumentFields, metadata_as_of, upload_document
from evidence_app.evidence.states import item_summaries
from evidence_app.extensions import db
from evidence_app.models import Department, User
from evidence_app.reports.queries import end_of_day, indices_status
from tests.evidence import corpus
from tests.helpers import login

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_1, DAY_2, DAY_3 = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)
EDITED = date(2024, 3, 25)  # the day a report's sending date is corrected: it was sent late


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VIETNAM)


def one(model, **where):
    return db.session.execute(select(model).filter_by(**where)).scalar_one()


def status(day: date):
    """The criteria of the (only) index as the report's query layer reads them as of `day`."""
    index = db.session.execute(select(Index)).scalar_one()
    criteria, _departments = indices_status([index.id], day)[index.id]
    return {c.code: c for c in criteria}


def owner(day: date, item_code: str) -> str:
    return next(i.owner for c in status(day).values() for i in c.items if i.code == item_code)


def assert_never_updated(row) -> None:
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.update(type(row)).where(type(row).id == row.id).values(changed_by_id=None))
        db.session.flush()
    db.session.rollback()


def test_a_reassignment_on_the_admin_page_keeps_the_former_owner(ward, client):
    item = one(ChecklistItem, code="CCHC-1.2-a")
    vp_tk, staff = one(Department, code="vp-tk"), one(User, username="cb-vp-tk")
    login(client, "admin")
    with frozen_at(at(DAY_2)):
        for _ in range(2):  # the second time changes nothing, and writes nothing
            response = client.post(
                f"/admin/items/{item.id}/assign", data={"owner_department": vp_tk.id, "assignee": staff.id}
            )
            assert response.status_code == 303
    [change] = db.session.execute(select(AssignmentHistory)).scalars().all()
    assert (change.item_id, change.owner_department_id, change.assignee_id) == (
        item.id,
        one(Department, code="vh-tt").id,
        None,
    )
    assert change.changed_at == at(DAY_2) and change.changed_by_id == one(User, username="admin").id
    assert owner(DAY_1, "CCHC-1.2-a") == "vh-tt" and owner(DAY_2, "CCHC-1.2-a") == "vp-tk"
    assert_never_updated(change)


def test_a_rubric_import_that_moves_an_item_keeps_the_former_owner(ward, catalog_dict, write_catalog):
    catalog_dict["areas"][1]["criteria"][0]["items"][0]["owner"] = "vh-tt"  # CCHC-2.1-a, from vp-tk
    with frozen_at(at(DAY_2)):
        import_catalog(load_catalog(write_catalog(catalog_dict)), ward, source="moved.yaml")
        db.session.commit()
    [change] = db.session.execute(select(AssignmentHistory)).scalars().all()
    assert change.owner_department_id == one(Department, code="vp-tk").id and change.changed_at == at(DAY_2)
    assert owner(DAY_1, "CCHC-2.1-a") == "vp-tk" and owner(DAY_2, "CCHC-2.1-a") == "vh-tt"


def test_self_scores_as_they_stood(ward, client):
    c11, c12 = one(Criterion, code="1.1"), one(Criterion, code="1.2")
    login(client, "reviewer")
    with frozen_at(at(DAY_1)):
        assert client.post(f"/catalog/criteria/{c11.id}/self-score", data={"score": "3,5"}).status_code == 303
    with frozen_at(at(DAY_2)):
        for _ in range(2):  # saved twice: one change
            assert (
                client.post(
                    f"/catalog/criteria/{c11.id}/self-score", data={"score": "3", "note": "Thiếu báo cáo Quý I"}
                ).status_code
                == 303
            )
    # a self-score from before its history was kept: first entered on day 3, no log
    db.session.add(SelfScore(criterion_id=c12.id, round=1, score=Decimal(8), entered_at=at(DAY_3)))
    db.session.commit()
    created, changed = db.session.execute(select(SelfScoreHistory).order_by(SelfScoreHistory.id)).scalars().all()
    assert (created.score, created.changed_at) == (None, at(DAY_1))
    assert (changed.score, changed.note, changed.changed_at) == (Decimal("3.5"), None, at(DAY_2))
    assert [
        (s["1.1"].self_score, s["1.2"].self_score) for s in map(status, (date(2024, 3, 3), DAY_1, DAY_2, DAY_3))
    ] == [(None, None), (Decimal("3.5"), None), (Decimal(3), None), (Decimal(3), Decimal(8))]
    assert_never_updated(changed)


def test_a_documents_metadata_as_it_stood(ward, client, tmp_path):
    staff = one(User, username="cb-vp-tk")
    report = one(ChecklistItem, code="CCHC-1.1-a")  # deadline 14/03
    with frozen_at(at(DAY_1)):
        document = upload_document(
            corpus.pdf(tmp_path),
            "Báo cáo quý I.pdf",
            user=staff,
            items=[report],
            fields=DocumentFields(number="35/BC-UBND", sent_date=date(2024, 3, 1)),
        ).document
    login(client, "cb-vp-tk")
    with frozen_at(at(EDITED)):
        response = client.post(
            f"/documents/{document.id}/edit",
            data={"number": "35a/BC-UBND", "issuer": "UBND phường", "sent_date": "20/03/2024"},
        )
        assert response.status_code == 303, response.get_data(as_text=True)
    [change] = db.session.execute(select(DocumentHistory)).scalars().all()
    assert (change.number, change.issuer, change.sent_date, change.changed_by_id) == (
        "35/BC-UBND",
        None,
        date(2024, 3, 1),
        staff.id,
    )
    then, now = metadata_as_of(document, end_of_day(DAY_1)), metadata_as_of(document, end_of_day(EDITED))
    assert (then.number, then.sent_date) == ("35/BC-UBND", date(2024, 3, 1))
    assert (now.number, now.issuer, now.sent_date) == ("35a/BC-UBND", "UBND phường", date(2024, 3, 20))

    ids = select(ChecklistItem.id).where(ChecklistItem.id == report.id)
    sent = [db.session.execute(item_summaries(ids, end_of_day(day))).one().sent_date for day in (DAY_1, EDITED)]
    assert sent == [date(2024, 3, 1), date(2024, 3, 20)]
    items = [next(i for i in status(day)["1.1"].items if i.code == "CCHC-1.1-a") for day in (DAY_1, EDITED)]
    assert [i.sent_date for i in items] == [date(2024, 3, 1), date(2024, 3, 20)]
    assert_never_updated(change)


def test_an_item_removed_from_the_rubric_takes_its_assignment_history_with_it(ward, catalog_dict, write_catalog):
    item = one(ChecklistItem, code="CCHC-1.1-b")
    with frozen_at(at(DAY_1)):
        assign_item(item, one(User, username="admin"), one(Department, code="vh-tt"), None)
    del catalog_dict["areas"][0]["criteria"][0]["items"][1]  # no evidence linked: the import may remove it
    with frozen_at(at(DAY_2)):
        result = import_catalog(load_catalog(write_catalog(catalog_dict)), ward, source="smaller.yaml")
        db.session.commit()
    assert result.removed["items"] == 1
    assert db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.1-b")).scalar() is None
    if db.engine.dialect.name == "postgresql":  # SQLite does not enforce foreign keys here: the row stays, unread
        assert db.session.execute(select(AssignmentHistory)).scalars().all() == []
