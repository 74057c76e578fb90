"""Reading the rubric inside the signed-in user's unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from ..scoping import one_in_unit_or_404
from .models import Area, ChecklistItem, Criterion, Index


def index_in_unit(index_id: int) -> Index:
    return one_in_unit_or_404(select(Index).where(Index.id == index_id, Index.unit_id == current_user.unit_id))


def area_in_unit(area_id: int) -> Area:
    return one_in_unit_or_404(select(Area).join(Index).where(Area.id == area_id, Index.unit_id == current_user.unit_id))


def criterion_in_unit(criterion_id: int) -> Criterion:
    return one_in_unit_or_404(
        select(Criterion)
        .join(Index, Criterion.index_id == Index.id)
        .where(Criterion.id == criterion_id, Index.unit_id == current_user.unit_id)
    )


def item_in_unit(item_id: int) -> ChecklistItem:
    return one_in_unit_or_404(
        select(ChecklistItem).where(ChecklistItem.id == item_id, ChecklistItem.unit_id == current_user.unit_id)
    )
