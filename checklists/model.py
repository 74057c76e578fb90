"""The rubric as plain data: what a validated catalog file holds. No Flask, no database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str


@dataclass(frozen=True)
class RuleSpec:
    type: str
    params: dict[str, Any]  # the mapping under `rule:` without `type` (see checklists.rules)


@dataclass(frozen=True)
class ReportSpec:
    """A periodic report: the period it covers, the day its figures are cut off (chốt số liệu, set by Nghị định
    09/2019/NĐ-CP for the administration's periodic reports), the day it must be sent (hạn gửi, set by the body
    that asks for it), and the source of those days: document number and article, and what was not confirmed.
    A catalog file must give the source (the loader refuses a report without one)."""

    period: str
    deadline: date
    cutoff: date | None = None
    source: str | None = None


LOSS_CAUSE_TYPES = (
    "missing_evidence",
    "late_report",
    "late_task",
    "target_not_met",
    "equipment_missing",
    "self_score_deviation",
    "other",
)


@dataclass(frozen=True)
class LossCause:
    type: str
    text: str


@dataclass(frozen=True)
class ItemSpec:
    code: str
    title: str
    checks: str
    owner: str
    due: date | None
    weight: Decimal
    report: ReportSpec | None
    requires_signature: bool = False  # the document must carry a digital signature (a pre-check)
    min_pages: int | None = None  # the document must have at least this many pages (a pre-check)


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    title: str
    max_points: Decimal
    rule: RuleSpec
    department: str | None
    last_year_score: Decimal | None
    points_estimated: bool
    loss_causes: tuple[LossCause, ...]
    items: tuple[ItemSpec, ...]
    # how last year's score was obtained when it is not last year's own figure: "đã quy đổi …" with the factor,
    # or the former code of a criterion that moved
    last_year_note: str | None = None

    @property
    def applicable(self) -> bool:
        return self.rule.type != "not_applicable"


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    max_points: Decimal
    last_year_score: Decimal | None
    loss_causes: tuple[str, ...]
    criteria: tuple[CriterionSpec, ...]


@dataclass(frozen=True)
class LastYear:
    year: int
    score: Decimal
    note: str | None


@dataclass(frozen=True)
class IndexSpec:
    code: str
    name: str
    year: int
    max_points: Decimal
    assessment_date: date
    deviation_threshold_percent: Decimal
    deviation_penalty_points: Decimal
    last_year: LastYear | None
    source: str | None
    deviation_source: str | None = None  # the document that sets the penalty; without one no penalty applies


@dataclass(frozen=True)
class Catalog:
    index: IndexSpec
    departments: tuple[DepartmentSpec, ...]
    areas: tuple[AreaSpec, ...] = field(default_factory=tuple)

    def criteria(self) -> Iterator[CriterionSpec]:
        for area in self.areas:
            yield from area.criteria

    def items(self) -> Iterator[ItemSpec]:
        for criterion in self.criteria():
            yield from criterion.items
