"""Backtest of the forecast on a unit's real history: the completeness report replayed as it stood every week of
the cycle (the report's as-of path, `build_report(unit, as_of)`), set against the official results when they
have been imported (`minhchung results import`).

Weeks are counted back from the assessment date (0 = the assessment date itself, 1 = seven days before, …) down
to the first checklist item's due date (its report deadline when it has no due date), so that "4 weeks before"
means the same day in every cycle. Per week: secured, expected and best of the index; with official results of
the index's own year, the error of the expected total against the official total (the sum of the criteria's
final scores, `ResultSet.final_total`), in points and in % of the index's maximum, and the Brier score of the
criteria's p against their official outcome:
    p       = (expected − secured) / (best − secured)          the forecast's chance to win what is winnable
    outcome = (official − secured) / (best − secured), clipped to [0, 1]   what was won of it
over the criteria with an official score and something winnable that week (best > secured); the Brier score is
the mean of (p − outcome)². Per criterion, the mean of the same over the weeks it was scored.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..auth.models import Unit
from ..catalog.models import ChecklistItem, Criterion, Index
from ..cycle.models import CriterionResult, ResultSet
from ..extensions import db
from .build import build_report


class BacktestError(Exception):
    """A unit or index that does not exist: the message names what does."""


def find_index(unit: Unit, code: str, year: int) -> Index:
    index = db.session.execute(
        select(Index).where(Index.unit_id == unit.id, Index.code == code, Index.year == year)
    ).scalar_one_or_none()
    if index is None:
        known = [
            f"{i.code} {i.year}"
            for i in db.session.execute(
                select(Index).where(Index.unit_id == unit.id).order_by(Index.code, Index.year)
            ).scalars()
        ]
        raise BacktestError(f"unit {unit.code!r} has no index {code} {year}; known: {', '.join(known) or '(none)'}")
    return index


def first_due(index: Index) -> date | None:
    return db.session.execute(
        select(func.min(func.coalesce(ChecklistItem.due_date, ChecklistItem.report_deadline)))
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .where(Criterion.index_id == index.id)
    ).scalar_one_or_none()


def weeks(index: Index) -> list[tuple[int, date]]:
    """(weeks before the assessment, day), oldest first: every 7 days back from the assessment date, down to the
    first item's due date (only the assessment date when no item has one, or it is after the assessment)."""
    start = first_due(index) or index.assessment_date
    days, k = [], 0
    while k == 0 or index.assessment_date - timedelta(weeks=k) >= start:
        days.append((k, index.assessment_date - timedelta(weeks=k)))
        k += 1
    return days[::-1]


def official_results(index: Index) -> ResultSet | None:
    """The imported results of the index's own year (results of the year before become last year's scores
    only)."""
    return db.session.execute(
        select(ResultSet).where(ResultSet.index_id == index.id, ResultSet.year == index.year)
    ).scalar_one_or_none()


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _round(value: Decimal | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def criterion_p(secured: Decimal, expected: Decimal, best: Decimal) -> Decimal | None:
    return None if best <= secured else (expected - secured) / (best - secured)


def criterion_outcome(secured: Decimal, best: Decimal, official: Decimal) -> Decimal | None:
    if best <= secured:
        return None
    return min(Decimal(1), max(Decimal(0), (official - secured) / (best - secured)))


def backtest(unit: Unit, index_code: str, year: int) -> dict:
    """Every week of the cycle: the report's figures, and against the official results, its errors."""
    index = find_index(unit, index_code, year)
    results = official_results(index)
    official: dict[str, Decimal] = {}
    if results is not None:
        official = dict(
            db.session.execute(
                select(Criterion.code, CriterionResult.final_score)
                .join(Criterion, CriterionResult.criterion_id == Criterion.id)
                .where(CriterionResult.result_set_id == results.id)
            ).all()
        )
    official_total = results.final_total if results is not None else None
    rows, per_criterion = [], {}
    maximum = None
    for weeks_before, day in weeks(index):
        report = build_report(unit, day)
        data = next(i for i in report["indices"] if i["id"] == index.id)
        totals = data["totals"]
        maximum = _dec(totals["max"])
        row = {
            "weeks_before": weeks_before,
            "day": day.isoformat(),
            "secured": totals["secured"],
            "expected": totals["expected"],
            "best": totals["best"],
            "at_risk": totals["at_risk"],
            "official": _round(official_total),
            "error": None,
            "error_percent": None,
            "brier": None,
            "brier_criteria": 0,
            "criteria": [],
        }
        if official_total is not None:
            error = _dec(totals["expected"]) - official_total
            row["error"] = _round(error)
            row["error_percent"] = _round(error * 100 / maximum) if maximum else None
        scores = []
        for c in data["criteria"]:
            secured, expected, best = _dec(c["secured"]), _dec(c["expected"]), _dec(c["best"])
            p = criterion_p(secured, expected, best)
            final = official.get(c["code"])
            outcome = None if final is None else criterion_outcome(secured, best, final)
            brier = None if p is None or outcome is None else (p - outcome) ** 2
            row["criteria"].append(
                {
                    "code": c["code"],
                    "secured": c["secured"],
                    "expected": c["expected"],
                    "best": c["best"],
                    "risk": c["risk"],
                    "p": _round(p, 4),
                    "official": _round(final),
                    "outcome": _round(outcome, 4),
                    "brier": _round(brier, 4),
                }
            )
            if brier is not None:
                scores.append(brier)
                per_criterion.setdefault(c["code"], []).append(brier)
        if scores:
            row["brier"] = _round(sum(scores) / len(scores), 4)
            row["brier_criteria"] = len(scores)
        rows.append(row)
    titles = dict(
        db.session.execute(select(Criterion.code, Criterion.title).where(Criterion.index_id == index.id)).all()
    )
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "index": {
            "code": index.code,
            "name": index.name,
            "year": index.year,
            "max": _round(maximum),
            "assessment_date": index.assessment_date.isoformat(),
            "first_due": (first_due(index) or index.assessment_date).isoformat(),
        },
        "official": None
        if results is None
        else {
            "year": results.year,
            "source": results.source,
            "final_total": _round(results.final_total),
            "published_total": _round(results.published_total),
            "deviation_penalty": _round(results.deviation_penalty),
        },
        "weeks": rows,
        "criteria": [
            {
                "code": code,
                "title": titles.get(code),
                "official": _round(official.get(code)),
                "weeks": len(scores),
                "brier": _round(sum(scores) / len(scores), 4),
            }
            for code, scores in per_criterion.items()
        ],
    }
