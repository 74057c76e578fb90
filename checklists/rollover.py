"""Roll a catalog into another cycle: the same rubric, its assessment on another day, every date moved with it.

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
from datetime import date, timedelta

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


def _roll_params(value: object, years: int, around: int, shift: timedelta) -> object:
    if isinstance(value, dict):
        return {k: _roll_params(v, years, around, shift) for k, v in value.items()}
    if isinstance(value, list):
        return [_roll_params(v, years, around, shift) for v in value]
    if isinstance(value, str):
        return roll_text(value, years, around)
    if isinstance(value, date):  # a rule's own day (an event_count's period) moves with every other date
        return value + shift
    return value


def roll_catalog(catalog: Catalog, assessment_date: date, *, year: int | None = None) -> Catalog:
    """The catalog's rubric in the cycle whose assessment is on `assessment_date` (see the module docstring)."""
    spec = catalog.index
    year = assessment_date.year if year is None else year
    shift = assessment_date - spec.assessment_date
    years = year - spec.year

    def text(value: str) -> str:
        return roll_text(value, years, spec.year)

    def day(value: date | None) -> date | None:
        return None if value is None else value + shift

    last_year = spec.last_year
    if last_year is not None and years:
        note = text(last_year.note) if last_year.note else None
        origin = f"số liệu năm {last_year.year}, dùng làm kết quả năm trước của chu kỳ {year}"
        last_year = LastYear(
            last_year.year + years, last_year.score, f"{note} ({origin})" if note else origin.capitalize()
        )
    index = dataclasses.replace(
        spec, name=text(spec.name), year=year, assessment_date=assessment_date, last_year=last_year
    )

    def item(i: ItemSpec) -> ItemSpec:
        report = None if i.report is None else ReportSpec(text(i.report.period), i.report.deadline + shift)
        return dataclasses.replace(i, title=text(i.title), checks=text(i.checks), due=day(i.due), report=report)

    def criterion(c: CriterionSpec) -> CriterionSpec:
        return dataclasses.replace(
            c,
            title=text(c.title),
            rule=RuleSpec(c.rule.type, {k: _roll_params(v, years, spec.year, shift) for k, v in c.rule.params.items()}),
            loss_causes=tuple(LossCause(cause.type, text(cause.text)) for cause in c.loss_causes),
            items=tuple(item(i) for i in c.items),
        )

    def area(a: AreaSpec) -> AreaSpec:
        return dataclasses.replace(
            a,
            name=text(a.name),
            loss_causes=tuple(text(t) for t in a.loss_causes),
            criteria=tuple(criterion(c) for c in a.criteria),
        )

    return Catalog(index=index, departments=catalog.departments, areas=tuple(area(a) for a in catalog.areas))
