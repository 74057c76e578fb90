"""Roll a catalog into another cycle: the same rubric, its assessment on another day, every date moved with it.

Two ways: `roll_to_year(catalog, year)` makes last year's rubric the starting point of next year's (each date on
the same day of the new year, item codes of the new year, last year's history left for the import to carry:
see its docstring and FORMAT.md); `roll_catalog` below replays a rubric at another moment (the demo).

`roll_catalog(catalog, assessment_date, year=…)` returns a new Catalog (the one given is never changed, nor its
file):
- every date (the assessment date, each item's due date and report deadline) moves by the same number of days,
  assessment_date − the catalog's assessment date, so their order and their spacing stay as the rubric set them;
  `shift_to_weeks_ahead` picks such an assessment date a whole number of weeks away, so that each date also stays
  on its weekday (a deadline on a Friday stays on a Friday);
- the index's year becomes `year` (default: the year of `assessment_date`), and every year written in a text —
  "Quý I/2024", "năm 2024", "6 tháng/2024", last year's "năm 2023" — moves by as many years. A year inside a
  date ("ngày 14/5/2024") or a range ("2021-2025") is a reference to a real document and stays, and so does the
  index's `source`. Texts rolled: the index's name, areas' names and loss causes, criteria's titles, loss
  causes and rule labels, items' titles, checks and report periods, and last year's note;
- last year's result keeps its scores; it is labelled as the year before the new one, and its note says which
  year the figures come from."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from .model import AreaSpec, Catalog, CriterionSpec, ItemSpec, LastYear, LossCause, ReportSpec, RuleSpec

# A year on its own: not the end of a date (14/5/2024, 14-5-2024, 14.5.2024), not part of a range (2021-2025).
_YEAR = re.compile(r"(?<!\d)(?<!\d[/.\-])(\d{4})(?!\d|[-–]\d)")


def shift_to_weeks_ahead(today: date, assessment_date: date, weeks: int = 6) -> timedelta:
    """The whole number of weeks that brings `assessment_date` nearest to `weeks` weeks after `today`."""
    target = today + timedelta(weeks=weeks)
    return timedelta(weeks=round((target - assessment_date).days / 7))


def roll_text(text: str, years: int, around: int) -> str:
    """Move every year written on its own in `text` by `years`; only years near the catalog's (around − 2 …
    around + 1), so that a law's or a plan's own year (Nghị quyết … 2021) stays."""
    if not text or years == 0:
        return text

    def move(match: re.Match[str]) -> str:
        value = int(match.group(1))
        return str(value + years) if around - 2 <= value <= around + 1 else match.group(1)

    return _YEAR.sub(move, text)


def _roll_params(value: object, years: int, around: int, day: Callable[[date], date]) -> object:
    if isinstance(value, dict):
        return {k: _roll_params(v, years, around, day) for k, v in value.items()}
    if isinstance(value, list):
        return [_roll_params(v, years, around, day) for v in value]
    if isinstance(value, str):
        return roll_text(value, years, around)
    if isinstance(value, date):  # a rule's own day (an event_count's period) moves with every other date
        return day(value)
    return value


STAND_IN = "Tạm dùng đến khi có kết quả năm trước"  # a last-year score that the year's results replace


def is_stand_in(note: str | None) -> bool:
    return bool(note) and note.startswith(STAND_IN)  # type: ignore[union-attr]


def roll_catalog(catalog: Catalog, assessment_date: date, *, year: int | None = None) -> Catalog:
    """The catalog's rubric in the cycle whose assessment is on `assessment_date` (see the module docstring)."""
    shift = assessment_date - catalog.index.assessment_date
    return _roll(
        catalog,
        year=assessment_date.year if year is None else year,
        day=lambda value: value + shift,
        codes=False,
        history=True,
    )


def roll_to_year(catalog: Catalog, year: int) -> Catalog:
    """Last year's rubric as the starting point of `year`'s: every date on the same day of `year` (29/02 → 28/02),
    so that a cut-off on the 14th stays on the 14th; texts' years moved; each rule and its parameters, each
    item's weight, owner, report period, cut-off, deadline and source kept (a source names a real document and
    stays); item codes made the new year's own (`CCHC-1.1-a` → `CCHC-2025-1.1-a`), since items are unique
    within a unit and last year's stay beside them. Last year's history (scores, causes, the index's last
    result) is left out: it is `year - 1`'s results, carried in when the rubric is imported (evidence_app's
    cycle.carry), not the figures the old file carried."""
    years = year - catalog.index.year

    def day(value: date) -> date:
        try:
            return value.replace(year=value.year + years)
        except ValueError:  # 29 February
            return value.replace(year=value.year + years, day=28)

    return _roll(catalog, year=year, day=day, codes=True, history=False)


def year_code(code: str, index_code: str, year: int) -> str:
    """An item code made `year`'s own: the year after the index code replaced, or inserted."""
    prefix = f"{index_code}-"
    if not code.startswith(prefix):
        return code
    rest = code[len(prefix) :]
    rest = re.sub(r"^\d{4}-", "", rest)
    return f"{prefix}{year}-{rest}"[:64]


