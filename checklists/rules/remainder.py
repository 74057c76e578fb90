"""remainder ("Các tiêu chí còn lại"): a block of criteria the rubric does not list yet. No document secures it;
the forecast takes last year's score for it until the province's rubric is imported."""

from __future__ import annotations

from decimal import Decimal

from ..numbers import ZERO
from .base import Case, NumberText, RuleType, Scores, Translate
from .parameters import Params


class Remainder(RuleType):
    name = "remainder"

    @classmethod
    def score(cls, case: Case) -> Scores:
        return Scores(ZERO, ZERO, ZERO)  # not used: the forecast of a remainder block is its own (see scoring)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        return translate(
            "The rest of the area's criteria, not yet in the rubric: forecast from last year's result "
            "until the province's rubric is imported."
        )

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        return "Các tiêu chí còn lại: dự kiến theo kết quả năm trước"

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        return {"type": cls.name} if folded.startswith("cac tieu chi con lai") else None
