"""What reviewers read: the queue of evidence waiting for a decision, for the pages and the API alike."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..catalog.models import Area, ChecklistItem, Criterion
from ..evidence.models import Document, Evidence, EvidenceState


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
