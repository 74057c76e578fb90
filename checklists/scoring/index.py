"""The forecast of a whole index: every criterion, the totals of the areas and the index, the self-score
deviation penalty, and each department's pace against the work left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..likelihood import ForecastParameters, default_parameters
from ..numbers import HUNDRED, ZERO, dec
from ..rules import RULE_TYPES
from .criterion import forecast_criterion, forecast_not_applicable, forecast_remainder
from .inputs import Context, CriterionStatus, DepartmentActivity
from .items import judge_item, weeks_between
from .results import AreaForecast, CriterionForecast, DepartmentForecast, DeviationWarning, IndexForecast, Totals

NOT_APPLICABLE = "not_applicable"
REMAINDER = "remainder"


@dataclass
class _PendingWork:
    """One department's items still to be won, as the forecast counts them."""

    name: str
    remaining: int = 0
    waiting: int = 0
    sent_back: int = 0


def forecast_index(
    criteria: list[CriterionStatus],
    departments: list[DepartmentActivity],
    *,
    today: date,
    assessment_date: date,
    deviation_threshold_percent: Decimal,
    deviation_penalty_points: Decimal,
    params: ForecastParameters | None = None,
) -> IndexForecast:
    """The completeness report of one index as of `today` (SCORING.md states every rule)."""
    params = params or default_parameters()
    unknown = sorted({c.rule_type for c in criteria} - RULE_TYPES.keys())
    if unknown:
        raise ValueError(f"unknown rule type(s): {', '.join(unknown)}")
    activities = {d.code: d for d in departments}
    window_end = min(today, assessment_date)
    counts = {code: _provided_in_window(a, window_end, params.window_weeks) for code, a in activities.items()}
    ctx = Context(
        today,
        assessment_date,
        params,
        index_max=sum((c.max_points for c in criteria if c.rule_type != NOT_APPLICABLE), ZERO),
        provided=counts,
        record=_track_records(criteria, today),
    )

    forecast_list: list[CriterionForecast] = []
    pending_by_owner: dict[str, _PendingWork] = {}
    for c in criteria:
        if c.rule_type == NOT_APPLICABLE:
            forecast_list.append(forecast_not_applicable(c))
            continue
        items = tuple(judge_item(item, ctx) for item in c.items)
        for judged in items:
            if judged.pending:
                item = judged.status
                work = pending_by_owner.setdefault(item.owner, _PendingWork(item.owner_name))
                work.remaining += 1
                work.waiting += item.waiting
                work.sent_back += item.sent_back and not item.waiting
        forecast_list.append(
            forecast_remainder(c, ctx) if c.rule_type == REMAINDER else forecast_criterion(c, items, ctx)
        )
    forecasts = tuple(forecast_list)

    areas: dict[str, list[CriterionForecast]] = {}
    for f in forecasts:
        areas.setdefault(f.area_code, []).append(f)
    area_rows = tuple(_area(code, rows[0].area_name, _sum_totals(rows)) for code, rows in areas.items())
    warning = _deviation(criteria, forecasts, dec(deviation_threshold_percent), dec(deviation_penalty_points))
    totals = _sum_totals(forecasts)
    if warning is not None:
        penalty = warning.penalty_points
        expected = max(ZERO, totals.expected - penalty)
        totals = Totals(
            totals.max,
            totals.last_year,
            max(ZERO, totals.secured - penalty),
            expected,
            totals.best,
            totals.best - expected,
            penalty,
        )

    weeks_left = weeks_between(today, assessment_date)
    department_rows = []
    for code in dict.fromkeys([*activities, *pending_by_owner]):
        activity = activities.get(code)
        work = pending_by_owner.get(code) or _PendingWork(name="")
        name = activity.name if activity else work.name
        remaining, waiting, sent_back = work.remaining, work.waiting, work.sent_back
        if activity is not None:  # the query layer counts every document waiting, not only one per item
            waiting, sent_back = activity.waiting, activity.sent_back
        rate = Decimal(counts.get(code, 0)) / params.window_weeks
        needed = ZERO if remaining == 0 else (Decimal(remaining) / rate if rate else None)
        department_rows.append(
            DepartmentForecast(
                code, name, rate, remaining, waiting, sent_back, needed, needed is not None and needed <= weeks_left
            )
        )

    return IndexForecast(
        today=today,
        assessment_date=assessment_date,
        criteria=forecasts,
        areas=area_rows,
        totals=totals,
        departments=tuple(department_rows),
        deviation_warning=warning,
        closed=ctx.closed,
    )


def _track_records(criteria: list[CriterionStatus], today: date) -> dict[str, tuple[int, int]]:
    """Per department, (items provided, items owed): owed are the items due by today or provided already,
    provided those uploaded at least once. A department that has kept up all year is likely to keep up; one that
    never started is not, however much time is left. More work never lowers the share (n/d ≤ (n+1)/(d+1) when
    n ≤ d), and time without work never raises it."""
    owed: dict[str, int] = {}
    provided: dict[str, int] = {}
    for c in criteria:
        if c.rule_type == NOT_APPLICABLE:
            continue
        for item in c.items:
            if item.uploaded or (item.due is not None and item.due <= today):
                owed[item.owner] = owed.get(item.owner, 0) + 1
                provided[item.owner] = provided.get(item.owner, 0) + item.uploaded
    return {code: (provided[code], owed[code]) for code in owed}


def _provided_in_window(activity: DepartmentActivity, today: date, weeks: int) -> int:
    """The documents a department provided in the pace window (today − weeks, today]: its own work, whatever
    the reviewers have done with it yet."""
    since = today - timedelta(weeks=weeks)
    return sum(since < day <= today for day in activity.uploads)


def _sum_totals(rows: list[CriterionForecast] | tuple[CriterionForecast, ...]) -> Totals:
    last_years = [r.last_year for r in rows if r.last_year is not None]
    secured, expected, best = (
        sum((r.secured for r in rows), ZERO),
        sum((r.expected for r in rows), ZERO),
        sum((r.best for r in rows), ZERO),
    )
    return Totals(
        max=sum((r.max for r in rows), ZERO),
        last_year=sum(last_years, ZERO) if last_years else None,
        secured=secured,
        expected=expected,
        best=best,
        at_risk=best - expected,
    )


def _area(code: str, name: str, totals: Totals) -> AreaForecast:
    return AreaForecast(
        code, name, totals.max, totals.last_year, totals.secured, totals.expected, totals.best, totals.at_risk
    )


def _deviation(
    criteria: list[CriterionStatus], forecasts: tuple[CriterionForecast, ...], threshold: Decimal, penalty: Decimal
) -> DeviationWarning | None:
    if penalty <= 0:
        return None
    pairs = [
        (c.self_score, c.code, f.expected)
        for c, f in zip(criteria, forecasts)
        if c.rule_type != NOT_APPLICABLE and c.self_score is not None
    ]
    if not pairs:
        return None
    self_total = sum((self_score for self_score, _, _ in pairs), ZERO)
    expected_total = sum((expected for _, _, expected in pairs), ZERO)
    if self_total - expected_total <= expected_total * threshold / HUNDRED:
        return None
    return DeviationWarning(
        penalty, [code for self_score, code, expected in pairs if self_score > expected], self_total, expected_total
    )
