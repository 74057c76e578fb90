"""What the forecast gives: per criterion, per area, per department and for the whole index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from ..numbers import ZERO

RISK_LEVELS = ("secured", "on_track", "at_risk", "critical", "lost")


def _num(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _figures(row: Totals | AreaForecast) -> dict[str, float | None]:
    return {k: _num(getattr(row, k)) for k in ("max", "last_year", "secured", "expected", "best", "at_risk")}


@dataclass(frozen=True)
class Totals:
    max: Decimal
    last_year: Decimal | None
    secured: Decimal
    expected: Decimal
    best: Decimal
    at_risk: Decimal
    penalty: Decimal = ZERO  # the self-score deviation penalty, already taken off secured and expected

    def to_dict(self) -> dict[str, Any]:
        return _figures(self)


@dataclass(frozen=True)
class AreaForecast:
    code: str
    name: str
    max: Decimal
    last_year: Decimal | None
    secured: Decimal
    expected: Decimal
    best: Decimal
    at_risk: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, **_figures(self)}


@dataclass(frozen=True)
class CriterionForecast:
    code: str
    title: str
    area_code: str
    area_name: str
    max: Decimal
    last_year: Decimal | None
    secured: Decimal
    expected: Decimal
    best: Decimal
    at_risk: Decimal
    risk: str
    reasons: list[str]
    owner: str | None
    due: date | None
    estimated: bool
    reason: str = ""  # the one line that says why (the first thing to read)
    probability: Decimal = ZERO  # p: expected = secured + p × (best − secured)
    priority: Decimal = ZERO  # points at stake × how late: the list of criteria at risk is sorted by it
    remainder: bool = False  # a block of criteria not yet in the rubric ("Các tiêu chí còn lại")

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "area": self.area_code,
            "max": _num(self.max),
            "last_year": _num(self.last_year),
            "secured": _num(self.secured),
            "expected": _num(self.expected),
            "best": _num(self.best),
            "at_risk": _num(self.at_risk),
            "risk": self.risk,
            "reason": self.reason,
            "reasons": list(self.reasons),
            "owner": self.owner,
            "due": self.due.isoformat() if self.due else None,
            "probability": float(self.probability),
            "priority": _num(self.priority),
            "remainder": self.remainder,
        }


@dataclass(frozen=True)
class DepartmentForecast:
    code: str
    name: str
    rate_per_week: Decimal  # approvals per week over the pace window
    remaining: int
    waiting: int
    sent_back: int
    weeks_needed: Decimal | None  # None: items remain and nothing was approved in the window
    on_time: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "rate_per_week": _num(self.rate_per_week),
            "remaining": self.remaining,
            "waiting": self.waiting,
            "sent_back": self.sent_back,
            "weeks_needed": _num(self.weeks_needed),
            "on_time": self.on_time,
        }


class DeviationWarning(NamedTuple):
    penalty_points: Decimal
    criteria: list[str]
    self_score_total: Decimal
    expected_total: Decimal


@dataclass(frozen=True)
class IndexForecast:
    today: date
    assessment_date: date
    criteria: tuple[CriterionForecast, ...]
    areas: tuple[AreaForecast, ...]
    totals: Totals
    departments: tuple[DepartmentForecast, ...]
    deviation_warning: DeviationWarning | None
    closed: bool = False
