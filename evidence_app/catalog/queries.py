"""Reading the rubric inside the signed-in user's unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..scoping import one_in_unit_or_404
from .models import Area, ChecklistItem, Criterion, Index, Measurement, SelfScore


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


def indices_of_unit() -> list[Index]:
    """The user's unit's rubrics, newest year first."""
    statement = (
        select(Index)
        .where(Index.unit_id == current_user.unit_id)
        .order_by(Index.year.desc(), Index.code)
        .options(selectinload(Index.areas))
    )
    return list(db.session.execute(statement).scalars())


def areas_of(index: Index, *, with_items: bool = False) -> list[Area]:
    """An index's areas in order, their criteria loaded (and the criteria's items, departments and assignees)."""
    criteria = selectinload(Area.criteria)
    options = [criteria]
    if with_items:
        items = criteria.selectinload(Criterion.items)
        options = [
            criteria.selectinload(Criterion.department),
            items.selectinload(ChecklistItem.owner_department),
            items.selectinload(ChecklistItem.assignee),
        ]
    statement = select(Area).where(Area.index_id == index.id).order_by(Area.position).options(*options)
    return list(db.session.execute(statement).scalars())


def criteria_of(area: Area) -> list[Criterion]:
    statement = (
        select(Criterion)
        .where(Criterion.area_id == area.id)
        .order_by(Criterion.position)
        .options(selectinload(Criterion.items), selectinload(Criterion.department))
    )
    return list(db.session.execute(statement).scalars())


def items_of(criterion: Criterion) -> list[ChecklistItem]:
    statement = (
        select(ChecklistItem)
        .where(ChecklistItem.criterion_id == criterion.id)
        .order_by(ChecklistItem.position)
        .options(selectinload(ChecklistItem.owner_department))
    )
    return list(db.session.execute(statement).scalars())


def measurements_of(criterion: Criterion) -> list[Measurement]:
    """A criterion's measurements, the latest first."""
    statement = (
        select(Measurement)
        .where(Measurement.criterion_id == criterion.id)
        .order_by(Measurement.measured_on.desc(), Measurement.id.desc())
    )
    return list(db.session.execute(statement).scalars())


def self_score_of(criterion: Criterion, round_: int = 1) -> SelfScore | None:
    statement = select(SelfScore).where(SelfScore.criterion_id == criterion.id, SelfScore.round == round_)
    return db.session.execute(statement).scalar_one_or_none()


def criterion_by_code_or_404(index: Index, code: str) -> Criterion:
    return one_in_unit_or_404(select(Criterion).where(Criterion.index_id == index.id, Criterion.code == code))


def index_codes_of_unit() -> list[str]:
    statement = select(Index.code).where(Index.unit_id == current_user.unit_id).distinct()
    return sorted(db.session.execute(statement).scalars())


def index_of_unit(code: str, year: int) -> Index | None:
    statement = select(Index).where(Index.unit_id == current_user.unit_id, Index.code == code, Index.year == year)
    return db.session.execute(statement).scalar_one_or_none()
