"""The registry of rule types: one class per type with its parameter checks, scores, description and sheet text."""

from __future__ import annotations

from datetime import date
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
    "per_population": {"target": 1, "per": 1000, "unit": "tổ", "of": "dân"},
    "event_count": {
        "event": "cuộc họp Ban chỉ đạo",
        "from": date(2024, 1, 1),
        "to": date(2024, 12, 31),
        "thresholds": [{"min": 4, "points": 2}, {"min": 2, "points": 1}],
    },
    "shares": {},
}
MEASURED_TIERS = {
    "tiers": [
        {"label": "Đạt từ 80%", "min": 80, "fraction": 1},
        {"label": "Từ 50% đến dưới 80%", "min": 50, "fraction": 0.5},
    ]
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


def test_measured_tiers_read_back_from_their_sheet_text():
    text = rule_text("tiered", MEASURED_TIERS)
    assert text == "Theo mức: ≥80: Đạt từ 80% = 100%; ≥50: Từ 50% đến dưới 80% = 50%"
    read = parse_rule(text)
    assert read.pop("type") == "tiered" and read == MEASURED_TIERS


def test_the_new_rules_sheet_texts_say_what_is_counted():
    assert rule_text("per_population", EXAMPLES["per_population"]) == "Định mức: 1 tổ/1000 dân"
    assert (
        rule_text("event_count", EXAMPLES["event_count"])
        == "Đếm cuộc họp Ban chỉ đạo từ 01/01/2024 đến 31/12/2024 (có biên bản): ≥4: 2 điểm; ≥2: 1 điểm"
    )
    assert parse_rule("Định mức: 1 tổ/1.000 dân")["per"] == 1000, "a point groups the thousands"
    assert parse_rule("Định mức: 1 tổ/1 khu phố") == {
        "type": "per_population",
        "target": 1,
        "per": 1,
        "unit": "tổ",
        "of": "khu phố",
    }


def problems(name, params, max_points=2):
    return dict(RULE_TYPES[name].check(params, Decimal(max_points)))


def test_per_population_parameters_are_checked():
    assert problems("per_population", {"target": 0, "per": 1000, "unit": "tổ", "of": "dân"}) == {
        "target": "is 0: expected a number > 0"
    }
    found = problems("per_population", {"target": 1, "per": "nghìn"})
    assert set(found) == {"per", "unit", "of"} and "expected a number" in found["per"]


def test_event_count_parameters_are_checked():
    bad = {
        "event": " ",
        "from": "2024-12-31",
        "to": "01/01/2024",
        "thresholds": [{"min": 2, "points": 1}, {"min": 3, "points": 3}],
    }
    found = problems("event_count", bad)
    assert found["event"] == "is ' ': expected a text"
    assert "before `from` 2024-12-31" in found["to"]
    assert "list the tiers from the highest min down" in found["thresholds[1].min"]
    assert "expected a number ≤ 2" in found["thresholds[1].points"]
    assert problems("event_count", {**EXAMPLES["event_count"], "from": "quý I"}) == {
        "from": "is 'quý I': expected a date such as 2024-12-31 (or 31/12/2024)"
    }
    # days written as text (a catalog exported from the database) are kept as dates
    normalised = RULE_TYPES["event_count"].normalise(
        {**EXAMPLES["event_count"], "from": "2024-01-01", "to": "31/12/2024"}
    )
    assert normalised == EXAMPLES["event_count"]


def test_tiers_either_all_have_a_threshold_or_none():
    mixed = {"tiers": [{"label": "Đạt", "min": 80, "fraction": 1}, {"label": "Chưa đạt", "fraction": 0}]}
    assert problems("tiered", mixed) == {"tiers[1].min": "is missing: expected a number"}
    rising = {"tiers": [{"label": "Thấp", "min": 50, "fraction": 0.5}, {"label": "Cao", "min": 80, "fraction": 1}]}
    assert "list the tiers from the highest min down" in problems("tiered", rising)["tiers[1].min"]
    assert RULE_TYPES["tiered"].measure_kind(MEASURED_TIERS) == "value"
    assert RULE_TYPES["tiered"].measure_kind(EXAMPLES["tiered"]) == "choice"


def test_what_each_rule_measures_and_which_use_weights():
    measures = {name: rule.measure_kind(EXAMPLES[name]) for name, rule in RULE_TYPES.items()}
    assert measures == {
        "binary": None,
        "tiered": "choice",
        "count_thresholds": "count",
        "ratio": "percent",
        "deduction": "count",
        "percentage_tiers": "percent",
        "not_applicable": None,
        "remainder": None,
        "per_population": "rate",
        "event_count": "event",
        "shares": None,
    }
    assert [name for name, rule in RULE_TYPES.items() if rule.uses_weights] == ["shares"]


def test_the_new_rules_descriptions():
    comma = lambda value: str(value).replace(".", ",")
    assert describe_rule("per_population", EXAMPLES["per_population"], Decimal(10), number=comma) == (
        "Per population: a target of 1 tổ per 1000 dân gives the maximum; below it, the maximum × the rate reached "
        "÷ the target."
    )
    assert describe_rule("event_count", EXAMPLES["event_count"], Decimal(2)) == (
        "Counts each cuộc họp Ban chỉ đạo held from 01/01/2024 to 31/12/2024, with its minutes (a decision or a "
        "plan is not one): ≥ 4 → 2; ≥ 2 → 1; otherwise 0"
    )
    assert describe_rule("tiered", MEASURED_TIERS, Decimal(8), number=comma) == (
        "By tier of the measured value: ≥ 80: Đạt từ 80% = 8,0; ≥ 50: Từ 50% đến dưới 80% = 4,0; otherwise 0"
    )
    assert describe_rule("shares", {}, Decimal(2)).startswith("Each approved document earns its share")
