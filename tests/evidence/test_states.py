"""The state of an item has two definitions that must agree: `item_state` over the evidence as it is now (the
staff's and reviewers' pages) and `item_summaries`, the same rule in SQL as it stood at any moment (the report).
Random histories built by the app's rules (upload, resubmit after a send-back, decide, delete before a
decision, correct a sending date before a decision) are read back both ways at many moments."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from checklists import CATALOG_DIR
from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document, DocumentHistory, Evidence, Review
from evidence_app.evidence.operations import METADATA, metadata_as_of
from evidence_app.evidence.states import APPROVED, CHANGES_REQUESTED, MISSING, WAITING, item_state, item_summaries
from evidence_app.extensions import db
from tests.helpers import import_file, make_unit, make_user

START = datetime(2024, 1, 1, 2, tzinfo=UTC)


def build_history(rng: random.Random, item: ChecklistItem, staff, reviewer) -> None:
    moment = START + timedelta(hours=rng.randrange(200))
    versions: list[Evidence] = []
    for _ in range(rng.randrange(7)):
        if rng.random() < 0.85:  # batch approvals share an instant: ties happen
            moment += timedelta(hours=rng.randrange(1, 90))
        submitted = [v for v in versions if v.state == "submitted" and v.document.deleted_at is None]
        action = rng.choice(["upload", "upload", "decide", "decide", "delete", "edit"])
        if action == "edit" and submitted:  # the sending date corrected, as update_document does
            document = rng.choice(submitted).document
            db.session.add(
                DocumentHistory(
                    document_id=document.id, changed_at=moment, **{name: getattr(document, name) for name in METADATA}
                )
            )
            document.sent_date = rng.choice([None, moment.date() - timedelta(days=rng.randrange(30))])
        elif action == "decide" and submitted:
            version = rng.choice(submitted)
            version.state = rng.choice(["approved", "changes_requested"])
            db.session.add(Review(evidence=version, reviewer_id=reviewer.id, decision=version.state, created_at=moment))
        elif action == "delete" and submitted:
            rng.choice(submitted).document.deleted_at = moment
        else:
            replaced = {v.replaces_id for v in versions if v.document.deleted_at is None}
            sent_back = [v for v in versions if v.state == "changes_requested" and v.id not in replaced]
            document = Document(
                unit_id=item.unit_id,
                storage_key=f"k/{rng.random()}",
                sha256="ab" * 32,
                size=1,
                content_type="application/pdf",
                filename="Báo cáo.pdf",
                uploaded_by_id=staff.id,
                uploaded_at=moment,
                sent_date=rng.choice([None, moment.date() - timedelta(days=2)]),
            )
            version = Evidence(
                document=document,
                item=item,
                linked_by_id=staff.id,
                linked_at=moment,
                replaces_id=sent_back[-1].id if sent_back else None,
            )
            db.session.add_all([document, version])
            versions.append(version)
        db.session.flush()


def as_it_stood(item: ChecklistItem, cutoff: datetime) -> dict:
    """The item at `cutoff`, rebuilt in Python from the full history: the oracle."""
    reviews = {r.evidence_id: r for r in db.session.execute(select(Review)).scalars()}
    rows = []
    for e in db.session.execute(select(Evidence).where(Evidence.item_id == item.id).order_by(Evidence.id)).scalars():
        if e.linked_at >= cutoff or (e.document.deleted_at is not None and e.document.deleted_at < cutoff):
            continue
        review = reviews.get(e.id)
        decided = review is not None and review.created_at < cutoff
        rows.append(
            SimpleNamespace(
                id=e.id,
                replaces_id=e.replaces_id,
                document=e.document,
                state=review.decision if decided else "submitted",
                decided_at=review.created_at if decided else None,
            )
        )
    approvals = sorted((r.decided_at, r.id, r) for r in rows if r.state == "approved")
    latest = max(rows, key=lambda r: (r.document.uploaded_at, -r.id), default=None)
    deciding = approvals[0][2] if approvals else latest
    return {
        "state": item_state(rows),
        "documents": len(rows),
        "undecided": sum(r.state == "submitted" for r in rows),
        "first_approved_at": approvals[0][0] if approvals else None,
        "sent_date": metadata_as_of(deciding.document, cutoff).sent_date if deciding and item.report_deadline else None,
    }


def as_summarised(row) -> dict:
    if row is None:
        return {"state": MISSING, "documents": 0, "undecided": 0, "first_approved_at": None, "sent_date": None}
    state = (
        APPROVED
        if row.first_approved_at
        else CHANGES_REQUESTED
        if row.sent_back
        else WAITING
        if row.waiting
        else MISSING
    )
    return {
        "state": state,
        "documents": row.documents,
        "undecided": row.undecided,
        "first_approved_at": row.first_approved_at,
        "sent_date": row.sent_date,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_summary_and_item_state_agree_at_every_moment(app, seed):
    unit = make_unit()
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, unit)
    staff, reviewer = make_user(unit, "cb"), make_user(unit, "reviewer", role="reviewer")
    rng = random.Random(seed)
    items = db.session.execute(select(ChecklistItem).order_by(ChecklistItem.id)).scalars().all()
    chosen = [i for i in items if i.report_deadline] + rng.sample([i for i in items if not i.report_deadline], 40)
    for item in chosen:
        build_history(rng, item, staff, reviewer)
    db.session.commit()

    ids = select(ChecklistItem.id).where(ChecklistItem.id.in_([i.id for i in chosen]))
    seen = set()
    for cutoff in [START + timedelta(days=d) for d in range(0, 90, 5)] + [datetime(2100, 1, 1, tzinfo=UTC)]:
        summaries = {row.item_id: row for row in db.session.execute(item_summaries(ids, cutoff))}
        for item in chosen:
            expected = as_it_stood(item, cutoff)
            assert as_summarised(summaries.get(item.id)) == expected, (item.code, cutoff)
            seen.add(expected["state"])
    assert seen == {MISSING, WAITING, CHANGES_REQUESTED, APPROVED}

    # today, the pages' rule over the evidence as it is (its state column) says the same
    for item in chosen:
        current = [
            e
            for e in db.session.execute(select(Evidence).where(Evidence.item_id == item.id)).scalars()
            if e.document.deleted_at is None
        ]
        assert item_state(current) == as_it_stood(item, datetime(2100, 1, 1, tzinfo=UTC))["state"]


def test_a_version_is_decided_once(app):
    unit = make_unit()
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, unit)
    staff, reviewer = make_user(unit, "cb"), make_user(unit, "reviewer", role="reviewer")
    item = db.session.execute(select(ChecklistItem)).scalars().first()
    document = Document(
        unit_id=unit.id,
        storage_key="ab/cd/" + "ab" * 32,
        sha256="ab" * 32,
        size=1,
        content_type="application/pdf",
        filename="a.pdf",
        uploaded_by_id=staff.id,
    )
    version = Evidence(document=document, item=item, linked_by_id=staff.id)
    db.session.add_all([document, version, Review(evidence=version, reviewer_id=reviewer.id, decision="approved")])
    db.session.commit()
    db.session.add(Review(evidence=version, reviewer_id=reviewer.id, decision="changes_requested"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
