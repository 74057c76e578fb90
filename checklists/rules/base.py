"""What every rule type has: its parameters and their checks, its scoring, its description on the pages and its
text in the province's spreadsheet. A rule type is a subclass of `RuleType`, registered in `RULE_TYPES`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar, NamedTuple, Protocol

from ..numbers import ONE, ZERO, dec
from .parameters import Params, Problems


class CaseItem(Protocol):
    """What a rule sees of one checklist item as of the day of the forecast."""

    @property
    def state(self) -> str: ...  # "approved", "lost", or a pending state ("waiting", "missing", …)
    @property
    def p(self) -> Decimal: ...  # the likelihood it is approved in time: approved 1, lost 0
    @property
    def weight(self) -> Decimal: ...
    @property
    def is_report(self) -> bool: ...  # a periodic report with a deadline
    @property
    def pending(self) -> bool: ...


@dataclass(frozen=True)
class Case:
    """What a rule sees of one criterion as of the day of the forecast."""

    max: Decimal
    params: Params
    items: tuple[CaseItem, ...]
    measured: bool
    percent_now: Decimal | None  # the latest measurement as a percent (the numerator without a denominator)
    count_now: Decimal | None  # the latest measurement's numerator
    denominator_now: Decimal | None = None  # the latest measurement's denominator
    dated: tuple[tuple[date, Decimal], ...] = ()  # every usable measurement: (its date, its numerator), oldest first
    today: date | None = None  # the day of the forecast (a period that has ended can no longer gain events)

    def gates(self, items: tuple[CaseItem, ...] | None = None) -> tuple[bool, bool]:
        """(every item approved, no item lost)."""
        items = self.items if items is None else items
        return all(i.state == "approved" for i in items), not any(i.state == "lost" for i in items)


class Scores(NamedTuple):
    """secured: today's points; gated: the points of the latest measurement once every item is approved (the
    rule's best for rules without a measured part); best: everything not already lost."""

    secured: Decimal
    gated: Decimal
    best: Decimal


class Translate(Protocol):
    """gettext: the English message in the reader's language, with its %(name)s variables filled in."""

    def __call__(self, message: str, /, **variables: str) -> str: ...


class NumberText(Protocol):
    """A number as the reader writes it (86,34 in Vietnamese)."""

    def __call__(self, value: Decimal | float | int, /) -> str: ...


def untranslated(message: str, /, **variables: str) -> str:
    return message % variables if variables else message


class RuleType:
    """One way of scoring a criterion. Subclasses set `name` (the `type:` in a catalog) and `parameters`, and
    override what differs from these defaults."""

    name: ClassVar[str]
    parameters: ClassVar[frozenset[str]] = frozenset()  # the keys allowed beside `type`
    # What a measurement of the criterion is (the measurement form and its checks follow it): None (nothing is
    # measured), "percent" (a of b, a ≤ b, or a percent), "count" (a number), "rate" (a count per population: a
    # of b, b required, a may exceed b), "event" (one dated event and its record), "value" (a number or a of b as
    # a percent, placed in tiers), "choice" (one of the tiers, chosen by its label).
    measure: ClassVar[str | None] = None
    # Whether an item's weight is its share of the criterion's points; the loader refuses a weight other than 1
    # on the items of every other rule (it would change nothing).
    uses_weights: ClassVar[bool] = False

    @classmethod
    def measure_kind(cls, params: Params) -> str | None:
        """What a measurement of a criterion with these parameters is (see `measure`)."""
        return cls.measure

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        """(parameter path, problem) pairs; an empty list means the rule is usable."""
        return []

    @classmethod
    def normalise(cls, params: Params) -> Params:
        """The checked parameters in the form the rule keeps (e.g. days as dates, however the file wrote them)."""
        return params

    @classmethod
    def score(cls, case: Case) -> Scores:
        raise NotImplementedError

    @classmethod
    def items_p(cls, case: Case) -> Decimal:
        """The likelihood the items pay. By default they gate the score (the rule pays only when every one is
        approved), so they join by product; rules whose items count one by one use their weighted mean."""
        return joint_p(case.items)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        """How the criterion is scored, as the criterion's page says it. The messages are English, given to
        `translate`; their Vietnamese is in evidence_app/translations."""
        raise NotImplementedError

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        """The rule as the column "Cách tính điểm" of the province's spreadsheet writes it."""
        raise NotImplementedError

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        """The `rule:` mapping (with `type`) that a "Cách tính điểm" text describes, or None when it is not this
        rule's text. `folded`: the text without accents, in lower case, decimal commas made points."""
        return None


def joint_p(items: tuple[CaseItem, ...]) -> Decimal:
    """The chance that every item is won (the rule pays only then): the product of the items' p."""
    p = ONE
    for item in items:
        p *= item.p
    return p


def weighted_p(items: tuple[CaseItem, ...]) -> Decimal:
    """The share of the items' points expected to be won, by weight (approved 1, lost 0)."""
    if not items:
        return ONE
    weights = [max(ZERO, i.weight) for i in items]
    total = sum(weights, ZERO)
    if total == 0:
        return sum((i.p for i in items), ZERO) / len(items)
    return sum((i.p * w for i, w in zip(items, weights)), ZERO) / total


def sheet_number(value: object) -> str:
    """0.5 → "0,5", 2 → "2": as many decimals as the number has, a decimal comma."""
    value = dec(value)
    text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    return text.replace(".", ",")


def read_number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


NUMBER = r"(\d+(?:[.,]\d+)?)"  # a number in a "Cách tính điểm" text
