"""How the forecast writes numbers and days in its Vietnamese reasons."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..numbers import dec

CENT = Decimal("0.01")


def format_decimal(value: Decimal | int | float | str) -> str:
    """1.5 → "1,5", 15 → "15", 13.846 → "13,85": at most two decimals, a decimal comma."""
    text = format(dec(value).quantize(CENT, ROUND_HALF_UP), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return ("0" if text == "-0" else text).replace(".", ",")


def format_day(day: date, *, with_year: bool = False) -> str:
    return f"{day.day:02d}/{day.month:02d}" + (f"/{day.year}" if with_year else "")


def format_grouped(value: Decimal | int | float | str) -> str:
    """18000 → "18.000", 0.6667 → "0,67": format_decimal with the thousands grouped by points."""
    text = format_decimal(value)
    whole, _, fraction = text.partition(",")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        digits, tail = digits[:-3], digits[-3:]
        groups.insert(0, tail)
    grouped = ".".join([digits, *groups])
    return sign + grouped + ("," + fraction if fraction else "")
