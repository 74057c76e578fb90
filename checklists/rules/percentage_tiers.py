"""percentage_tiers: the maximum × the highest fraction among the tiers whose minimum percent is reached."""

from __future__ import annotations

import re
from decimal import Decimal

from ..numbers import ZERO, dec
from .base import NUMBER, Case, NumberText, RuleType, Scores, Translate, read_number, sheet_number
from .parameters import Params, Problems, check_strictly_decreasing, check_tiers


class PercentageTiers(RuleType):
    name = "percentage_tiers"
    parameters = frozenset({"tiers"})
    measure = "percent"

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        problems: Problems = []
        rows = check_tiers(
            params, "tiers", problems, {"min_percent": {"low": 0, "high": 100}, "fraction": {"low": 0, "high": 1}}
        )
        check_strictly_decreasing(rows, "min_percent", "tiers", problems)
        return problems

    @classmethod
    def score(cls, case: Case) -> Scores:
        tiers = case.params["tiers"]
        now = case.max * tier_by_percent(tiers, case.percent_now)
        approved, alive = case.gates()
        return Scores(
            now if approved else ZERO, now, case.max * max(dec(t["fraction"]) for t in tiers) if alive else ZERO
        )

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        tiers = "; ".join(
            f"≥ {number(t['min_percent'])}% → {number(float(max_points) * float(t['fraction']))}"
            for t in params["tiers"]
        )
        return f"{translate('By percentage:')} {tiers}; {translate('otherwise 0')}"

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return "Theo tỷ lệ đạt: " + "; ".join(
            f"≥{sheet_number(t['min_percent'])}%: {sheet_number(dec(t['fraction']) * 100)}% điểm"
            for t in params["tiers"]
        )

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        if not folded.startswith("theo ty le dat"):
            return None
        tiers = re.findall(rf"≥\s*{NUMBER}\s*%\s*:\s*{NUMBER}\s*%", text)
        return {
            "type": cls.name,
            "tiers": [{"min_percent": read_number(a), "fraction": read_number(b) / 100} for a, b in tiers],
        }


def tier_by_percent(tiers: list[Params], percent: Decimal | None) -> Decimal:
    reached = [dec(t["fraction"]) for t in tiers if percent is not None and percent >= dec(t["min_percent"])]
    return max(reached, default=ZERO)
