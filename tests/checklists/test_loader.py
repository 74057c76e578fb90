"""The catalog loader: a valid file loads exactly; every kind of mistake is reported, all at once, naming the
file, the place and what is expected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from checklists import CatalogError, load_catalog, parse_catalog


def problems_of(path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert str(path) in info.value.report()
    return [str(p) for p in info.value.problems]


def test_valid_catalog_loads_with_exact_decimals(catalog_dict, write_catalog):
    catalog = load_catalog(write_catalog(catalog_dict))
    assert catalog.index.code == "CCHC"
    assert catalog.index.assessment_date == date(2024, 12, 15)
    assert catalog.index.last_year.score == Decimal("15.84")
    assert [a.code for a in catalog.areas] == ["1", "2"]
    criterion = catalog.areas[0].criteria[0]
    assert criterion.max_points == Decimal("4") and criterion.last_year_score == Decimal("1.5")
    assert criterion.points_estimated is True
    assert criterion.rule.type == "deduction" and criterion.rule.params == {"per_violation": 1.25}
    report_item = criterion.items[0]
    assert report_item.report.deadline == date(2024, 3, 14)
    assert report_item.due == date(2024, 3, 14), "a report's due date defaults to its deadline"
    assert catalog.areas[0].criteria[1].items[0].weight == Decimal(1), "an item's weight defaults to 1"
    assert not catalog.areas[1].criteria[1].applicable


def test_malformed_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("format: 1\nindex:\n  code: [CCHC\n  name: x\n", encoding="utf-8")
    [problem] = problems_of(path)
    assert "not valid YAML" in problem and "line " in problem and "column " in problem


def test_a_key_written_twice_is_refused(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("format: 1\nformat: 1\n", encoding="utf-8")
    [problem] = problems_of(path)
    assert "'format' twice" in problem and "line 2" in problem


def test_missing_file_and_non_utf8(tmp_path):
    assert "does not exist" in problems_of(tmp_path / "nope.yaml")[0]
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: Giếng Đáy".encode("utf-16"))
    assert "not UTF-8" in problems_of(path)[0]


def test_unknown_rule_type(catalog_dict, write_catalog):
    catalog_dict["areas"][0]["criteria"][1]["rule"] = {"type": "magic"}
    [problem] = problems_of(write_catalog(catalog_dict))
    assert problem.startswith("areas[0].criteria[1].rule.type: is 'magic': expected one of binary, tiered")


@pytest.mark.parametrize(
    "rule, place, expected",
    [
        ({"type": "tiered", "tiers": []}, "rule.tiers", "expected a list of tiers"),
        ({"type": "tiered", "tiers": [{"label": "Trưởng", "fraction": 1.5}]}, "rule.tiers[0].fraction", "≤ 1"),
        ({"type": "tiered", "tiers": [{"fraction": 1}]}, "rule.tiers[0].label", "is missing"),
        (
            {"type": "count_thresholds", "thresholds": [{"min": 3, "points": 2}, {"min": 4, "points": 1}]},
            "rule.thresholds[1].min",
            "from the highest min down",
        ),
        ({"type": "count_thresholds", "thresholds": [{"min": 4, "points": 99}]}, "rule.thresholds[0].points", "≤ 4"),
        ({"type": "ratio"}, "rule.target_percent", "is missing"),
        ({"type": "ratio", "target_percent": 0}, "rule.target_percent", "> 0"),
        ({"type": "ratio", "target_percent": "abc"}, "rule.target_percent", "expected a number"),
        ({"type": "deduction"}, "rule.per_violation", "is missing"),
        ({"type": "deduction", "per_violation": 1, "max_deduction": 5}, "rule.max_deduction", "≤ 4"),
        (
            {
                "type": "percentage_tiers",
                "tiers": [{"min_percent": 50, "fraction": 0.5}, {"min_percent": 100, "fraction": 1}],
            },
            "rule.tiers[1].min_percent",
            "from the highest",
        ),
        (
            {"type": "percentage_tiers", "tiers": [{"min_percent": 120, "fraction": 1}]},
            "rule.tiers[0].min_percent",
            "≤ 100",
        ),
        ({"type": "binary", "target_percent": 5}, "rule.target_percent", "not a known field"),
    ],
)
def test_rule_parameters_are_checked_for_every_rule_type(catalog_dict, write_catalog, rule, place, expected):
    catalog_dict["areas"][0]["criteria"][0]["rule"] = rule
    problems = problems_of(write_catalog(catalog_dict))
    assert any(p.startswith(f"areas[0].criteria[0].{place}:") and expected in p for p in problems), problems


def test_criteria_must_add_up_to_their_area(catalog_dict, write_catalog):
    catalog_dict["areas"][0]["criteria"][1]["max_points"] = 7
    catalog_dict["areas"][0]["criteria"][1]["last_year_score"] = 7
    problems = problems_of(write_catalog(catalog_dict))
    assert any(
        p.startswith("areas[0].max_points: area 1 has max_points 12 but its criteria add up to 11 (1.1: 4 + 1.2: 7)")
        for p in problems
    ), problems
    assert any(
        p.startswith("areas[0].last_year_score: area 1 has last_year_score 9.5 but its criteria add up to 8.5")
        for p in problems
    ), problems


def test_areas_must_add_up_to_the_index(catalog_dict, write_catalog):
    catalog_dict["index"]["max_points"] = 100
    catalog_dict["index"]["last_year"]["score"] = 17
    problems = problems_of(write_catalog(catalog_dict))
    assert "index.max_points: is 100 but the areas add up to 20 (1: 12 + 2: 8); make them equal" in problems
    assert any(
        p.startswith("index.last_year.score: is 17 but the areas' last_year_score add up to 15.84") for p in problems
    )


def test_published_total_may_differ_from_the_areas_by_rounding_only(catalog_dict, write_catalog):
    catalog_dict["index"]["last_year"]["score"] = 16  # the areas add up to 15.84, published rounded: accepted
    assert load_catalog(write_catalog(catalog_dict)).index.last_year.score == 16


def test_duplicate_codes(catalog_dict, write_catalog):
    catalog_dict["areas"][1]["criteria"][0]["code"] = "1.1"
    catalog_dict["areas"][1]["criteria"][0]["items"][0]["code"] = "CCHC-1.1-a"
    problems = problems_of(write_catalog(catalog_dict))
    assert (
        "areas[1].criteria[0].code: '1.1' is used twice (also at areas[0].criteria[0]); criterion codes are unique within an index"
        in problems
    )
    assert any(p.startswith("areas[1].criteria[0].items[0].code: 'CCHC-1.1-a' is used twice") for p in problems)


def test_item_owned_by_an_unknown_department(catalog_dict, write_catalog):
    catalog_dict["areas"][0]["criteria"][1]["items"][0]["owner"] = "cong-an"
    [problem] = problems_of(write_catalog(catalog_dict))
    assert problem == (
        "areas[0].criteria[1].items[0].owner: 'cong-an' is not a declared department; "
        "declare it under `departments` or use one of: vh-tt, vp-tk"
    )


def test_every_problem_is_reported_at_once(catalog_dict, write_catalog):
    catalog_dict["index"]["year"] = "next"
    catalog_dict["areas"][0]["criteria"][0]["max_points"] = "bốn"
    catalog_dict["areas"][0]["criteria"][1]["items"][0]["due"] = "31/02/2024"
    catalog_dict["areas"][1]["criteria"][0]["items"][0]["code"] = "DTI-2.1-a"
    catalog_dict["areas"][1]["criteria"][0].pop("items")
    catalog_dict["departments"].append({"code": "VP TK", "name": "x"})
    problems = problems_of(write_catalog(catalog_dict))
    places = {p.split(":")[0] for p in problems}
    assert {
        "index.year",
        "areas[0].criteria[0].max_points",
        "areas[0].criteria[1].items[0].due",
        "areas[1].criteria[0].items",
        "departments[2].code",
    } <= places, problems


def test_item_code_must_start_with_the_index_code(catalog_dict, write_catalog):
    catalog_dict["areas"][0]["criteria"][1]["items"][0]["code"] = "DTI-1.2-a"
    [problem] = problems_of(write_catalog(catalog_dict))
    assert problem.startswith(
        "areas[0].criteria[1].items[0].code: is 'DTI-1.2-a': item codes start with the index code"
    )


def test_scored_criterion_needs_items_and_not_applicable_needs_no_score(catalog_dict, write_catalog):
    catalog_dict["areas"][0]["criteria"][1]["items"] = []
    catalog_dict["areas"][1]["criteria"][1]["last_year_score"] = 0
    problems = problems_of(write_catalog(catalog_dict))
    assert any(p.startswith("areas[0].criteria[1].items: is missing or empty") for p in problems)
    assert any(
        p.startswith("areas[1].criteria[1].last_year_score: is given for a not_applicable criterion") for p in problems
    )


def test_unknown_fields_and_wrong_format_version(catalog_dict, write_catalog):
    catalog_dict["format"] = 2
    catalog_dict["areas"][0]["criteria"][0]["maxpoints"] = 4
    problems = problems_of(write_catalog(catalog_dict))
    assert any(p.startswith("format: is 2: expected 1") for p in problems)
    assert any(p.startswith("areas[0].criteria[0].maxpoints: is not a known field") for p in problems)


def test_scores_above_the_maximum(catalog_dict, write_catalog):
    catalog_dict["areas"][0]["criteria"][1]["last_year_score"] = 9
    problems = problems_of(write_catalog(catalog_dict))
    assert "areas[0].criteria[1].last_year_score: is 9, above the criterion's max_points 8" in problems


def test_dates_in_vietnamese_order_are_accepted():
    text = """
