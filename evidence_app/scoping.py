"""Every object a user reaches goes through here: it is looked up inside the user's unit, and anything else
answers 404 (never 403: another unit's ids are not even confirmed to exist)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from .catalog.models import Area, ChecklistItem, Criterion, Index
from .extensions import db


def _one_or_404(statement):
    obj = db.session.execute(statement).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def index_in_unit(index_id: int) -> Index:
    return _one_or_404(select(Index).where(Index.id == index_id, Index.unit_id == current_user.unit_id))


def area_in_unit(area_id: int) -> Area:
    return _one_or_404(select(Area).join(Index).where(Area.id == area_id, Index.unit_id == current_user.unit_id))


def criterion_in_unit(criterion_id: int) -> Criterion:
    return _one_or_404(select(Criterion).join(Index, Criterion.index_id == Index.id)
                       .where(Criterion.id == criterion_id, Index.unit_id == current_user.unit_id))


def item_in_unit(item_id: int) -> ChecklistItem:
    return _one_or_404(select(ChecklistItem).where(ChecklistItem.id == item_id, ChecklistItem.unit_id == current_user.unit_id))


def document_in_unit(document_id: int):
    from .evidence.models import Document
    return _one_or_404(select(Document).where(Document.id == document_id, Document.unit_id == current_user.unit_id,
                                              Document.deleted_at.is_(None)))
