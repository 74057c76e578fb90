"""ratio: the maximum × min(1, percent ÷ target), truncated to 4 decimals."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

from ..numbers import POINT_STEP, ZERO, dec
from .base import Case, NumberText, RuleType, Scores, Translate, read_number, sheet_number
from .parameters import Params, Problems, check_number


class Ratio(RuleType):
    name = "ratio"
    parameters = frozenset({"target_percent"})
    measure = "percent"

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        problems: Problems = []
        check_number(params, "target_percent", problems, low=0, low_open=True, high=100)
        return problems

    @classmethod
    def score(cls, case: Case) -> Scores:
        now = ratio_points(case.max, dec(case.params["target_percent"]), case.percent_now)
        approved, alive = case.gates()
        return Scores(now if approved else ZERO, now, case.max if alive else ZERO)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        return translate(
            "Ratio a/b against a target of %(target)s%%, times the maximum.", target=number(params["target_percent"])
        )

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return f"Tỷ lệ: đủ điểm khi đạt {sheet_number(params['target_percent'])}%"

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        if not folded.startswith("ty le"):
            return None
        target = re.search(r"(\d+(?:\.\d+)?)\s*%", folded)
        return {"type": cls.name, "target_percent": read_number(target.group(1)) if target else Decimal(100)}


def ratio_points(maximum: Decimal, target: Decimal, percent: Decimal | None) -> Decimal:
    if percent is None:
        return ZERO
    if percent >= target:
        return maximum
    return (maximum * max(percent, ZERO) / target).quantize(POINT_STEP, ROUND_DOWN)
