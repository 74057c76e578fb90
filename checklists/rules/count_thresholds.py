"""count_thresholds: the highest points among the thresholds the count reaches. The count is the latest
measurement (gated by every item) or, without measurements, the number of approved items."""

from __future__ import annotations

import re
from decimal import Decimal

from ..numbers import ZERO, dec
from .base import NUMBER, Case, NumberText, RuleType, Scores, Translate, joint_p, read_number, sheet_number, weighted_p
from .parameters import Params, Problems, check_strictly_decreasing, check_tiers


class CountThresholds(RuleType):
    name = "count_thresholds"
    parameters = frozenset({"thresholds"})
    measure = "count"

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        problems: Problems = []
        rows = check_tiers(
            params, "thresholds", problems, {"min": {"low": 0}, "points": {"low": 0, "high": max_points}}
        )
        check_strictly_decreasing(rows, "min", "thresholds", problems)
        return problems

    @classmethod
    def score(cls, case: Case) -> Scores:
        thresholds = case.params["thresholds"]
        if not case.measured:
            best = threshold_points(thresholds, Decimal(sum(i.state != "lost" for i in case.items)))
            return Scores(
                threshold_points(thresholds, Decimal(sum(i.state == "approved" for i in case.items))), best, best
            )
        approved, alive = case.gates()
        now = threshold_points(thresholds, case.count_now)
        return Scores(now if approved else ZERO, now, max(dec(t["points"]) for t in thresholds) if alive else ZERO)

    @classmethod
    def items_p(cls, case: Case) -> Decimal:
        """Counted one by one when nothing is measured; gating a measured count."""
        return joint_p(case.items) if case.measured else weighted_p(case.items)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        thresholds = "; ".join(f"≥ {number(t['min'])} → {number(t['points'])}" for t in params["thresholds"])
        return f"{translate('By count:')} {thresholds}; {translate('otherwise 0')}"

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return "Theo số lượng: " + "; ".join(
            f"≥{sheet_number(t['min'])}: {sheet_number(t['points'])} điểm" for t in params["thresholds"]
        )

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        if not folded.startswith("theo so luong"):
            return None
        found = re.findall(rf"≥\s*{NUMBER}\s*:\s*{NUMBER}", text)
        return {"type": cls.name, "thresholds": [{"min": read_number(a), "points": read_number(b)} for a, b in found]}


def threshold_points(thresholds: list[Params], count: Decimal | None) -> Decimal:
    reached = [dec(t["points"]) for t in thresholds if count is not None and count >= dec(t["min"])]
    return max(reached, default=ZERO)
