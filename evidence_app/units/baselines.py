"""How the figures of merged units combine: pure functions, no Flask, no database.

The province's rule is data (`BaselineMethod`, chosen on the command or the page): the mean of the parts, their
mean weighted by population, or the new unit's own score. A part without a figure takes no part in the mean (its
weight is not counted); no figure at all gives none."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from .models import BaselineMethod

FIGURES = ("max", "last_year", "secured", "expected", "best", "at_risk")  # a league table row's points
TWO_PLACES = Decimal("0.01")


def weighted_mean(values: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal | None:
    """The mean of the values that are known, each counted with its weight (2 decimals, half up)."""
    known = [(value, weight) for value, weight in values if value is not None]
    total_weight = sum((weight for _value, weight in known), Decimal(0))
    if not known or total_weight <= 0:
        return None
    mean = sum((value * weight for value, weight in known), Decimal(0)) / total_weight
    return mean.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def part_weight(method: str, population: int | None) -> Decimal:
    """A part's weight in a merged unit's figures: its population for a weighted merge, else 1."""
    if method == BaselineMethod.weighted.value:
        if population is None or population <= 0:
            raise ValueError("a weighted merge needs every part's population")
        return Decimal(population)
    return Decimal(1)


def combine_baseline(
    method: str, parts: Sequence[tuple[Decimal | None, Decimal]], own: Decimal | None
) -> Decimal | None:
    """Last year's score of a merged unit: `parts` are (score, weight) of the units merged; `own` is the new
    unit's own score (its catalog's), used by the method `own`."""
    if method == BaselineMethod.own.value:
        return own
    return weighted_mean(parts)


def combine_rows(rows: Sequence[tuple[dict, Decimal]]) -> dict:
    """A league table row of a merged unit from its parts' rows (row, weight): each figure the weighted mean of
    the parts', critical criteria added up."""
    combined: dict = {}
    for key in FIGURES:
        values = [(None if row.get(key) is None else Decimal(str(row[key])), weight) for row, weight in rows]
        mean = weighted_mean(values)
        combined[key] = None if mean is None else float(mean)
    combined["critical"] = sum(row.get("critical", 0) for row, _weight in rows)
    return combined
