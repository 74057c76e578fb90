"""shares: the criterion's points divided among its documents by their weights (each item's share is its weight
÷ the items' total weight), as rubrics that give each required content its own points. Secured: the shares of
the approved items; best: the shares of the items not lost. Truncated to 4 decimals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal

from ..numbers import ONE, POINT_STEP, ZERO
from .base import Case, CaseItem, NumberText, RuleType, Scores, Translate, weighted_p
from .parameters import Params


class Shares(RuleType):
    name = "shares"
    uses_weights = True

    @classmethod
    def score(cls, case: Case) -> Scores:
        best = share_points(case.max, case.items, lambda i: i.state != "lost")
        return Scores(share_points(case.max, case.items, lambda i: i.state == "approved"), best, best)

    @classmethod
    def items_p(cls, case: Case) -> Decimal:
        """The weighted mean p of the items still to be won: expected = secured + their shares × their p."""
        pending = tuple(i for i in case.items if i.state not in ("approved", "lost"))
        return weighted_p(pending) if pending else ONE

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        return translate(
            "Each approved document earns its share of the maximum: its weight ÷ the total of the weights."
        )

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return "Theo từng tài liệu: điểm chia theo trọng số"

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        return {"type": cls.name} if folded.startswith("theo tung tai lieu") else None


def share_points(maximum: Decimal, items: tuple[CaseItem, ...], counted: Callable[[CaseItem], bool]) -> Decimal:
    weights = [max(ZERO, i.weight) for i in items]
    total = sum(weights, ZERO)
    if total == 0:
        return ZERO
    won = sum((w for i, w in zip(items, weights) if counted(i)), ZERO)
    return (maximum * won / total).quantize(POINT_STEP, ROUND_DOWN)
