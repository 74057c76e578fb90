"""What the forecast is given: plain data the query layer (or the simulation) builds, as of the report's day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..likelihood import ForecastParameters
from ..numbers import HUNDRED, ZERO
from ..rules import Params


@dataclass(frozen=True)
class ItemStatus:
    code: str
    title: str
    owner: str
    owner_name: str
    due: date | None
    weight: Decimal
    report_deadline: date | None
    approved_on: date | None
    sent_date: date | None
    waiting: bool
    sent_back: bool
    uploaded: bool
    # waiting, but every version awaiting review failed a pre-check (evidence/reading/prechecks.py): a likely
    # send-back, counted at risk like one until a reviewer decides
    flagged: bool = False


@dataclass(frozen=True)
class Measurement:
    measured_on: date
    numerator: Decimal
    denominator: Decimal | None
    source: str

    @property
    def percent(self) -> Decimal | None:
        if self.denominator is None or self.denominator == 0:
            return None
        return self.numerator * HUNDRED / self.denominator


@dataclass(frozen=True)
class CriterionStatus:
    code: str
    title: str
    area_code: str
    area_name: str
    max_points: Decimal
    rule_type: str
    rule_params: Params
    last_year: Decimal | None
    points_estimated: bool
    department: str | None
    department_name: str | None
    items: tuple[ItemStatus, ...]
    measurements: tuple[Measurement, ...]
    self_score: Decimal | None


@dataclass(frozen=True)
class DepartmentActivity:
    code: str
    name: str
    approvals: tuple[date, ...]
    waiting: int
    sent_back: int
    uploads: tuple[date, ...] = ()  # the days the department provided a document (one per upload or link)


@dataclass(frozen=True)
class Context:
    """The day of the forecast and what holds for every criterion of the index on it."""

    today: date
    assessment_date: date
    params: ForecastParameters
    index_max: Decimal
    provided: dict[str, int] = field(default_factory=dict)  # documents per department, in the pace window
    record: dict[str, tuple[int, int]] = field(default_factory=dict)  # per department: (items provided, items owed)

    @property
    def closed(self) -> bool:
        return self.today > self.assessment_date

    def pace(self, department: str | None, state: str) -> Decimal:
        """Where p sits in its state's band: the department's recent pace, or its track record if better and the
        state is one where a record of keeping up predicts the outcome (forecast.yaml, `pace.track_record`)."""
        if department is None:
            return self.params.pace(0)
        recent = self.params.pace(self.provided.get(department, 0))
        if state in self.params.track_record_states:
            provided, owed = self.record.get(department, (0, 0))
            return max(recent, Decimal(provided) / owed if owed else ZERO)
        return recent
