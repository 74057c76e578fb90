"""Measures for the indicators as they are (issue 15): a count per population against a target, events counted
in a period, tiers reached by a measured value, and item weights as each document's share. The forecast's figures
are worked out by hand from test_scoring's table (TODAY 01/10/2024, ASSESS 15/12/2024, FAST: missing 0.60,
below_target 0.40, not_measured 0.25)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from checklists import CATALOG_DIR, load_catalog
from checklists.loader import CatalogError, parse_catalog
from checklists.rollover import roll_catalog
from tests.checklists.test_scoring import ASSESS, TODAY, crit, item, meas, one, scores

D = Decimal
APPROVED = date(2024, 9, 1)
TO = {"target": 1, "per": 1000, "unit": "tổ", "of": "dân"}
MEETINGS = {
    "event": "cuộc họp Ban chỉ đạo chuyển đổi số",
    "from": "2024-01-01",
    "to": "2024-12-31",
    "thresholds": [{"min": 4, "points": 10}, {"min": 3, "points": 6}, {"min": 2, "points": 3}],
}
BY_PERCENT = {
    "tiers": [
        {"label": "Đạt từ 80% trở lên", "min": 80, "fraction": 1},
        {"label": "Đạt từ 50% đến dưới 80%", "min": 50, "fraction": 0.5},
        {"label": "Dưới 50%", "min": 0, "fraction": 0},
    ]
}


# ---------------------------------------------------------------------------------------------- per population
def test_teams_per_population_are_a_rate_against_the_target_not_a_percentage():
    """The tester's case: 12 tổ for 18,000 residents was 0,07% of a 100% target (0,0066 points of 10); it is
    0,67 tổ per 1,000 against 1 per 1,000: 10 × 0,6666 = 6,6666."""
    f = one(
        crit(
            "per_population",
            [item(approved=APPROVED)],
            params=TO,
            max_points="10",
            measurements=[meas(date(2024, 9, 30), 12, 18000)],
        )
    )
    assert f.secured == D("6.6666")
    # the rest of the way is the measured gap: 6,6666 + 1 × 0,40 × 3,3334 = 7,9999
    assert scores(f) == (D("6.6666"), D("7.9999"), D(10))
    assert "12 tổ / 18.000 dân = 0,67 tổ/1.000 dân (đo 30/09); mục tiêu 1 tổ/1.000 dân" in f.reasons
    assert f.reason == "12 tổ / 18.000 dân = 0,67 tổ/1.000 dân (đo 30/09); mục tiêu 1 tổ/1.000 dân"


def test_a_rate_at_or_above_the_target_has_the_maximum_and_a_count_may_exceed_its_base():
    enough = one(
        crit(
            "per_population",
            [item(approved=APPROVED)],
            params=TO,
            max_points="10",
            measurements=[meas(TODAY, 19, 18000)],
        )
    )
    assert scores(enough) == (D(10), D(10), D(10))
    per_quarter = {"target": 1, "per": 1, "unit": "tổ", "of": "khu phố"}  # at least 1 tổ per khu phố
    f = one(
        crit(
            "per_population",
            [item(approved=APPROVED)],
            params=per_quarter,
            max_points="10",
            measurements=[meas(TODAY, 15, 20)],
        )
    )
    assert f.secured == D("7.5")
    assert "15 tổ / 20 khu phố = 0,75 tổ/1 khu phố (đo 01/10); mục tiêu 1 tổ/1 khu phố" in f.reasons


def test_a_population_target_pays_only_once_its_documents_are_approved_and_says_when_unmeasured():
    pending = one(crit("per_population", [item()], params=TO, max_points="10", measurements=[meas(TODAY, 19, 18000)]))
    assert pending.secured == 0 and pending.best == 10 and pending.expected == D(6)  # 0,60 × 10
    unmeasured = one(crit("per_population", [item(approved=APPROVED)], params=TO, max_points="10"))
    assert unmeasured.secured == 0 and "Chưa có số liệu đo" in unmeasured.reasons


# ---------------------------------------------------------------------------------------------- events
def meeting(day):
    return meas(day, 1)


def test_only_meetings_dated_inside_the_period_count_not_the_founding_decision():
    """The decision creating the Ban chỉ đạo is an item (it gates the points), never a meeting; a meeting of the
    year before is outside the period."""
    f = one(
        crit(
            "event_count",
            [item("QD", approved=APPROVED), item("BB", approved=APPROVED)],
            params=MEETINGS,
            max_points="10",
            measurements=[
                meeting(date(2023, 12, 20)),
                meeting(date(2024, 3, 20)),
                meeting(date(2024, 6, 18)),
                meeting(date(2024, 9, 25)),
            ],
        )
    )
    assert f.secured == D(6)  # 3 meetings in 2024
    # the fourth meeting can still be held: best 10; 6 + 1 × 0,40 × 4 = 7,6
    assert scores(f) == (D(6), D("7.6"), D(10))
    assert (
        "3 cuộc họp Ban chỉ đạo chuyển đổi số trong kỳ 01/01/2024–31/12/2024 (gần nhất 25/09) so với mức 4; "
        "1 lần ghi ngoài kỳ không được tính"
    ) in f.reasons


def test_documents_alone_count_no_meeting_and_the_minutes_gate_the_points():
    approved_only = one(
        crit(
            "event_count",
            [item("QD", approved=APPROVED), item("BB", approved=APPROVED)],
            params=MEETINGS,
            max_points="10",
        )
    )
    assert approved_only.secured == 0
    assert "0 cuộc họp Ban chỉ đạo chuyển đổi số trong kỳ 01/01/2024–31/12/2024 so với mức 4" in approved_only.reasons
    minutes_missing = one(
        crit(
            "event_count",
            [item("QD", approved=APPROVED), item("BB")],
            params=MEETINGS,
            max_points="10",
            measurements=[meeting(date(2024, m, 10)) for m in (2, 5, 8, 9)],
        )
    )
    assert minutes_missing.secured == 0 and minutes_missing.best == 10


def test_once_the_period_is_over_no_meeting_can_be_added():
    ended = {**MEETINGS, "to": "2024-09-30"}
    f = one(
        crit(
            "event_count",
            [item("QD", approved=APPROVED)],
            params=ended,
            max_points="10",
            measurements=[meeting(date(2024, 3, 20)), meeting(date(2024, 6, 18))],
        )
    )
    assert scores(f) == (D(3), D(3), D(3)) and f.risk == "lost"
    on_its_last_day = one(
        crit("event_count", [item("QD", approved=APPROVED)], params=ended, max_points="10"), today=date(2024, 9, 30)
    )
    assert on_its_last_day.best == 10


# ---------------------------------------------------------------------------------------------- measured tiers
@pytest.mark.parametrize(
    ("numerator", "denominator", "secured", "label"),
    [
        (85, 100, D(8), "mức đạt Đạt từ 80% trở lên"),
        (620, 1000, D(4), "mức đạt Đạt từ 50% đến dưới 80%"),
        (80, 100, D(8), "mức đạt Đạt từ 80% trở lên"),
        (30, 100, D(0), "mức đạt Dưới 50%"),
    ],
)
def test_tiers_are_reached_by_the_measured_value(numerator, denominator, secured, label):
    f = one(
        crit(
            "tiered",
            [item(approved=APPROVED)],
            params=BY_PERCENT,
            max_points="8",
            measurements=[meas(TODAY, numerator, denominator)],
        )
    )
    assert f.secured == secured and f.best == 8
    assert any(label in reason for reason in f.reasons), f.reasons


def test_a_value_below_every_tier_scores_0_and_says_so():
    above_zero = {"tiers": BY_PERCENT["tiers"][:2]}
    f = one(crit("tiered", [item(approved=APPROVED)], params=above_zero, max_points="8", measurements=[meas(TODAY, 3)]))
    assert f.secured == 0
    assert "Giá trị đo 3 (đo 01/10): chưa đạt mức nào (mức thấp nhất từ 50)" in f.reasons


def test_chosen_tiers_keep_their_label():
    chosen = {"tiers": [{"label": "Trưởng", "fraction": 1}, {"label": "Phó", "fraction": 0.5}]}
    f = one(crit("tiered", [item(approved=APPROVED)], params=chosen, max_points="2", measurements=[meas(TODAY, 2)]))
    assert f.secured == 1 and "Mức đạt: Phó (đo 01/10)" in f.reasons


# ---------------------------------------------------------------------------------------------- weights
def test_an_items_weight_is_its_share_of_the_criterion():
    """shares: the weight-3 document approved secures 3/4 of 8 = 6; the other (missing, 0,60) is worth 2."""
    f = one(crit("shares", [item("A", approved=APPROVED, weight="3"), item("B", weight="1")], max_points="8"))
    assert scores(f) == (D(6), D("7.2"), D(8))
    light = one(crit("shares", [item("A", weight="3"), item("B", approved=APPROVED, weight="1")], max_points="8"))
    assert scores(light) == (D(2), D("5.6"), D(8))  # 2 + 0,60 × 6
    lost = one(
        crit("shares", [item("A", approved=APPROVED, weight="1"), item("B", weight="1")], max_points="8"),
        today=ASSESS.replace(day=16),
    )
    assert scores(lost) == (D(4), D(4), D(4))


CATALOG = """
format: 1
departments: [{code: vp-tk, name: Văn phòng}]
index: {code: CCHC, name: CCHC, year: 2024, max_points: 2, assessment_date: 2024-12-15,
        deviation: {threshold_percent: 5, penalty_points: 1, source: "Kế hoạch 100/KH-UBND, mục 8"}}
