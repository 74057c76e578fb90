"""per_population: a count per so many residents (or per thôn, khu phố…) against a target, e.g. ≥ 1 tổ công
nghệ số cộng đồng per 1,000 residents. The latest measurement gives the count (a) and the population (b): the
rate is a ÷ b × `per`; the score is the maximum × min(1, rate ÷ target), truncated to 4 decimals."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

from ..numbers import POINT_STEP, ZERO, dec
from .base import NUMBER, Case, NumberText, RuleType, Scores, Translate, read_number, sheet_number
from .parameters import Params, Problems, check_number, check_text


class PerPopulation(RuleType):
    name = "per_population"
    parameters = frozenset({"target", "per", "unit", "of"})
    measure = "rate"

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        problems: Problems = []
        check_number(params, "target", problems, low=0, low_open=True)
        check_number(params, "per", problems, low=0, low_open=True)
        check_text(params, "unit", problems)  # what is counted: "tổ"
        check_text(params, "of", problems)  # what it is counted per: "dân", "khu phố"
        return problems

    @classmethod
    def score(cls, case: Case) -> Scores:
        now = population_points(case.max, case.params, case.count_now, case.denominator_now)
        approved, alive = case.gates()
        return Scores(now if approved else ZERO, now, case.max if alive else ZERO)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        return translate(
            "Per population: a target of %(target)s %(unit)s per %(per)s %(of)s gives the maximum; "
            "below it, the maximum × the rate reached ÷ the target.",
            target=number(dec(params["target"])),
            unit=str(params["unit"]),
            per=number(dec(params["per"])),
            of=str(params["of"]),
        )

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return (
            f"Định mức: {sheet_number(params['target'])} {params['unit']}/{sheet_number(params['per'])} {params['of']}"
        )

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        if not folded.startswith("dinh muc"):
            return None
        found = re.search(rf":\s*{NUMBER}\s+([^/]+?)\s*/\s*{NUMBER}\s+(.+?)\s*$", text)
        if found is None:
            return None
        target, unit, per, of = found.groups()
        return {"type": cls.name, "target": read_number(target), "unit": unit, "per": read_count(per), "of": of}


def read_count(text: str) -> Decimal:
    """A population as officials write it: "1.000" and "10.000" are thousands (a point groups the digits), "0,5"
    and "2.5" decimals."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return Decimal(text.replace(".", ""))
    return read_number(text)


def rate(params: Params, count: Decimal, population: Decimal) -> Decimal:
    """The count per `per` of the population (12 tổ, 18,000 residents, per 1,000 → 0.666…)."""
    return count * dec(params["per"]) / population


def population_points(maximum: Decimal, params: Params, count: Decimal | None, population: Decimal | None) -> Decimal:
    if count is None or population is None or population <= 0:
        return ZERO
    reached = rate(params, max(count, ZERO), population)
    target = dec(params["target"])
    if reached >= target:
        return maximum
    return (maximum * reached / target).quantize(POINT_STEP, ROUND_DOWN)