def _roll(catalog: Catalog, *, year: int, day: Callable[[date], date], codes: bool, history: bool) -> Catalog:
    spec = catalog.index
    years = year - spec.year

    def text(value: str) -> str:
        return roll_text(value, years, spec.year)

    def maybe_day(value: date | None) -> date | None:
        return None if value is None else day(value)

    last_year = spec.last_year if history else None
    if last_year is not None and years:
        note = text(last_year.note) if last_year.note else None
        origin = f"số liệu năm {last_year.year}, dùng làm kết quả năm trước của chu kỳ {year}"
        last_year = LastYear(
            last_year.year + years, last_year.score, f"{note} ({origin})" if note else origin.capitalize()
        )
    index = dataclasses.replace(
        spec, name=text(spec.name), year=year, assessment_date=day(spec.assessment_date), last_year=last_year
    )

    def item(i: ItemSpec) -> ItemSpec:
        report = (
            None
            if i.report is None
            else ReportSpec(text(i.report.period), day(i.report.deadline), maybe_day(i.report.cutoff), i.report.source)
        )
        return dataclasses.replace(
            i,
            code=year_code(i.code, spec.code, year) if codes and years else i.code,
            title=text(i.title),
            checks=text(i.checks),
            due=maybe_day(i.due),
            report=report,
        )

    def criterion(c: CriterionSpec) -> CriterionSpec:
        # a remainder block is forecast from last year's score: the old one stands in, marked, until the
        # results of the year before `year` are carried in
        stand_in = not history and c.rule.type == "remainder" and c.last_year_score is not None
        return dataclasses.replace(
            c,
            title=text(c.title),
            rule=RuleSpec(c.rule.type, {k: _roll_params(v, years, spec.year, day) for k, v in c.rule.params.items()}),
            last_year_score=c.last_year_score if history or stand_in else None,
            last_year_note=(
                c.last_year_note
                if history
                else f"{STAND_IN}: điểm năm {spec.last_year.year if spec.last_year else spec.year - 1}"
                if stand_in
                else None
            ),
            loss_causes=tuple(LossCause(cause.type, text(cause.text)) for cause in c.loss_causes) if history else (),
            items=tuple(item(i) for i in c.items),
        )

    def area(a: AreaSpec) -> AreaSpec:
        return dataclasses.replace(
            a,
            name=text(a.name),
            last_year_score=a.last_year_score if history else None,
            loss_causes=tuple(text(t) for t in a.loss_causes) if history else (),
            criteria=tuple(criterion(c) for c in a.criteria),
        )

    return Catalog(index=index, departments=catalog.departments, areas=tuple(area(a) for a in catalog.areas))


def catalog_mapping(catalog: Catalog) -> dict[str, Any]:
    """A Catalog as the YAML mapping of FORMAT.md (numbers as Decimals, dates as dates): `parse_catalog` of its
    dump gives the same catalog."""
    spec = catalog.index
    index: dict[str, Any] = {
        "code": spec.code,
        "name": spec.name,
        "year": spec.year,
        "max_points": spec.max_points,
        "assessment_date": spec.assessment_date,
    }
    if spec.deviation_source or spec.deviation_penalty_points:
        index["deviation"] = {
            "threshold_percent": spec.deviation_threshold_percent,
            "penalty_points": spec.deviation_penalty_points,
            **({"source": spec.deviation_source} if spec.deviation_source else {}),
        }
    if spec.last_year is not None:
        index["last_year"] = {"year": spec.last_year.year, "score": spec.last_year.score}
        if spec.last_year.note:
            index["last_year"]["note"] = spec.last_year.note
    if spec.source:
        index["source"] = spec.source

    def item(i: ItemSpec) -> dict[str, Any]:
        entry: dict[str, Any] = {"code": i.code, "title": i.title, "checks": i.checks, "owner": i.owner}
        if i.due is not None and (i.report is None or i.due != i.report.deadline):
            entry["due"] = i.due
        if i.weight != 1:
            entry["weight"] = i.weight
        if i.requires_signature:
            entry["requires_signature"] = True
        if i.min_pages:
            entry["min_pages"] = i.min_pages
        if i.report is not None:
            entry["report"] = {"period": i.report.period}
            if i.report.cutoff is not None:
                entry["report"]["cutoff"] = i.report.cutoff
            entry["report"]["deadline"] = i.report.deadline
            entry["report"]["source"] = i.report.source
        return entry

    def criterion(c: CriterionSpec) -> dict[str, Any]:
        entry: dict[str, Any] = {"code": c.code, "title": c.title, "max_points": c.max_points}
        if c.points_estimated:
            entry["points_estimated"] = True
        if c.last_year_score is not None:
            entry["last_year_score"] = c.last_year_score
        if c.last_year_note:
            entry["last_year_note"] = c.last_year_note
        if c.department:
            entry["department"] = c.department
        entry["rule"] = {"type": c.rule.type, **c.rule.params}
        if c.loss_causes:
            entry["loss_causes"] = [{"type": x.type, "text": x.text} for x in c.loss_causes]
        if c.items:
            entry["items"] = [item(i) for i in c.items]
        return entry

    areas = []
    for a in catalog.areas:
        entry: dict[str, Any] = {"code": a.code, "name": a.name, "max_points": a.max_points}
        if a.last_year_score is not None:
            entry["last_year_score"] = a.last_year_score
        if a.loss_causes:
            entry["loss_causes"] = list(a.loss_causes)
        entry["criteria"] = [criterion(c) for c in a.criteria]
        areas.append(entry)
    return {
        "format": 1,
        "departments": [{"code": d.code, "name": d.name} for d in catalog.departments],
        "index": index,
        "areas": areas,
    }
