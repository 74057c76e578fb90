"""Scoring and forecasting: what each criterion is worth today, what it is expected to be worth on the
assessment date, and why. Pure functions over plain data (the query layer builds the inputs); Decimal only.
The specification — the three scores, p, the rule types, the closed cycle, the deviation penalty, risk and
priority, and the properties the tests check — is `checklists/SCORING.md`. Each rule type's own scoring is in
`checklists/rules/`; here are the inputs (`inputs`), the items' likelihoods (`items`), the measurements
(`measurements`), one criterion's forecast (`criterion`) and the index's (`index`), and the results (`results`).
"""

from .formatting import format_day, format_decimal
from .index import forecast_index
from .inputs import CriterionStatus, DepartmentActivity, ItemStatus, Measurement
from .results import (
    RISK_LEVELS,
    AreaForecast,
    CriterionForecast,
    DepartmentForecast,
    DeviationWarning,
    IndexForecast,
    Totals,
)

__all__ = [
    "RISK_LEVELS",
    "AreaForecast",
    "CriterionForecast",
    "CriterionStatus",
    "DepartmentActivity",
    "DepartmentForecast",
    "DeviationWarning",
    "IndexForecast",
    "ItemStatus",
    "Measurement",
    "Totals",
    "forecast_index",
    "format_day",
    "format_decimal",
]
