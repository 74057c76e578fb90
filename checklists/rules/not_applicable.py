"""not_applicable: a criterion the unit is not assessed on; its points are taken out of the maximum."""

from __future__ import annotations

from decimal import Decimal

from ..numbers import ZERO
from .base import Case, NumberText, RuleType, Scores, Translate
from .parameters import Params


class NotApplicable(RuleType):
    name = "not_applicable"

    @classmethod
    def score(cls, case: Case) -> Scores:
        return Scores(ZERO, ZERO, ZERO)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        return translate("Not applicable: its points are taken out of the maximum.")

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return "Không áp dụng"

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        return {"type": cls.name} if folded.startswith("khong ap dung") else None