areas:
  - code: "1"
    name: Chỉ đạo
    max_points: 2
    criteria:
      - code: "1.1"
        title: Tiêu chí
        max_points: 2
        rule: {type: RULE}
        items:
          - {code: CCHC-1.1-a, title: Kế hoạch, checks: Ký số, owner: vp-tk, due: 2024-03-01, weight: 3}
          - {code: CCHC-1.1-b, title: Báo cáo, checks: Ký số, owner: vp-tk, due: 2024-06-01}
"""


def test_the_loader_refuses_a_weight_where_the_rule_does_not_use_it():
    with pytest.raises(CatalogError) as refused:
        parse_catalog(CATALOG.replace("RULE", "binary"))
    [problem] = refused.value.problems
    assert problem.place == "areas[0].criteria[0].items[0].weight"
    assert "the rule 'binary' does not divide the points among documents" in problem.message
    assert "type: shares" in problem.message
    catalog = parse_catalog(CATALOG.replace("RULE", "shares"))
    assert [i.weight for i in catalog.areas[0].criteria[0].items] == [D(3), D(1)]


def test_an_event_periods_days_are_dates_whatever_the_file_wrote():
    text = CATALOG.replace("weight: 3", "").replace(
        "{type: RULE}",
        "{type: event_count, event: cuộc họp, from: '01/01/2024', to: 2024-12-31, thresholds: [{min: 2, points: 2}]}",
    )
    rule = parse_catalog(text).areas[0].criteria[0].rule
    assert rule.params["from"] == date(2024, 1, 1) and rule.params["to"] == date(2024, 12, 31)


def test_the_shipped_meetings_period_moves_with_the_rubric_into_the_next_cycle():
    dti = load_catalog(CATALOG_DIR / "gieng-day" / "qn-dti-2024.yaml")
    meetings = next(c for c in dti.criteria() if c.code == "1.2")
    assert meetings.rule.type == "event_count" and [i.code for i in meetings.items] == ["QN-DTI-1.2-a", "QN-DTI-1.2-b"]
    assert (meetings.rule.params["from"], meetings.rule.params["to"]) == (date(2024, 1, 1), date(2024, 12, 31))
    shift = timedelta(weeks=52)
    rolled = next(c for c in roll_catalog(dti, dti.index.assessment_date + shift).criteria() if c.code == "1.2")
    assert (rolled.rule.params["from"], rolled.rule.params["to"]) == (
        date(2024, 1, 1) + shift,
        date(2024, 12, 31) + shift,
    )
    assert rolled.items[1].due == meetings.items[1].due + shift