format: 1
departments: [{code: vp-tk, name: VP}]
index: {code: X, name: X, year: 2024, max_points: 1, assessment_date: 15/12/2024, deviation: {threshold_percent: 5, penalty_points: 1, source: "QĐ 1/QĐ-UBND, Điều 2"}}
areas:
  - code: "1"
    name: A
    max_points: 1
    criteria:
      - {code: "1.1", title: T, max_points: 1, rule: {type: binary}, items: [{code: X-1.1-a, title: T, checks: C, owner: vp-tk, due: 01/03/2024}]}
"""
    catalog = parse_catalog(text)
    assert catalog.index.assessment_date == date(2024, 12, 15)
    assert catalog.areas[0].criteria[0].items[0].due == date(2024, 3, 1)


def test_the_example_of_the_format_description_is_a_valid_catalog():
    import re

    text = (Path(__file__).parents[2] / "checklists" / "FORMAT.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    catalog = parse_catalog(example, source="FORMAT.md")
    assert catalog.index.code == "CCHC" and [d.code for d in catalog.departments] == ["vp-tk"]


def test_items_that_require_a_signature_or_pages(catalog_dict, write_catalog):
    item = catalog_dict["areas"][0]["criteria"][1]["items"][0]
    item.update(requires_signature=True, min_pages=3)
    [loaded, *_] = [i for i in load_catalog(write_catalog(catalog_dict)).items() if i.code == item["code"]]
    assert (loaded.requires_signature, loaded.min_pages) == (True, 3)
    item.update(requires_signature="có", min_pages=0)
    assert problems_of(write_catalog(catalog_dict)) == [
        "areas[0].criteria[1].items[0].requires_signature: is 'có': write true or false",
        "areas[0].criteria[1].items[0].min_pages: is 0: write a whole number of pages, 1 or more",
    ]
