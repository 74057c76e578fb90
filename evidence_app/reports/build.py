"""Build the report of a unit (or the league table of every unit) as of a day: the query layer feeds the pure
rules of checklists.scoring, and the result becomes the one dict every export renders."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select

from checklists.scoring import IndexForecast, forecast_index

from ..auth.models import Unit
from ..catalog.models import Index
from ..extensions import db
from ..sqltypes import utcnow
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
    with _collector_paused():
        statuses = indices_status([i.id for i in indices], as_of)
        return [(index, forecast_index(*statuses[index.id], today=as_of, assessment_date=index.assessment_date,
                                       deviation_threshold_percent=index.deviation_threshold_percent,
                                       deviation_penalty_points=index.deviation_penalty_points))
                for index in indices]


def _num(value) -> float | None:
    return None if value is None else round(float(value), 2)


def index_dict(index: Index, forecast: IndexForecast) -> dict:
    warning = forecast.deviation_warning
    return {
        "code": index.code, "name": index.name, "year": index.year, "id": index.id,
        "assessment_date": index.assessment_date.isoformat(),
        "last_year_published": _num(index.last_year_score),
        "totals": forecast.totals.to_dict(),
        "areas": [a.to_dict() for a in forecast.areas],
        "departments": [d.to_dict() for d in forecast.departments],
        "deviation_warning": None if warning is None else {
            "penalty_points": _num(warning.penalty_points), "criteria": list(warning.criteria),
            "self_score_total": _num(warning.self_score_total), "expected_total": _num(warning.expected_total),
            "threshold_percent": _num(index.deviation_threshold_percent)},
        "criteria": [{**c.to_dict(), "area_name": c.area_name, "estimated": c.estimated} for c in forecast.criteria],
    }


def build_report(unit: Unit, as_of: date) -> dict:
    indices = db.session.execute(select(Index).where(Index.unit_id == unit.id).order_by(Index.code, Index.year)).scalars().all()
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "as_of": as_of.isoformat(),
        "generated_at": utcnow().replace(microsecond=0).isoformat(),
        "indices": [index_dict(index, forecast) for index, forecast in _forecasts(indices, as_of)],
    }


def league_table(as_of: date) -> list[dict]:
    """Per index (code and year): every unit by expected score, with its points at risk."""
    indices = db.session.execute(select(Index).order_by(Index.code, Index.year)).scalars().all()
    units = {u.id: u for u in db.session.execute(select(Unit)).scalars()}
    tables: dict[tuple[str, int], dict] = {}
    for index, forecast in _forecasts(indices, as_of):
        table = tables.setdefault((index.code, index.year), {"code": index.code, "year": index.year, "name": index.name,
                                                             "rows": []})
        unit = units[index.unit_id]
        table["rows"].append({"unit": unit.code, "unit_name": unit.name, **forecast.totals.to_dict(),
                              "critical": sum(1 for c in forecast.criteria if c.risk in ("critical", "lost"))})
    for table in tables.values():
        table["rows"].sort(key=lambda row: (-row["expected"], row["at_risk"], row["unit"]))
        for rank, row in enumerate(table["rows"], start=1):
            row["rank"] = rank
    return list(tables.values())
