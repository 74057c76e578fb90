"""Reads of the lineage: the boundaries in force on a day (which unit a unit's figures are shown under, its name
then, a merged unit's baselines) and last year's scores of the units a reorganisation combines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..auth.models import Unit
from ..catalog.models import Index
from ..cycle.models import ResultSet
from ..extensions import db
from .models import ChangeKind, UnitBaseline, UnitChange, UnitLineage


@dataclass
class Boundaries:
    """The units as they stood on `day`: four statements, whatever the number of units and changes."""

    day: date
    codes: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    in_force: set[int] = field(default_factory=set)
    merged_into: dict[int, tuple[int, Decimal]] = field(default_factory=dict)  # unit → (successor, weight)
    own_weight: dict[int, Decimal] = field(default_factory=dict)  # a unit that absorbed others: its weight
    baselines: dict[tuple[int, str, int], Decimal | None] = field(default_factory=dict)

    def shown_as(self, unit_id: int) -> int | None:
        """The unit in force on the day whose figures include this unit's: itself, or the unit it was merged
        into (and so on); None when neither is in force (not yet established)."""
        seen = set()
        while unit_id in self.merged_into and unit_id not in seen:
            seen.add(unit_id)
            unit_id = self.merged_into[unit_id][0]
        return unit_id if unit_id in self.in_force else None

    def weight(self, unit_id: int) -> Decimal:
        if unit_id in self.merged_into:
            return self.merged_into[unit_id][1]
        return self.own_weight.get(unit_id, Decimal(1))

    def baseline(self, unit_id: int, code: str, year: int) -> tuple[bool, Decimal | None]:
        """(whether a reorganisation set it, last year's score) of a unit for an index and year."""
        key = (unit_id, code, year)
        return key in self.baselines, self.baselines.get(key)


def exists_on(unit: Unit, day: date) -> bool:
    return (unit.established_on is None or unit.established_on <= day) and (
        unit.dissolved_on is None or day < unit.dissolved_on
    )


def unit_boundaries(day: date) -> Boundaries:
    bounds = Boundaries(day)
    for unit in db.session.execute(select(Unit)).scalars():
        bounds.codes[unit.id], bounds.names[unit.id] = unit.code, unit.name
        if exists_on(unit, day):
            bounds.in_force.add(unit.id)
    merges = db.session.execute(
        select(UnitLineage.predecessor_id, UnitLineage.successor_id, UnitLineage.weight)
        .join(UnitChange, UnitLineage.change_id == UnitChange.id)
        .where(UnitChange.kind == ChangeKind.merge.value, UnitChange.effective_on <= day)
        .order_by(UnitChange.effective_on, UnitChange.id)
    )
    for predecessor, successor, weight in merges:
        if predecessor == successor:
            bounds.own_weight[successor] = weight
        else:
            bounds.merged_into[predecessor] = (successor, weight)
    later_renames = db.session.execute(  # the earliest rename after the day holds the name the unit had then
        select(UnitChange.unit_id, UnitChange.old_name)
        .where(UnitChange.kind == ChangeKind.rename.value, UnitChange.effective_on > day)
        .order_by(UnitChange.effective_on.desc(), UnitChange.id.desc())
    )
    for unit_id, old_name in later_renames:
        bounds.names[unit_id] = old_name
    baselines = db.session.execute(
        select(UnitBaseline.unit_id, UnitBaseline.index_code, UnitBaseline.index_year, UnitBaseline.score)
        .join(UnitChange, UnitBaseline.change_id == UnitChange.id)
        .where(UnitChange.effective_on <= day)
    )
    for unit_id, code, year, score in baselines:
        bounds.baselines[(unit_id, code, year)] = score
    return bounds


@dataclass(frozen=True)
class LastYear:
    score: Decimal | None
    source: str  # "official" (the province's result), "baseline" (an earlier merge's), "catalog", or "none"


def last_year_scores(unit_ids: list[int]) -> dict[int, dict[tuple[str, int], LastYear]]:
    """Per unit, per index (code, year) it holds: last year's score, the official result of the year before
    first (its published total, else the sum of final scores), then a baseline an earlier reorganisation set,
    then the catalog's last-year figure."""
    scores: dict[int, dict[tuple[str, int], LastYear]] = {unit_id: {} for unit_id in unit_ids}
    for index in db.session.execute(
        select(Index).where(Index.unit_id.in_(unit_ids)).order_by(Index.code, Index.year)
    ).scalars():
        found = index.last_year_score is not None
        scores[index.unit_id][(index.code, index.year)] = LastYear(
            index.last_year_score, "catalog" if found else "none"
        )
    for baseline in db.session.execute(select(UnitBaseline).where(UnitBaseline.unit_id.in_(unit_ids))).scalars():
        scores[baseline.unit_id][(baseline.index_code, baseline.index_year)] = LastYear(baseline.score, "baseline")
    official = db.session.execute(
        select(ResultSet.unit_id, Index.code, ResultSet.year, ResultSet.published_total, ResultSet.final_total)
        .join(Index, ResultSet.index_id == Index.id)
        .where(ResultSet.unit_id.in_(unit_ids))
    )
    for unit_id, code, year, published, final in official:
        key = (code, year + 1)
        if key in scores[unit_id]:  # only for an index the unit holds
            scores[unit_id][key] = LastYear(published if published is not None else final, "official")
    return scores


def changes_of_units(unit_ids: list[int]) -> list[UnitChange]:
    """The reorganisations that touched these units (as the unit made or as a part), newest first."""
    touched = select(UnitLineage.change_id).where(
        (UnitLineage.predecessor_id.in_(unit_ids)) | (UnitLineage.successor_id.in_(unit_ids))
    )
    return list(
        db.session.execute(
            select(UnitChange)
            .where((UnitChange.unit_id.in_(unit_ids)) | (UnitChange.id.in_(touched)))
            .order_by(UnitChange.effective_on.desc(), UnitChange.id.desc())
        ).scalars()
    )


def units_of_province(province_id: int) -> list[Unit]:
    return list(db.session.execute(select(Unit).where(Unit.province_id == province_id).order_by(Unit.code)).scalars())
