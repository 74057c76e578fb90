"""Checks shared by the rule types on their parameters (the mapping under `rule:` without `type`).

Each check appends (parameter path, problem) pairs to `problems`; an empty list means the rule is usable.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..numbers import as_decimal

Params = dict[str, Any]  # a rule's parameters as the catalog (YAML) or the database (JSON) holds them
Problems = list[tuple[str, str]]


def check_number(
    params: Params,
    name: str,
    problems: Problems,
    *,
    low: Decimal | int | None = None,
    high: Decimal | int | None = None,
    low_open: bool = False,
) -> Decimal | None:
    if name not in params:
        problems.append((name, "is missing: expected a number"))
        return None
    value = as_decimal(params[name])
    if value is None:
        problems.append((name, f"is {params[name]!r}: expected a number"))
        return None
    if low is not None and (value <= low if low_open else value < low):
        problems.append((name, f"is {value}: expected a number {'>' if low_open else '≥'} {low}"))
    if high is not None and value > high:
        problems.append((name, f"is {value}: expected a number ≤ {high}"))
    return value


def check_tiers(
    params: Params, name: str, problems: Problems, fields: dict[str, dict[str, Any]]
) -> list[dict[str, Decimal | None]]:
    """A non-empty list of mappings, each with `fields` (a text `label`, or numbers with the limits given)."""
    tiers = params.get(name)
    if not isinstance(tiers, list) or not tiers:
        problems.append((name, "is missing or empty: expected a list of tiers"))
        return []
    checked = []
    for i, tier in enumerate(tiers):
        if not isinstance(tier, dict):
            problems.append((f"{name}[{i}]", "is not a mapping"))
            continue
        row = {}
        for field_name, limits in fields.items():
            if field_name == "label":
                if not isinstance(tier.get("label"), str) or not tier["label"].strip():
                    problems.append((f"{name}[{i}].label", "is missing: expected a text"))
                continue
            sub: Problems = []
            row[field_name] = check_number(tier, field_name, sub, **limits)
            problems.extend((f"{name}[{i}].{path}", msg) for path, msg in sub)
        checked.append(row)
    return checked


def check_strictly_decreasing(rows: list[dict[str, Decimal | None]], key: str, name: str, problems: Problems) -> None:
    values = [value for row in rows if (value := row.get(key)) is not None]
    if len(values) < len(rows):  # a missing or wrong number is already reported
        return
    for i in range(1, len(values)):
        if values[i] >= values[i - 1]:
            problems.append(
                (
                    f"{name}[{i}].{key}",
                    f"is {values[i]}, not below {values[i - 1]}: list the tiers from the highest {key} down",
                )
            )


def check_text(params: Params, name: str, problems: Problems) -> str | None:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        problems.append((name, f"is {value!r}: expected a text"))
        return None
    return value.strip()


def read_day(value: object) -> date | None:
    """A day as a catalog (a YAML date, 2024-12-31 or 31/12/2024) or the database (ISO text) holds it."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                pass
    return None


def check_day(params: Params, name: str, problems: Problems) -> date | None:
    if name not in params:
        problems.append((name, "is missing: expected a date such as 2024-12-31"))
        return None
    day = read_day(params[name])
    if day is None:
        problems.append((name, f"is {params[name]!r}: expected a date such as 2024-12-31 (or 31/12/2024)"))
    return day
