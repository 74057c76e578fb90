"""tiered: the maximum × the fraction of the tier reached.

Tiers with a `min` are reached by the measured value (the percent of a measurement with a total, else its
number): the highest fraction among the tiers whose `min` the latest measurement reaches, 0 below every one.
Tiers without `min` are qualitative (head = full, deputy = half, none = 0): the latest measurement records the
tier chosen by its label on the criterion's page (1 = the first tier)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from ..numbers import ZERO, dec
from .base import NUMBER, Case, NumberText, RuleType, Scores, Translate, read_number, sheet_number
from .parameters import Params, Problems, check_strictly_decreasing, check_tiers


class Tiered(RuleType):
    name = "tiered"
    parameters = frozenset({"tiers"})

    @classmethod
    def measure_kind(cls, params: Params) -> str | None:
        return "value" if measured_tiers(params) else "choice"

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        problems: Problems = []
        tiers = params.get("tiers")
        with_min = isinstance(tiers, list) and any(isinstance(t, dict) and "min" in t for t in tiers)
        fields: dict[str, dict[str, object]] = {"label": {}, "fraction": {"low": 0, "high": 1}}
        if with_min:  # one tier with a threshold: every tier needs one
            fields["min"] = {"low": 0}
        rows = check_tiers(params, "tiers", problems, fields)
        if with_min:
            check_strictly_decreasing(rows, "min", "tiers", problems)
        return problems

    @classmethod
    def score(cls, case: Case) -> Scores:
        tiers = case.params["tiers"]
        if measured_tiers(case.params):
            now = case.max * tier_by_value(tiers, case.percent_now)
        else:
            now = case.max * tier_fraction(tiers, case.count_now) if case.count_now is not None else ZERO
        approved, alive = case.gates()
        best = case.max * max(dec(t["fraction"]) for t in tiers) if alive else ZERO
        return Scores(now if approved else ZERO, now, best)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        def points(t: Params) -> str:
            return number(float(max_points) * float(t["fraction"]))

        if measured_tiers(params):
            tiers = "; ".join(f"≥ {number(t['min'])}: {t['label']} = {points(t)}" for t in params["tiers"])
            return f"{translate('By tier of the measured value:')} {tiers}; {translate('otherwise 0')}"
        tiers = "; ".join(f"{t['label']} = {points(t)}" for t in params["tiers"])
        return f"{translate('By tier:')} {tiers}"

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return "Theo mức: " + "; ".join(
            (f"≥{sheet_number(t['min'])}: " if "min" in t else "")
            + f"{t['label']} = {sheet_number(dec(t['fraction']) * 100)}%"
            for t in params["tiers"]
        )

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        if not folded.startswith("theo muc"):
            return None
        tiers: list[Params] = []
        for part in text.split(":", 1)[1].split(";"):
            found = re.match(rf"\s*(?:≥\s*{NUMBER}\s*:\s*)?([^;=]+?)\s*=\s*{NUMBER}\s*%\s*$", part)
            if found is None:
                continue
            least, label, fraction = found.groups()
            tier: Params = {"label": label.strip(), "fraction": read_number(fraction) / 100}
            if least is not None:
                tier = {"label": tier["label"], "min": read_number(least), "fraction": tier["fraction"]}
            tiers.append(tier)
        return {"type": cls.name, "tiers": tiers}


def measured_tiers(params: Params) -> bool:
    """Whether the tiers are reached by a measured value (they have thresholds) rather than chosen by label."""
    tiers = params.get("tiers") or []
    return bool(tiers) and all(isinstance(t, dict) and "min" in t for t in tiers)


def tier_by_value(tiers: list[Params], value: Decimal | None) -> Decimal:
    """The highest fraction among the tiers whose `min` the value reaches (0 below every one, or unmeasured)."""
    reached = [dec(t["fraction"]) for t in tiers if value is not None and value >= dec(t["min"])]
    return max(reached, default=ZERO)


def reached_tier(tiers: list[Params], value: Decimal) -> Params | None:
    """The tier a measured value is placed in (the one paying the most among those reached), or None."""
    reached = [t for t in tiers if value >= dec(t["min"])]
    return max(reached, key=lambda t: dec(t["fraction"]), default=None)


def tier_fraction(tiers: list[Params], number: Decimal) -> Decimal:
    """The fraction of the tier `number` names (rounded; 1 = the first tier, beyond the last = the last)."""
    fractions = [dec(t["fraction"]) for t in tiers]
    n = int(number.to_integral_value(ROUND_HALF_UP))
    return fractions[n - 1] if 1 <= n <= len(fractions) else fractions[-1]
