"""binary: the maximum when every item is approved, otherwise 0."""

from __future__ import annotations

from decimal import Decimal

from ..numbers import ZERO
from .base import Case, NumberText, RuleType, Scores, Translate
from .parameters import Params


class Binary(RuleType):
    name = "binary"

    @classmethod
    def score(cls, case: Case) -> Scores:
        approved, alive = case.gates()
        return Scores(case.max if approved else ZERO, case.max if alive else ZERO, case.max if alive else ZERO)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        return translate("Met or not met: full points when every document is approved.")

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return "Có: đủ điểm; Không: 0 điểm"

    # Read back: any text no other rule type recognises is binary (see sheets.parse_rule).
