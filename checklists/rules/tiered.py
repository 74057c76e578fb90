"""tiered: the maximum × the fraction of the tier the latest measurement names (1 = the first tier)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from ..numbers import ZERO, dec
from .base import NUMBER, Case, NumberText, RuleType, Scores, Translate, read_number, sheet_number
from .parameters import Params, Problems, check_tiers


class Tiered(RuleType):
    name = "tiered"
    parameters = frozenset({"tiers"})

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        problems: Problems = []
        check_tiers(params, "tiers", problems, {"label": {}, "fraction": {"low": 0, "high": 1}})
        return problems

    @classmethod
    def score(cls, case: Case) -> Scores:
        tiers = case.params["tiers"]
        now = case.max * tier_fraction(tiers, case.count_now) if case.count_now is not None else ZERO
        approved, alive = case.gates()
        best = case.max * max(dec(t["fraction"]) for t in tiers) if alive else ZERO
        return Scores(now if approved else ZERO, now, best)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        tiers = "; ".join(f"{t['label']} = {number(float(max_points) * float(t['fraction']))}" for t in params["tiers"])
        return f"{translate('By tier:')} {tiers}"

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return "Theo mức: " + "; ".join(
            f"{t['label']} = {sheet_number(dec(t['fraction']) * 100)}%" for t in params["tiers"]
        )

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        if not folded.startswith("theo muc"):
            return None
        found = re.findall(rf"([^:;=]+?)\s*=\s*{NUMBER}\s*%", text.split(":", 1)[1])
        return {
            "type": cls.name,
            "tiers": [{"label": label.strip(), "fraction": read_number(f) / 100} for label, f in found],
        }


def tier_fraction(tiers: list[Params], number: Decimal) -> Decimal:
    """The fraction of the tier `number` names (rounded; 1 = the first tier, beyond the last = the last)."""
    fractions = [dec(t["fraction"]) for t in tiers]
    n = int(number.to_integral_value(ROUND_HALF_UP))
    return fractions[n - 1] if 1 <= n <= len(fractions) else fractions[-1]
