"""The registry of rule types: one class per type with its parameter checks, scores, description and sheet text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checklists.rules import RULE_TYPES, RuleType, describe_rule
from checklists.sheets import parse_rule, rule_text

EXAMPLES = {
    "binary": {},
    "tiered": {"tiers": [{"label": "Tốt", "fraction": 1}, {"label": "Khá", "fraction": 0.5}]},
    "count_thresholds": {"thresholds": [{"min": 10, "points": 2}, {"min": 5, "points": 1}]},
    "ratio": {"target_percent": 80},
    "deduction": {"per_violation": 0.5, "max_deduction": 2},
    "percentage_tiers": {"tiers": [{"min_percent": 90, "fraction": 1}, {"min_percent": 70, "fraction": 0.5}]},
    "not_applicable": {},
    "remainder": {},
}


def test_every_rule_type_is_registered_under_its_name():
    assert set(RULE_TYPES) == set(EXAMPLES)
    for name, rule_class in RULE_TYPES.items():
        assert issubclass(rule_class, RuleType) and rule_class.name == name


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_examples_are_valid_and_use_only_their_rules_parameters(name):
    rule_class = RULE_TYPES[name]
    assert rule_class.check(EXAMPLES[name], Decimal(2)) == []
    assert set(EXAMPLES[name]) <= rule_class.parameters


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_rules_sheet_text_reads_back_as_the_same_rule(name):
    read = parse_rule(rule_text(name, EXAMPLES[name]))
    assert read.pop("type") == name
    assert read == EXAMPLES[name]


def test_an_unknown_rule_type_has_no_sheet_text():
    with pytest.raises(ValueError):
        rule_text("lottery", {})


def test_descriptions_are_english_messages_with_the_readers_numbers():
    assert (
        describe_rule("ratio", EXAMPLES["ratio"], Decimal(2)) == "Ratio a/b against a target of 80%, times the maximum."
    )
    comma = lambda value: str(value).replace(".", ",")
    assert describe_rule("tiered", EXAMPLES["tiered"], Decimal(3), number=comma) == "By tier: Tốt = 3,0; Khá = 1,5"
    assert (
        describe_rule(
            "deduction", EXAMPLES["deduction"], Decimal(3), translate=lambda m, **v: (m % v if v else m).upper()
        )
        == "MINUS 0.5 POINTS PER VIOLATION. AT MOST 2 DEDUCTED."
    )
