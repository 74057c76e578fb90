"""deduction: the maximum − per violation × violations, capped by max_deduction, never below 0. Violations: lost
reports, plus pending reports (secured), plus the latest measured count when there are no report items."""

from __future__ import annotations

import re
from decimal import Decimal

from ..numbers import ZERO, dec
from .base import Case, NumberText, RuleType, Scores, Translate, joint_p, read_number, sheet_number, weighted_p
from .parameters import Params, Problems, check_number


class Deduction(RuleType):
    name = "deduction"
    parameters = frozenset({"per_violation", "max_deduction"})
    measure = "count"

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        problems: Problems = []
        check_number(params, "per_violation", problems, low=0, low_open=True)
        if "max_deduction" in params:
            check_number(params, "max_deduction", problems, low=0, low_open=True, high=max_points)
        return problems

    @classmethod
    def score(cls, case: Case) -> Scores:
        per_violation = dec(case.params["per_violation"])
        cap = dec(case.params.get("max_deduction", case.max))
        reports = [i for i in case.items if i.is_report]
        measured = case.count_now if (case.count_now is not None and not reports) else ZERO
        lost = sum(i.state == "lost" for i in reports)
        pending = sum(i.pending for i in reports)

        def points(violations: int) -> Decimal:
            return max(ZERO, case.max - min(cap, per_violation * (violations + max(measured, ZERO))))

        approved, alive = case.gates(tuple(i for i in case.items if not i.is_report))
        best = points(lost) if alive else ZERO
        return Scores(points(lost + pending) if approved else ZERO, best, best)

    @classmethod
    def items_p(cls, case: Case) -> Decimal:
        """The other items gate the score; each report is a violation of its own, so reports count one by one."""
        reports = tuple(i for i in case.items if i.is_report)
        return joint_p(tuple(i for i in case.items if not i.is_report)) * weighted_p(reports)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        text = translate("Minus %(points)s points per violation.", points=number(params["per_violation"]))
        if params.get("max_deduction"):
            text += " " + translate("At most %(points)s deducted.", points=number(params["max_deduction"]))
        return text

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        text = f"Trừ {sheet_number(params['per_violation'])} điểm mỗi vi phạm"
        if params.get("max_deduction") is not None:
            text += f"; trừ tối đa {sheet_number(params['max_deduction'])} điểm"
        return text

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        match = re.match(r"tru (\d+(?:\.\d+)?)", folded)
        if not match:
            return None
        rule: Params = {"type": cls.name, "per_violation": read_number(match.group(1))}
        cap = re.search(r"tru toi da (\d+(?:\.\d+)?)", folded)
        if cap:
            rule["max_deduction"] = read_number(cap.group(1))
        return rule
