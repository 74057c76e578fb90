"""What reviewers read: the queue of evidence waiting for a decision, for the pages and the API alike."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import Department, User
from ..catalog.models import Area, ChecklistItem, Criterion, Index
from ..evidence.models import Document, Evidence, EvidenceState, Review
from ..extensions import db


def queue_query(filters: dict):
    """Evidence waiting for review in the reviewer's unit, oldest first."""
    statement = (
        select(Evidence)
        .join(Document, Evidence.document_id == Document.id)
        .join(ChecklistItem, Evidence.item_id == ChecklistItem.id)
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .join(Area, Criterion.area_id == Area.id)
        .where(
            Document.unit_id == current_user.unit_id,
            Document.deleted_at.is_(None),
            Evidence.state == EvidenceState.submitted.value,
        )
        .order_by(Evidence.linked_at, Evidence.id)
        .options(
            joinedload(Evidence.document).joinedload(Document.uploaded_by),
            joinedload(Evidence.item).joinedload(ChecklistItem.owner_department),
            joinedload(Evidence.item)
            .joinedload(ChecklistItem.criterion)
            .joinedload(Criterion.area)
            .joinedload(Area.index),
        )
    )
    if filters.get("index"):
        statement = statement.where(Area.index_id == filters["index"])
    if filters.get("area"):
        statement = statement.where(Area.id == filters["area"])
    if filters.get("department"):
        statement = statement.where(ChecklistItem.owner_department_id == filters["department"])
    if filters.get("uploader"):
        statement = statement.where(Document.uploaded_by_id == filters["uploader"])
    return statement


def waiting_for_review(filters: dict) -> list[Evidence]:
    return list(db.session.execute(queue_query(filters)).unique().scalars())


def waiting_count() -> int:
    """How many documents wait for a decision in the reviewer's unit (the number beside the menu's link)."""
    statement = queue_query({}).with_only_columns(func.count(Evidence.id)).order_by(None)
    return db.session.execute(statement).scalar_one()


def filter_choices() -> dict[str, list]:
    """What the queue can be filtered by, in the reviewer's unit."""
    unit_id = current_user.unit_id
    statements = {
        "index": select(Index).where(Index.unit_id == unit_id).order_by(Index.code),
        "area": select(Area).join(Index).where(Index.unit_id == unit_id).order_by(Index.code, Area.position),
        "department": select(Department).where(Department.unit_id == unit_id).order_by(Department.name),
        "uploader": select(User).where(User.unit_id == unit_id).order_by(User.username),
    }
    return {name: list(db.session.execute(statement).scalars()) for name, statement in statements.items()}


def decisions_on_item(item_id: int) -> list[Review]:
    """Every decision on every version offered for an item, the latest first."""
    statement = (
        select(Review)
        .join(Evidence)
        .where(Evidence.item_id == item_id)
        .order_by(Review.created_at.desc())
        .options(selectinload(Review.reviewer), selectinload(Review.evidence).selectinload(Evidence.document))
    )
    return list(db.session.execute(statement).scalars())


def latest_decision(evidence: Evidence) -> Review | None:
    statement = select(Review).where(Review.evidence_id == evidence.id).order_by(Review.id.desc()).limit(1)
    return db.session.execute(statement).scalar_one_or_none()
