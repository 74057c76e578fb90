"""The next cycle's reads inside the user's unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..catalog.models import Area, Criterion, Index
from ..extensions import db
from ..scoping import one_in_unit_or_404
from .models import CriterionResult, Proposal, ResultSet


def proposal_in_unit(proposal_id: int) -> Proposal:
    return one_in_unit_or_404(
        select(Proposal).where(Proposal.id == proposal_id, Proposal.unit_id == current_user.unit_id)
    )


def result_row_in_unit(row_id: int) -> CriterionResult:
    return one_in_unit_or_404(
        select(CriterionResult)
        .join(ResultSet, CriterionResult.result_set_id == ResultSet.id)
        .where(CriterionResult.id == row_id, ResultSet.unit_id == current_user.unit_id)
    )


def result_sets_of_unit() -> list[ResultSet]:
    """The official results imported for the unit, the latest year first."""
    statement = (
        select(ResultSet)
        .where(ResultSet.unit_id == current_user.unit_id)
        .order_by(ResultSet.year.desc(), ResultSet.id.desc())
        .options(selectinload(ResultSet.index))
    )
    return list(db.session.execute(statement).scalars())


def proposals_of(index: Index) -> list[Proposal]:
    """An index's proposals in the rubric's order, with the result row, owner and item they came with."""
    statement = (
        select(Proposal)
        .join(Criterion, Proposal.criterion_id == Criterion.id)
        .join(Area, Criterion.area_id == Area.id)
        .where(Criterion.index_id == index.id)
        .order_by(Area.position, Criterion.position, Proposal.id)
        .options(
            selectinload(Proposal.criterion),
            selectinload(Proposal.criterion_result),
            selectinload(Proposal.owner_department),
            selectinload(Proposal.item),
        )
    )
    return list(db.session.execute(statement).scalars())


def previous_results(index: Index) -> ResultSet | None:
    """The official results of the year before an index's year, for the same index code in its unit (the
    results its proposals were made from), with their rows."""
    statement = (
        select(ResultSet)
        .join(Index, ResultSet.index_id == Index.id)
        .where(ResultSet.unit_id == index.unit_id, Index.code == index.code, ResultSet.year == index.year - 1)
        .options(selectinload(ResultSet.rows).selectinload(CriterionResult.criterion), selectinload(ResultSet.index))
    )
    return db.session.execute(statement).scalars().first()
