"""The state of a checklist item, from the evidence linked to it (one rule, used everywhere): `item_state` over
the evidence as it is now, and `item_summaries`, the same rule in SQL for many items at once and as it stood at
any moment (the report). tests/evidence/test_states.py checks that the two agree."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from ..catalog.models import ChecklistItem
from ..evidence.models import Decision, Review
from ..extensions import db
from ..history import standing_at
from .models import Document, DocumentHistory, Evidence, EvidenceState

MISSING = "missing"  # chưa có
WAITING = "waiting"  # chờ duyệt
CHANGES_REQUESTED = "changes_requested"  # cần bổ sung
APPROVED = "approved"  # đã duyệt


def item_state(evidence: Iterable) -> str:
    """`evidence`: objects or rows with `id`, `state` and `replaces_id`. A version replaced by a resubmission
    no longer counts. Approved as soon as one document is approved; otherwise, a document sent back and not yet
    replaced needs action; otherwise waiting while one awaits review; otherwise missing."""
    evidence = list(evidence)
    replaced = {e.replaces_id for e in evidence if e.replaces_id}
    states = {e.state for e in evidence if e.id not in replaced}
    if EvidenceState.approved.value in states:
        return APPROVED
    if EvidenceState.changes_requested.value in states:
        return CHANGES_REQUESTED
    if EvidenceState.submitted.value in states:
        return WAITING
    return MISSING


def item_summaries(items: Select, cutoff: datetime) -> Select:
    """One row per item among `items` (a SELECT of checklist item ids) that had evidence before `cutoff`, as it
    stood then: only links made and decisions taken before the cutoff count (a document deleted after it still
    counts).
    Columns:
      item_id
      documents          the evidence linked (every version)
      undecided          of those, how many no reviewer had decided on
      waiting, sent_back 1 when a current version (one not replaced by a resubmission) awaits review / was
                         sent back, else 0
      first_approved_at  the first approval of any version (an approval is never undone), or NULL
      sent_date          for a periodic report, the sending date that decides whether it was on time: that of
                         the first approved document, or without one, of the latest upload, as the document said
                         at the cutoff (its metadata history); NULL for other items
    A version has at most one review (reviews.evidence_id is unique: a decision is final, a resubmission is a
    new version), so the decision as of the cutoff is its review if made before the cutoff."""

    def visible(evidence):  # linked before the cutoff, its document not deleted by then
        gone = aliased(Document)
        deleted = select(gone.id).where(gone.id == evidence.document_id, gone.deleted_at < cutoff)
        return evidence.item_id.in_(items) & (evidence.linked_at < cutoff) & ~deleted.exists()

    def decided(evidence):
        return (Review.evidence_id == evidence.id) & (Review.created_at < cutoff)

    newer = aliased(Evidence)
    replaced = (
        select(newer.replaces_id).where(newer.replaces_id.is_not(None), visible(newer)).distinct().subquery("replaced")
    )
    undecided, current = Review.id.is_(None), replaced.c.replaces_id.is_(None)
    approved = Review.decision == Decision.approved.value
    per_item = (
        select(
            Evidence.item_id,
            func.count().label("documents"),
            func.sum(case((undecided, 1), else_=0)).label("undecided"),
            func.max(case((undecided & current, 1), else_=0)).label("waiting"),
            func.max(case(((Review.decision == Decision.changes_requested.value) & current, 1), else_=0)).label(
                "sent_back"
            ),
            func.min(case((approved, Review.created_at))).label("first_approved_at"),
        )
        .outerjoin(Review, decided(Evidence))
        .outerjoin(replaced, replaced.c.replaces_id == Evidence.id)
        .where(visible(Evidence))
        .group_by(Evidence.item_id)
    ).subquery("per_item")
    # the deciding document first: the first approved, or without one the latest upload (ties: the earliest link)
    deciding_first = func.row_number().over(
        partition_by=Evidence.item_id,
        order_by=(
            case((approved, 0), else_=1),
            case((approved, Review.created_at)),
            case((approved, None), else_=Document.uploaded_at).desc(),
            Evidence.id,
        ),
    )
    # the sending date as the document said at the cutoff: an edit made since left the earlier one in its history
    edited = standing_at(DocumentHistory, DocumentHistory.document_id, cutoff, "edited")
    sent_date = case((edited.c.id.is_not(None), edited.c.sent_date), else_=Document.sent_date)
    sending = (
        select(Evidence.item_id, sent_date.label("sent_date"), deciding_first.label("rank"))
        .join(ChecklistItem, (ChecklistItem.id == Evidence.item_id) & ChecklistItem.report_deadline.is_not(None))
        .join(Document, Evidence.document_id == Document.id)
        .outerjoin(Review, decided(Evidence))
        .outerjoin(edited, edited.c.document_id == Document.id)
        .where(visible(Evidence))
    ).subquery("sending")
    return select(per_item, sending.c.sent_date).outerjoin(
        sending, (sending.c.item_id == per_item.c.item_id) & (sending.c.rank == 1)
    )


def current_item_states(item_ids: list[int]) -> dict[int, str]:
    """The state of each item now (documents deleted no longer count), for pages listing a few items."""
    rows = db.session.execute(
        select(Evidence.id, Evidence.item_id, Evidence.state, Evidence.replaces_id)
        .join(Document, Evidence.document_id == Document.id)
        .where(Evidence.item_id.in_(item_ids), Document.deleted_at.is_(None))
    ).all()
    by_item: dict[int, list] = {item_id: [] for item_id in item_ids}
    for row in rows:
        by_item[row.item_id].append(row)
    return {item_id: item_state(evidence) for item_id, evidence in by_item.items()}
