"""Days as people write them: one set of formats for forms, the API, the CLI and spreadsheets.

A day is written dd/mm/yyyy in Vietnam (14/03/2024), also with dots or dashes (14.03.2024, 14-03-2024); date
pickers and the API send ISO (2024-03-14). Every place that reads a day from a person goes through
`parse_day`, so a date accepted by one form is accepted by all (the same formats as `checklists.tables.day`,
which reads spreadsheet cells).
"""

from __future__ import annotations

from datetime import date, datetime

import click
from flask_babel import lazy_gettext as _l

from checklists.tables import DAY_FORMATS

from . import clock

FORMAT_HINT = _l("Enter the date as dd/mm/yyyy, for example 14/03/2024.")


FIRST_YEAR, LAST_YEAR = 1900, 2100  # a document, a measurement or a report of this world


def parse_day(raw: str | None) -> date | None:
    """The day written in `raw`, or None when it is empty, not a day in any accepted format, or outside
    1900–2100 (0001-01-01 and 9999-12-31 are typing slips, not dates of documents)."""
    text = (raw or "").strip()
    for fmt in DAY_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if FIRST_YEAR <= day.year <= LAST_YEAR else None
    return None


def as_of_day(raw: str | None) -> date | None:
    """The day a report is as of: empty means today; None when it is not a day between 2000 and 2100."""
    if not (raw or "").strip():
        return clock.today()
    day = parse_day(raw)
    return day if day is not None and 2000 <= day.year <= 2100 else None


def show_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


class DayParam(click.ParamType):
    """A day on the command line, in any of the formats above (`--today 10/03/2024`, `--as-of 2024-03-10`)."""

    name = "DD/MM/YYYY"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        day = parse_day(value)
        if day is None:
            self.fail(
                f"{value!r} is not a date: write it as DD/MM/YYYY (or YYYY-MM-DD), for example 14/03/2024.", param, ctx
            )
        return day


DAY = DayParam()
