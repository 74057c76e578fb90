"""The scoring rule types a criterion can have, and the checks on their parameters.

Each checker receives the rule's parameters (the mapping under `rule:` without `type`) and the criterion's
maximum, and returns a list of (parameter path, problem) pairs; an empty list means the rule is usable.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Callable

Problems = list[tuple[str, str]]


def as_decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, str)):
        try:
            result = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def _number(params: dict, name: str, problems: Problems, *, low=None, high=None, low_open=False) -> Decimal | None:
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


def _list_of_tiers(params: dict, name: str, problems: Problems, fields: dict[str, dict]) -> list[dict]:
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
            row[field_name] = _number(tier, field_name, sub, **limits)
            problems.extend((f"{name}[{i}].{path}", msg) for path, msg in sub)
        checked.append(row)
    return checked


def _strictly_decreasing(rows: list[dict], key: str, name: str, problems: Problems) -> None:
    values = [row.get(key) for row in rows]
    if None in values:
        return
    for i in range(1, len(values)):
        if values[i] >= values[i - 1]:
            problems.append((f"{name}[{i}].{key}", f"is {values[i]}, not below {values[i - 1]}: list the tiers from the highest {key} down"))


def check_binary(params: dict, max_points: Decimal) -> Problems:
    return []


def check_not_applicable(params: dict, max_points: Decimal) -> Problems:
    return []


def check_remainder(params: dict, max_points: Decimal) -> Problems:
    return []


def check_tiered(params: dict, max_points: Decimal) -> Problems:
    problems: Problems = []
    _list_of_tiers(params, "tiers", problems, {"label": {}, "fraction": {"low": 0, "high": 1}})
    return problems


def check_count_thresholds(params: dict, max_points: Decimal) -> Problems:
    problems: Problems = []
    rows = _list_of_tiers(params, "thresholds", problems, {"min": {"low": 0}, "points": {"low": 0, "high": max_points}})
    _strictly_decreasing(rows, "min", "thresholds", problems)
    return problems


def check_ratio(params: dict, max_points: Decimal) -> Problems:
    problems: Problems = []
    _number(params, "target_percent", problems, low=0, low_open=True, high=100)
    return problems


def check_deduction(params: dict, max_points: Decimal) -> Problems:
    problems: Problems = []
    _number(params, "per_violation", problems, low=0, low_open=True)
    if "max_deduction" in params:
        _number(params, "max_deduction", problems, low=0, low_open=True, high=max_points)
    return problems


def check_percentage_tiers(params: dict, max_points: Decimal) -> Problems:
    problems: Problems = []
    rows = _list_of_tiers(params, "tiers", problems, {"min_percent": {"low": 0, "high": 100}, "fraction": {"low": 0, "high": 1}})
    _strictly_decreasing(rows, "min_percent", "tiers", problems)
    return problems


RULE_TYPES: dict[str, Callable[[dict, Decimal], Problems]] = {
    "binary": check_binary,
    "tiered": check_tiered,
    "count_thresholds": check_count_thresholds,
    "ratio": check_ratio,
    "deduction": check_deduction,
    "percentage_tiers": check_percentage_tiers,
    "not_applicable": check_not_applicable,
    "remainder": check_remainder,   # "Các tiêu chí còn lại": forecast from last year's result until the rubric is imported
}

ALLOWED_PARAMS = {
    "binary": set(),
    "tiered": {"tiers"},
    "count_thresholds": {"thresholds"},
    "ratio": {"target_percent"},
    "deduction": {"per_violation", "max_deduction"},
    "percentage_tiers": {"tiers"},
    "not_applicable": set(),
    "remainder": set(),
}

LOSS_CAUSE_TYPES = ("missing_evidence", "late_report", "target_not_met", "equipment_missing", "self_score_deviation", "other")
