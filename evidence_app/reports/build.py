"""Build the report of a unit (or the league table of every unit) as of a day: the query layer feeds the pure
rules of checklists.scoring, and the result becomes the one dict every export renders."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from checklists.scoring import IndexForecast, forecast_index

from ..audit import chain_head
from ..auth.models import Unit
from ..catalog.models import Index
from ..cycle.models import ResultSet
from ..extensions import db
from ..sqltypes import utcnow
from ..units.baselines import combine_rows
from ..units.queries import unit_boundaries
from .league_cache import keep, keep_report, kept_report, kept_rows, unit_mark, unit_marks
from .queries import indices_status


@contextmanager
def _collector_paused():
    """The league table builds a few million short-lived objects without reference cycles; the cyclic garbage
    collector would walk them again and again as they pile up (a quarter of the time). Reference counting
    still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _forecasts(indices: list[Index], as_of: date) -> list[tuple[Index, IndexForecast]]:
    """The assessment date closes a cycle: an index whose date has passed reads its inputs as they stood at the
    end of that day, whatever the report's day (one query per distinct day, a handful at most)."""
    by_day: dict[date, list[int]] = {}
    for index in indices:
        by_day.setdefault(min(as_of, index.assessment_date), []).append(index.id)
    with _collector_paused():
        statuses = {}
        for day, ids in by_day.items():
            statuses.update(indices_status(ids, day))
        return [
            (
                index,
                forecast_index(
                    *statuses[index.id],
                    today=as_of,
                    assessment_date=index.assessment_date,
                    deviation_threshold_percent=index.deviation_threshold_percent,
                    deviation_penalty_points=_penalty(index),
                ),
            )
            for index in indices
        ]


def _penalty(index: Index) -> Decimal:
    """A penalty applies only when a document names it (the catalog's `deviation.source`)."""
    return index.deviation_penalty_points if index.deviation_source else Decimal(0)


def _official_results(indices: list[Index]) -> dict[int, ResultSet]:
    """The province's official scores of each index's own year, where imported."""
    rows = db.session.execute(select(ResultSet).where(ResultSet.index_id.in_([i.id for i in indices]))).scalars()
    years = {i.id: i.year for i in indices}
    return {r.index_id: r for r in rows if r.year == years[r.index_id]}


def _num(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _totals(index: Index, forecast: IndexForecast) -> dict:
    totals = forecast.totals.to_dict()
    if index.last_year_score is not None:  # the published figure, not the sum of rounded pillars (696, not 695.9)
        totals["last_year"] = _num(index.last_year_score)
    return totals


def index_dict(index: Index, forecast: IndexForecast, official: ResultSet | None = None) -> dict:
    warning = forecast.deviation_warning
    totals = {**_totals(index, forecast), "penalty": _num(forecast.totals.penalty)}
    return {
        "code": index.code,
        "name": index.name,
        "year": index.year,
        "id": index.id,
        "assessment_date": index.assessment_date.isoformat(),
        "closed": forecast.closed,
        "last_year_published": _num(index.last_year_score),
        "official": None
        if official is None
        else {
            "final_total": _num(official.final_total),
            "published_total": _num(official.published_total),
            "error": _num(forecast.totals.expected - (official.published_total or official.final_total)),
        },
        "deviation_source": index.deviation_source,
        "totals": totals,
        "areas": [a.to_dict() for a in forecast.areas],
        "departments": [d.to_dict() for d in forecast.departments],
        "deviation_warning": None
        if warning is None
        else {
            "penalty_points": _num(warning.penalty_points),
            "criteria": list(warning.criteria),
            "self_score_total": _num(warning.self_score_total),
            "expected_total": _num(warning.expected_total),
            "threshold_percent": _num(index.deviation_threshold_percent),
        },
        "criteria": [{**c.to_dict(), "area_name": c.area_name, "estimated": c.estimated} for c in forecast.criteria],
    }


def build_report(unit: Unit, as_of: date, *, reference: bool = False) -> dict:
    """The unit's report as of a day. Its indices are computed once per day and change of the unit and kept
    (reports/league_cache.py); `reference=True` computes them again and keeps nothing (the tests compare)."""
    mark = None if reference else unit_mark(unit.id)  # read before the data: see league_cache
    indices = None if mark is None else kept_report(unit.id, as_of, mark)
    if indices is None:
        indices = _report_indices(unit, as_of)
        if mark is not None:
            keep_report(unit.id, as_of, mark, indices)
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "as_of": as_of.isoformat(),
        "generated_at": utcnow().replace(microsecond=0).isoformat(),
        "audit_head": chain_head(),  # an anchor kept by whoever keeps the report (`audit verify --anchor`)
        "indices": indices,
    }


