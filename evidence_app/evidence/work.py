"""What a person must do: the checklist items of their departments (and those assigned to them), with the
state of their evidence, the reviewer's reason when sent back, and the reminders that follow from due dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..catalog.models import Area, ChecklistItem, Criterion, Index
from ..evidence.models import Review
from ..extensions import db
from .models import Document, Evidence
from .states import APPROVED, CHANGES_REQUESTED, MISSING, WAITING, item_state

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


STATES = (MISSING, WAITING, CHANGES_REQUESTED, APPROVED)
DUES = ("overdue", "soon")


@dataclass
class WorkFilter:
    """What *My work* is narrowed to, from the page's query string (a form that works without scripts)."""

    query: str = ""
    state: str = ""  # one of STATES, or "" for every state
    index: int | None = None  # an index id
    due: str = ""  # "overdue", "soon" or ""

    @classmethod
    def from_args(cls, args) -> WorkFilter:
        state, due = args.get("state", ""), args.get("due", "")
        return cls(
            query=(args.get("q") or "").strip(),
            state=state if state in STATES else "",
            index=args.get("index", type=int),
            due=due if due in DUES else "",
        )

    def __bool__(self) -> bool:
        return bool(self.query or self.state or self.index or self.due)

    def admits(self, w: WorkItem, today: date) -> bool:
        if self.state and w.state != self.state:
            return False
        if self.index and w.item.criterion.area.index_id != self.index:
            return False
        if self.due == "overdue" and not w.overdue(today):
            return False
        if self.due == "soon" and not w.due_soon(today):
            return False
        if self.query:
            criterion = w.item.criterion
            text = f"{w.item.code} {w.item.title} {criterion.code} {criterion.title}".casefold()
            return all(word in text for word in self.query.casefold().split())
        return True


@dataclass
class IndexProgress:
    index: Index
    approved: int = 0
    total: int = 0


def progress_by_index(work: list[WorkItem]) -> list[IndexProgress]:
    """Per index: how many of the person's items are approved, of how many."""
    progress: dict[int, IndexProgress] = {}
    for w in work:
        index = w.item.criterion.area.index
        entry = progress.setdefault(index.id, IndexProgress(index))
        entry.total += 1
        entry.approved += w.state == APPROVED
    return sorted(progress.values(), key=lambda p: (p.index.code, p.index.year))
