"""Language, numbers and dates: Vietnamese first (86,34; 15/12/2024), English available."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_decimal
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale

from . import clock
from .extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the command line speaks the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
    chosen = session.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def format_points(value: Decimal | float | int | None, digits: int = 2) -> str:
    """86.34 → "86,34" in Vietnamese, "86.34" in English; whole numbers without decimals (17, 1.000)."""
    if value is None:
        return "—"
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return format_decimal(Decimal(str(value)), format=pattern, locale=str(get_locale()))


def format_day(value: date | datetime | None) -> str:
    """Dates as dd/mm/yyyy, whatever the language (the form Vietnamese offices use); a timestamp on the unit's day."""
    if value is None:
        return "—"
    return _local(value).strftime("%d/%m/%Y")


def format_moment(value: datetime | None) -> str:
    """A timestamp as dd/mm/yyyy HH:MM in the unit's time zone (stored timestamps are UTC); a camera's clock time
    (no zone) as the camera wrote it."""
    if value is None:
        return "—"
    return _local(value).strftime("%d/%m/%Y %H:%M")


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(clock.zone())
    return value


def parse_iso_day(value: str | date | None) -> date | None:
    """The report carries dates as ISO text (its JSON shape); templates turn them back into dates."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["points"] = format_points
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["isodate"] = parse_iso_day
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def language_context():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
