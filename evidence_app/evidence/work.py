"""What a person must do: the checklist items of their departments (and those assigned to them), with the
state of their evidence, the reviewer's reason when sent back, and the reminders that follow from due dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..catalog.models import Area, ChecklistItem, Criterion
from ..evidence.models import Review
from ..extensions import db
from .models import Document, Evidence
from .states import APPROVED, CHANGES_REQUESTED, item_state

DUE_SOON_DAYS = 7


@dataclass
class WorkItem:
    item: ChecklistItem
    state: str
    last_review: Review | None = None  # the latest decision, to show the reason when sent back

    def overdue(self, today: date) -> bool:
        return self.item.due_date is not None and self.item.due_date < today and self.state != APPROVED

    def due_soon(self, today: date) -> bool:
        return (
            self.item.due_date is not None
            and today <= self.item.due_date <= today + timedelta(days=DUE_SOON_DAYS)
            and self.state != APPROVED
        )


@dataclass
class Reminders:
    overdue: list[WorkItem] = field(default_factory=list)
    due_soon: list[WorkItem] = field(default_factory=list)
    sent_back: list[WorkItem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon or self.sent_back)


def my_work(user: User, today: date) -> list[WorkItem]:
    """Overdue first, then by due date (items without one last)."""
    department_ids = [d.id for d in user.departments]
    items = (
        db.session.execute(
            select(ChecklistItem)
            .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
            .join(Area, Criterion.area_id == Area.id)
            .where(
                ChecklistItem.unit_id == user.unit_id,
                or_(ChecklistItem.owner_department_id.in_(department_ids), ChecklistItem.assignee_id == user.id),
            )
            .options(
                joinedload(ChecklistItem.owner_department),
                joinedload(ChecklistItem.criterion).joinedload(Criterion.area).joinedload(Area.index),
            )
        )
        .unique()
        .scalars()
        .all()
    )
    evidence: dict[int, list] = {}
    for row in db.session.execute(
        select(Evidence.id, Evidence.item_id, Evidence.state, Evidence.replaces_id)
        .join(Document, Evidence.document_id == Document.id)
        .where(Evidence.item_id.in_([i.id for i in items]), Document.deleted_at.is_(None))
    ):
        evidence.setdefault(row.item_id, []).append(row)
    last_reviews: dict[int, Review] = {}
    for review, item_id in db.session.execute(
        select(Review, Evidence.item_id)
        .join(Evidence, Review.evidence_id == Evidence.id)
        .where(Evidence.item_id.in_([i.id for i in items]))
        .order_by(Review.created_at, Review.id)
        .options(joinedload(Review.reviewer))
    ):
        last_reviews[item_id] = review
    work = [WorkItem(item, item_state(evidence.get(item.id, [])), last_reviews.get(item.id)) for item in items]
    far = date.max
    work.sort(key=lambda w: (not w.overdue(today), w.state == APPROVED, w.item.due_date or far, w.item.code))
    return work


def reminders(work: list[WorkItem], today: date) -> Reminders:
    result = Reminders()
    for w in work:
        if w.overdue(today):
            result.overdue.append(w)
        elif w.due_soon(today):
            result.due_soon.append(w)
        if w.state == CHANGES_REQUESTED:
            result.sent_back.append(w)
    return result
