"""The rule types a criterion can be scored by, one class each (one module each) in one registry.

A class says everything about its rule: the parameters it takes and their checks, its scores, how much its
items' likelihoods weigh, its description on the criterion's page and its text in the province's spreadsheet.
The loader, the forecast (`checklists.scoring`) and the spreadsheets (`checklists.sheets`) look rules up here.
To add a rule type: a module with a `RuleType` subclass, listed below, and a paragraph in SCORING.md.
"""

from __future__ import annotations

from decimal import Decimal

from ..model import LOSS_CAUSE_TYPES  # imported from here by evidence_app.cycle
from .base import Case, CaseItem, NumberText, RuleType, Scores, Translate, untranslated
from .binary import Binary
from .count_thresholds import CountThresholds
from .deduction import Deduction
from .event_count import EventCount
from .not_applicable import NotApplicable
from .parameters import Params, Problems
from .per_population import PerPopulation
from .percentage_tiers import PercentageTiers
from .ratio import Ratio
from .remainder import Remainder
from .shares import Shares
from .tiered import Tiered

RULE_TYPES: dict[str, type[RuleType]] = {
    cls.name: cls
    for cls in (
        Binary,
        Tiered,
        CountThresholds,
        Ratio,
        Deduction,
        PercentageTiers,
        NotApplicable,
        Remainder,
        PerPopulation,
        EventCount,
        Shares,
    )
}


def describe_rule(
    rule_type: str,
    params: Params,
    max_points: Decimal,
    *,
    translate: Translate = untranslated,
    number: NumberText = str,
) -> str:
    """How a criterion is scored, in the reader's language (the app passes its gettext and number format)."""
    return RULE_TYPES[rule_type].describe(params, max_points, translate, number)


__all__ = [
    "LOSS_CAUSE_TYPES",
    "RULE_TYPES",
    "Case",
    "CaseItem",
    "NumberText",
    "Params",
    "Problems",
    "RuleType",
    "Scores",
    "Translate",
    "describe_rule",
]