def _report_indices(unit: Unit, as_of: date) -> list[dict]:
    indices = (
        db.session.execute(select(Index).where(Index.unit_id == unit.id).order_by(Index.code, Index.year))
        .scalars()
        .all()
    )
    official = _official_results(indices) if indices else {}
    return [index_dict(index, forecast, official.get(index.id)) for index, forecast in _forecasts(indices, as_of)]


# Indices computed together when league rows are (re)computed: one province's 354 indices in one statement (124,000
# items, ~1.5 s); 2,000 units' 4,000 in one ran past the statement timeout (benchmarks/report_speed.py --units 2000;
# batches of 200 took ~9 s each).
LEAGUE_BATCH = 400


def league_table(as_of: date, *, reference: bool = False) -> list[dict]:
    """Per index (code and year): every unit by expected score, with its points at risk, by the boundaries of
    `as_of` (evidence_app/units): a unit merged by then is counted within the unit it was merged into (the parts'
    figures combined, last year's score the merge's baseline), a unit not yet established is left out, and each
    unit carries the name it had on that day. Each index's row is computed once per day and change of its unit
    (reports/league_cache.py); `reference=True` computes every row again and keeps none (the tests compare)."""
    marks = {} if reference else unit_marks()  # read before the data: see league_cache
    bounds = unit_boundaries(as_of)
    indices = [
        index
        for index in db.session.execute(select(Index).order_by(Index.code, Index.year)).scalars()
        if bounds.shown_as(index.unit_id) is not None
    ]
    rows_by_index = {} if reference else kept_rows([i.id for i in indices], as_of, marks)
    missing = [i for i in indices if i.id not in rows_by_index]
    computed = [
        (index.id, index.unit_id, _league_row(index, forecast))
        for start in range(0, len(missing), LEAGUE_BATCH)
        for index, forecast in _forecasts(missing[start : start + LEAGUE_BATCH], as_of)
    ]
    rows_by_index.update((index_id, row) for index_id, _, row in computed)
    parts: dict[tuple[str, int], dict[int, list[tuple[dict, Decimal]]]] = {}
    names: dict[tuple[str, int], str] = {}
    for index in indices:
        names[(index.code, index.year)] = index.name
        shown = bounds.shown_as(index.unit_id)
        row = rows_by_index[index.id]
        parts.setdefault((index.code, index.year), {}).setdefault(shown, []).append((row, bounds.weight(index.unit_id)))
    tables = []
    for (code, year), by_unit in parts.items():
        rows = []
        for unit_id, unit_parts in by_unit.items():
            row = unit_parts[0][0] if len(unit_parts) == 1 else combine_rows(unit_parts)
            reorganised, baseline = bounds.baseline(unit_id, code, year)
            if reorganised:
                row = {**row, "last_year": None if baseline is None else float(baseline)}
            rows.append({"unit": bounds.codes[unit_id], "unit_name": bounds.names[unit_id], **row})
        rows.sort(key=lambda row: (-row["expected"], row["at_risk"], row["unit"]))
        for position, row in enumerate(rows, start=1):  # ties are shown as ties: equal expected, equal rank
            tied = position > 1 and row["expected"] == rows[position - 2]["expected"]
            row["rank"] = rows[position - 2]["rank"] if tied else position
        tables.append({"code": code, "year": year, "name": names[(code, year)], "rows": rows})
    if not reference:
        keep(computed, as_of, marks)
    return tables


def _league_row(index: Index, forecast: IndexForecast) -> dict:
    return {
        **_totals(index, forecast),
        "critical": sum(1 for c in forecast.criteria if c.risk in ("critical", "lost")),
    }
