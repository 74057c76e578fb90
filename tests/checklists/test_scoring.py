"""Scoring and forecasting with a fixed "today" (01/10/2024) and assessment date (15/12/2024): every rule type,
every risk level, every kind of reason, lost reports, the department pace, the trend, the deviation warning.

Every expected number is worked out by hand from TABLE below: the table of states of checklists/forecast.yaml as it
was at commit 090d5f2, passed to forecast_index as `params` (the shipped table is being re-calibrated; only
test_the_shipped_table_loads reads it). ample_time_weeks 8; pace = documents the department provided (uploads) in
the last 4 weeks ÷ 8, capped at 1; p = low + (high − low) × pace, low and high interpolated between the no_time and
ample_time columns by min(1, weeks left ÷ 8). From TODAY to ASSESS there are 75 days (10,7 weeks ≥ 8): an item
whose horizon is the assessment date takes the ample_time column. With FAST (8 uploads in 4 weeks: pace 1) that
is the high value: waiting 0.95, sent_back 0.80, missing 0.60, overdue 0.35, below_target 0.40, not_measured 0.25;
with STALLED (pace 0) the low value: waiting 0.85, sent_back 0.65, missing 0.35, overdue 0.15, below_target 0.20,
not_measured 0.10.

A criterion's p_items: for the rules that pay only when every item is approved (binary, tiered, ratio,
percentage_tiers) the PRODUCT of the items' p; for the counting rules (count_thresholds, deduction) the items'
weighted mean. expected = secured + p_items × (gated − secured) + p_items × p_measure × (best − gated); the
criterion's probability (and its risk) is (expected − secured) / (best − secured). Expected points are truncated
to 4 decimals, priorities rounded to 2."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from checklists import CATALOG_DIR, load_catalog
from checklists.likelihood import ForecastParameters, ParameterError, default_parameters, parse_parameters
from checklists.scoring import (
    RISK_LEVELS,
    CriterionStatus,
    DepartmentActivity,
    ItemStatus,
    Measurement,
    forecast_index,
    format_decimal,
)

D = Decimal
# The table of states exactly as in checklists/forecast.yaml at commit 090d5f2: every number below is worked out
# from it, so the shipped table can be re-calibrated without touching these tests.
RAW_TABLE = {
    "ample_time_weeks": 8,
    "pace": {"window_weeks": 4, "full_rate_per_week": 2},
    "states": {
        "waiting": {"no_time": [0.75, 0.85], "ample_time": [0.85, 0.95]},
        "sent_back": {"no_time": [0.40, 0.60], "ample_time": [0.65, 0.80]},
        "missing": {"no_time": [0.10, 0.30], "ample_time": [0.35, 0.60]},
        "overdue": {"no_time": [0.00, 0.10], "ample_time": [0.15, 0.35]},
    },
    "measurement": {
        "below_target": {"no_time": [0.00, 0.10], "ample_time": [0.20, 0.40]},
        "not_measured": {"no_time": [0.00, 0.05], "ample_time": [0.10, 0.25]},
    },
    "risk": {"soon_days": 14, "critical_share_percent": 0.5, "on_track_p": 0.8},
}
TABLE = parse_parameters(RAW_TABLE)
TODAY = date(2024, 10, 1)
ASSESS = date(2024, 12, 15)
VP = "Văn phòng – Thống kê"


def item(
    code="I-1",
    *,
    owner="vp-tk",
    owner_name=VP,
    due=None,
    deadline=None,
    approved=None,
    sent=None,
    waiting=False,
    sent_back=False,
    uploaded=None,
    title=None,
    weight="1",
):
    if uploaded is None:
        uploaded = approved is not None or waiting or sent_back or sent is not None
    return ItemStatus(
        code,
        title or f"Tài liệu {code}",
        owner,
        owner_name,
        due or deadline,
        D(weight),
        deadline,
        approved,
        sent,
        waiting,
        sent_back,
        uploaded,
    )


def crit(
    rule="binary",
    items=(),
    *,
    code="1.1",
    params=None,
    max_points="2",
    measurements=(),
    last_year=None,
    self_score=None,
    area="1",
    department_name=VP,
):
    return CriterionStatus(
        code,
        f"Tiêu chí {code}",
        area,
        f"Nội dung {area}",
        D(max_points),
        rule,
        params or {},
        None if last_year is None else D(last_year),
        False,
        "vp-tk",
        department_name,
        tuple(items),
        tuple(measurements),
        None if self_score is None else D(self_score),
    )


def meas(day, numerator, denominator=None):
    return Measurement(day, D(str(numerator)), None if denominator is None else D(str(denominator)), "Hệ thống")


def dept(code="vp-tk", name=VP, approvals=(), waiting=0, sent_back=0, uploads=()):
    return DepartmentActivity(code, name, tuple(approvals), waiting, sent_back, tuple(uploads))


RECENT_8 = [TODAY - timedelta(days=k) for k in range(8)]
FAST = dept(uploads=RECENT_8)  # 8 in 4 weeks: 2 a week, pace 1
STALLED = dept(uploads=[date(2024, 2, 1)])  # history, nothing recent: pace 0
ONE_A_MONTH = dept(uploads=[TODAY - timedelta(days=3)])  # 1 in 4 weeks: pace 1/8 = 0.125
FAST_PACE = "Văn phòng – Thống kê: nộp ~2 tài liệu/tuần (4 tuần qua)"
NO_PACE = "Văn phòng – Thống kê: không nộp tài liệu nào trong 4 tuần qua"


def run(criteria, departments=(FAST,), *, today=TODAY, threshold="5", penalty="1", params=TABLE, **kw):
    return forecast_index(
        list(criteria),
        list(departments),
        today=today,
        assessment_date=ASSESS,
        deviation_threshold_percent=D(threshold),
        deviation_penalty_points=D(penalty),
        params=params,
        **kw,
    )


def one(criterion, departments=(FAST,), **kw):
    return run([criterion], departments, **kw).criteria[0]


def scores(f):
    return f.secured, f.expected, f.best


# ------------------------------------------------------------------------------------------ formatting
@pytest.mark.parametrize(
    "value, text",
    [
        (D("1.5"), "1,5"),
        (D(15), "15"),
        (D("13.846"), "13,85"),
        (D("0"), "0"),
        (D("1E+1"), "10"),
        (D("-0.001"), "0"),
        (D("86.34"), "86,34"),
        (2.50, "2,5"),
    ],
)
def test_format_decimal(value, text):
    assert format_decimal(value) == text


# ------------------------------------------------------------------------------------------ risk levels
def test_secured_when_every_item_is_approved():
    f = one(crit(items=[item(approved=date(2024, 5, 1)), item("I-2", approved=date(2024, 6, 1))]))
    assert scores(f) == (2, 2, 2) and f.at_risk == 0
    assert f.risk == "secured" and f.reasons == ["Đã đủ minh chứng được duyệt"] and f.due is None
    assert f.reason == "Đã duyệt" and f.probability == 1 and f.priority == 0


def test_on_track_when_p_is_high_and_nothing_is_overdue():
    f = one(
        crit(
            items=[
                item(approved=date(2024, 5, 1)),
                item("I-2", due=date(2024, 11, 20), waiting=True),
                item("I-3", due=date(2024, 12, 20), waiting=True),
            ]
        )
    )
    # p = 1 × 0.95 × 0.95 = 0.9025 → 2 × 0.9025 = 1.805; p ≥ 0.8, nothing overdue (waiting: the reviewer's move)
    assert scores(f) == (0, D("1.805"), 2) and f.at_risk == D("0.195") and f.probability == D("0.9025")
    assert f.risk == "on_track" and f.due is None
    assert f.reason == "Chờ duyệt 2 tài liệu"
    assert f.reasons == ["2 tài liệu chờ duyệt", f"{FAST_PACE}; đã nộp 3/3 tài liệu đến hạn"]
    assert f.priority == D("0.2")  # nothing due soon: 0.195 × 1 → 0.20
    # a missing item instead of the first waiting one: p = 1 × 0.6 × 0.95 = 0.57 → 1.14, below 0.8
    g = one(
        crit(
            items=[
                item(approved=date(2024, 5, 1)),
                item("I-2", due=date(2024, 11, 20)),
                item("I-3", due=date(2024, 12, 20), waiting=True),
            ]
        )
    )
    assert scores(g) == (0, D("1.14"), 2) and g.probability == D("0.57") and g.risk == "at_risk"
    assert g.due == date(2024, 11, 20) and g.reason == "Còn 1 tài liệu chưa có, hạn 20/11"
    assert g.reasons == [
        "1/3 tài liệu chưa có",
        "1 tài liệu chờ duyệt",
        "hạn 20/11",
        f"{FAST_PACE}; đã nộp 2/2 tài liệu đến hạn",
    ]
    assert g.priority == D("0.86")  # due in 50 days: 0.86 × 1


def test_on_track_at_exactly_the_threshold_and_item_weights():
    # binary: the product 1 × 0.8 (sent back, FAST) = 0.8 → 2 × 0.8 = 1.6; p = 0.8 is on track (p ≥ 0.8)
    binary = one(crit(items=[item(approved=date(2024, 9, 1), weight="3"), item("I-2", sent_back=True)]))
    assert scores(binary) == (0, D("1.6"), 2) and binary.probability == D("0.8") and binary.risk == "on_track"
    # binary ignores the weights: 1 × 0.6 (missing) = 0.6 → 1.2, whatever the approved item weighs
    for weight in ("3", "1"):
        product = one(crit(items=[item(approved=date(2024, 9, 1), weight=weight), item("I-2", weight="1")]))
        assert scores(product) == (0, D("1.2"), 2) and product.risk == "at_risk"
    # a counting rule takes the weighted mean: secured T(1 approved) = 1, best T(2) = 2;
    # p = (3 × 1 + 1 × 0.6) / 4 = 0.9 → 1 + 0.9 × 1 = 1.9
    counted = {"thresholds": [{"min": 2, "points": 2}, {"min": 1, "points": 1}]}
    heavy = one(crit("count_thresholds", [item(approved=date(2024, 9, 1), weight="3"), item("I-2")], params=counted))
    assert scores(heavy) == (1, D("1.9"), 2) and heavy.probability == D("0.9") and heavy.risk == "on_track"
    # every weight 0: the plain mean (1 + 0.6) / 2 = 0.8 → 1 + 0.8 = 1.8; p = 0.8 is on track
    flat = one(
        crit("count_thresholds", [item(approved=date(2024, 9, 1), weight="0"), item("I-2", weight="0")], params=counted)
    )
    assert scores(flat) == (1, D("1.8"), 2) and flat.probability == D("0.8") and flat.risk == "on_track"


def test_at_risk_when_p_is_below_the_threshold():
    f = one(crit(items=[item(due=date(2024, 11, 20))]))
    # missing, FAST: p = 0.6 → 1.2; nothing late
    assert scores(f) == (0, D("1.2"), 2) and f.probability == D("0.6") and f.risk == "at_risk"


def test_critical_when_an_item_is_overdue():
    f = one(crit(items=[item(due=date(2024, 9, 19))]), [STALLED])
    # overdue, pace 0: p = 0.15 → 0.3; at risk 1.7 ≥ 0.5% × 2
    assert scores(f) == (0, D("0.3"), 2) and f.at_risk == D("1.7") and f.risk == "critical"
    assert f.reason == "Quá hạn 12 ngày, chưa có minh chứng" and f.due == date(2024, 9, 19)
    assert f.reasons == ["1/1 tài liệu chưa có", "quá hạn 19/09", f"{NO_PACE}; đã nộp 0/1 tài liệu đến hạn"]
    # 1.7 × (2 + 12/7) = 6.3142… → 6.31
    assert f.priority == D("6.31")
    # lateness counts up to four weeks: 70 days overdue is no more urgent than 28 (1.7 × (2 + 4) = 10.2)
    for due in (date(2024, 7, 23), date(2024, 9, 3)):
        assert one(crit(items=[item(due=due)]), [STALLED]).priority == D("10.2")


def test_critical_only_when_the_points_at_risk_reach_half_a_percent_of_the_index():
    def overdue_next_to(big):
        return run(
            [
                crit(items=[item(due=date(2024, 9, 19))]),
                crit(items=[item("I-2", approved=date(2024, 9, 1))], code="1.2", max_points=big),
            ],
            [STALLED],
        ).criteria[0]

    # at risk 1.7 (see above); index 2 + 338 = 340: 0.5% = 1.7 → critical; index 342: 1.71 → at_risk
    assert overdue_next_to("338").risk == "critical"
    assert overdue_next_to("340").risk == "at_risk"


def test_an_overdue_item_is_never_on_track():
    items = [item(f"A-{k}", approved=date(2024, 9, 1)) for k in range(9)] + [item("I-X", due=date(2024, 9, 19))]
    ten = {"thresholds": [{"min": 10, "points": 2}, {"min": 9, "points": 1}]}
    forecast = run(
        [
            crit("count_thresholds", items, params=ten),
            crit(items=[item("B", approved=date(2024, 9, 1))], code="1.2", max_points="98"),
        ]
    )
    f = forecast.criteria[0]
    # a counting rule (weighted mean): secured T(9) = 1, best T(10) = 2; p = (9 + 0.35) / 10 = 0.935
    # → 1 + 0.935 × 1 = 1.935, p ≥ 0.8; at risk 0.065 < 0.5% × 100: not critical, but overdue → at_risk
    assert scores(f) == (1, D("1.935"), 2) and f.probability == D("0.935") and f.risk == "at_risk"
    # binary, the same items: the product 1⁹ × 0.35 = 0.35 → 0.7
    assert scores(run([crit(items=items)]).criteria[0]) == (0, D("0.7"), 2)


def test_critical_when_a_report_deadline_is_within_14_days():
    def case(second_due):
        return crit(
            "count_thresholds",
            [
                item(approved=date(2024, 9, 1)),
                item("I-2", due=second_due),
                item("I-3", deadline=date(2024, 10, 15), title="Báo cáo tháng 9"),
            ],
            params=THRESHOLDS,
            max_points="3",
        )

    f = one(case(date(2024, 10, 5)), [ONE_A_MONTH])
    # pace 0.125. I-2 missing, 10,7 weeks: 0.35 + 0.25 × 0.125 = 0.38125. I-3 report, horizon 15/10 = 2 weeks
    # (fraction 0.25): low 0.10 + 0.25 × 0.25 = 0.1625, high 0.30 + 0.30 × 0.25 = 0.375 → 0.1625 + 0.2125 × 0.125
    # = 0.1890625. p = (1 + 0.38125 + 0.1890625) / 3 = 0.5234375; secured T(1) = 1, best T(3) = 3
    # → 1 + 0.5234375 × 2 = 2.046875 → 2.0468
    assert scores(f) == (1, D("2.0468"), 3) and f.risk == "critical"
    assert f.priority == D("1.43")  # 0.9532 × 1.5 = 1.4298 (due soon)
    assert f.reason == "Còn 2 tài liệu chưa có, hạn 05/10"
    assert f.reasons == [
        "2/3 tài liệu chưa có",
        "hạn 05/10",
        "Văn phòng – Thống kê: nộp ~0,25 tài liệu/tuần (4 tuần qua); đã nộp 1/1 tài liệu đến hạn",
    ]
    overdue = one(case(date(2024, 9, 19)), [ONE_A_MONTH])
    # I-2 overdue: 0.15 + 0.20 × 0.125 = 0.175; p = (1 + 0.175 + 0.1890625) / 3 = 0.4546875 → 1 + 0.909375
    assert scores(overdue) == (1, D("1.9093"), 3) and overdue.risk == "critical"
    assert overdue.priority == D("4.05")  # 1.0907 × (2 + 12/7) = 4.0511…
    assert "quá hạn 19/09" in overdue.reasons and overdue.due == date(2024, 9, 19)
    assert overdue.reason == "Quá hạn 12 ngày, chưa có minh chứng"


def test_a_report_deadline_15_days_away_is_not_late():
    f = one(crit(items=[item(deadline=date(2024, 10, 16))]))
    # missing, 15 days: p = 0.30 + 0.30 × 15/56 ≈ 0.38 < 0.8, and not within 14 days → at_risk, not critical
    assert f.risk == "at_risk"


def test_lost_when_a_report_is_missing_after_its_deadline():
    f = one(
        crit(
            items=[
                item(deadline=date(2024, 6, 14), title="Báo cáo CCHC 6 tháng đầu năm 2024"),
                item("I-2", approved=date(2024, 5, 2)),
            ]
        )
    )
    assert scores(f) == (0, 0, 0) and f.risk == "lost" and f.at_risk == 0 and f.priority == 0
    lost = "Báo cáo CCHC 6 tháng đầu năm 2024 chưa gửi, đã quá hạn 14/06 — đã mất"
    assert f.reasons == [lost] and f.reason == lost


def test_every_risk_level_is_tested():
    assert set(RISK_LEVELS) == {"secured", "on_track", "at_risk", "critical", "lost"}


# ------------------------------------------------------------------------------------------- headlines
def test_headline_sent_back():
    f = one(crit(items=[item(due=date(2024, 12, 20), sent_back=True)]), [STALLED])
    # sent back, pace 0: p = 0.65 → 1.3
    assert scores(f) == (0, D("1.3"), 2) and f.risk == "at_risk"
    assert f.reason == "1 tài liệu bị trả lại, cần bổ sung"
    assert f.reasons == ["1 tài liệu bị trả lại", "hạn 20/12", f"{NO_PACE}; đã nộp 1/1 tài liệu đến hạn"]


def test_headline_waiting():
    f = one(crit(items=[item(waiting=True), item("I-2", waiting=True)]))
    # 0.95 × 0.95 = 0.9025 → 2 × 0.9025 = 1.805 (≥ 0.8: on track)
    assert scores(f) == (0, D("1.805"), 2) and f.probability == D("0.9025") and f.risk == "on_track"
    assert f.due is None
    assert f.reason == "Chờ duyệt 2 tài liệu"
    assert f.reasons == ["2 tài liệu chờ duyệt", f"{FAST_PACE}; đã nộp 2/2 tài liệu đến hạn"]


def test_headline_order_overdue_then_sent_back_then_missing_then_waiting():
    overdue = [item("O-1", due=date(2024, 9, 19)), item("O-2", due=date(2024, 9, 25))]
    sent_back = [item("S", sent_back=True)]
    missing = [item("M", due=date(2024, 11, 20))]
    waiting = [item("W", waiting=True)]
    assert one(crit(items=overdue + sent_back + missing + waiting)).reason == (
        "Quá hạn 12 ngày, chưa có minh chứng (2 tài liệu)"
    )
    assert one(crit(items=waiting + missing + sent_back)).reason == "1 tài liệu bị trả lại, cần bổ sung"
    assert one(crit(items=waiting + missing)).reason == "Còn 1 tài liệu chưa có, hạn 20/11"
    assert one(crit(items=[item("M")])).reason == "Còn 1 tài liệu chưa có"


def test_pace_sentence_per_owner_of_pending_items():
    f = one(crit(items=[item("A"), item("B", owner="tu-phap", owner_name="Tư pháp"), item("C")]))
    assert f.reasons[-2:] == [FAST_PACE, "Tư pháp: không nộp tài liệu nào trong 4 tuần qua"]


# --------------------------------------------------------------------------------------- lost reports
REPORTS = {"per_violation": "0.5"}


def report(code, deadline, **kw):
    return item(code, deadline=deadline, title=kw.pop("title", f"Báo cáo {code}"), **kw)


def test_report_approved_but_sent_late_is_lost_for_good():
    f = one(
        crit(
            "deduction",
            [
                report(
                    "Q1",
                    date(2024, 3, 15),
                    approved=date(2024, 3, 25),
                    sent=date(2024, 3, 20),
                    title="Báo cáo CCHC Quý I/2024",
                )
            ],
            params=REPORTS,
        )
    )
    # one violation: 2 − 0.5
    assert scores(f) == (D("1.5"), D("1.5"), D("1.5")) and f.risk == "lost"
    lost = "Báo cáo CCHC Quý I/2024 gửi muộn (hạn 15/03, gửi 20/03) — đã mất, không khắc phục được"
    assert f.reasons == [lost] and f.reason == lost


def test_a_report_sent_in_another_year_says_which_year():
    f = one(
        crit(
            "deduction",
            [
                report(
                    "Q1",
                    date(2024, 3, 15),
                    approved=date(2024, 3, 25),
                    sent=date(2025, 3, 10),
                    title="Báo cáo CCHC Quý I/2024",
                )
            ],
            params=REPORTS,
        )
    )
    assert f.reasons == [
        "Báo cáo CCHC Quý I/2024 gửi muộn (hạn 15/03/2024, gửi 10/03/2025) — đã mất, không khắc phục được"
    ]


def test_report_sent_on_time_is_not_lost():
    on_time = report("Q1", date(2024, 3, 15), approved=date(2024, 3, 25), sent=date(2024, 3, 15))
    f = one(crit("deduction", [on_time], params=REPORTS))
    assert scores(f) == (2, 2, 2) and f.risk == "secured"


def test_approved_report_without_a_sending_date_counts_as_sent_when_approved():
    late = one(crit("deduction", [report("Q1", date(2024, 3, 15), approved=date(2024, 3, 18))], params=REPORTS))
    assert late.best == D("1.5") and "gửi 18/03" in late.reasons[0]
    in_time = one(crit("deduction", [report("Q1", date(2024, 3, 15), approved=date(2024, 3, 14))], params=REPORTS))
    assert in_time.best == 2


def test_report_sent_in_time_but_not_yet_approved_still_counts_after_the_deadline():
    f = one(crit("deduction", [report("Q3", date(2024, 9, 13), sent=date(2024, 9, 12), waiting=True)], params=REPORTS))
    # pending: secured 2 − 0.5 = 1.5, best 2; sent on time → horizon the assessment date: waiting 0.95
    # → 1.5 + 0.95 × 0.5 = 1.975
    assert scores(f) == (D("1.5"), D("1.975"), 2) and f.probability == D("0.95")
    assert f.reason == "Chờ duyệt 1 tài liệu" and "1 tài liệu chờ duyệt" in f.reasons


def test_report_sent_in_time_and_waiting_is_not_late():
    """The report was sent before its deadline; only the review is pending: nothing is overdue."""
    f = one(crit("deduction", [report("Q3", date(2024, 9, 13), sent=date(2024, 9, 12), waiting=True)], params=REPORTS))
    # p 0.95 ≥ 0.8 and nothing late → on_track; priority = at risk 0.025 × 1 → 0.03
    assert f.risk == "on_track"
    assert f.priority == D("0.03")


def test_report_uploaded_without_sending_date_after_deadline_is_lost():
    f = one(crit("deduction", [report("9 tháng", date(2024, 9, 13), uploaded=True)], params=REPORTS))
    assert f.best == D("1.5")
    assert f.reasons == ["Báo cáo 9 tháng chưa ghi ngày gửi, đã quá hạn 13/09 — đã mất"]


def test_a_report_title_gets_the_word_bao_cao():
    f = one(crit(items=[item(deadline=date(2024, 6, 14), title="Kết quả thực hiện Nghị quyết 05")]))
    assert f.reasons == ["Báo cáo Kết quả thực hiện Nghị quyết 05 chưa gửi, đã quá hạn 14/06 — đã mất"]
    lower = one(crit(items=[item(deadline=date(2024, 6, 14), title="báo cáo tháng 5")]))
    assert lower.reasons == ["báo cáo tháng 5 chưa gửi, đã quá hạn 14/06 — đã mất"]


def test_a_pending_report_is_expected_only_until_its_deadline():
    soon = date(2024, 10, 15)  # 2 weeks: fraction 0.25 of the ample time
    as_report = one(crit(items=[item(deadline=soon)]), [ONE_A_MONTH])
    # missing at 0.25: low 0.1625, high 0.375; pace 0.125 → 0.1890625 → 2 × = 0.378125 → 0.3781
    assert scores(as_report) == (0, D("0.3781"), 2) and as_report.risk == "critical"
    assert as_report.priority == D("2.43")  # 1.6219 × 1.5 = 2.43285
    as_item = one(crit(items=[item(due=soon)]), [ONE_A_MONTH])
    # an ordinary item due the same day counts until the assessment: 0.35 + 0.25 × 0.125 = 0.38125 → 0.7625
    assert scores(as_item) == (0, D("0.7625"), 2) and as_item.risk == "at_risk"
    assert as_item.priority == D("1.86")  # 1.2375 × 1.5 = 1.85625
    assert as_report.reason == as_item.reason == "Còn 1 tài liệu chưa có, hạn 15/10"
    # a deduction: secured 1.5 (one pending report), FAST: p 0.375 → 1.5 + 0.375 × 0.5 = 1.6875
    assert scores(one(crit("deduction", [report("Năm", soon)], params=REPORTS))) == (D("1.5"), D("1.6875"), 2)


# ------------------------------------------------------------------------------------------ rule types
def test_deduction_counts_lost_pending_and_unexpected_reports():
    items = [
        report("Q1", date(2024, 3, 15), approved=date(2024, 3, 20)),  # late
        report("6T", date(2024, 6, 14), approved=date(2024, 6, 10)),  # on time
        report("9T", date(2024, 9, 13)),  # missing
        report("Năm", date(2024, 12, 5)),
    ]  # pending, 9,3 weeks
    f = one(crit("deduction", items, params={"per_violation": "0.5"}, max_points="3"))
    # secured 3 − 0.5 × (2 lost + 1 pending) = 1.5; best 3 − 0.5 × 2 = 2
    # p = (0 + 1 + 0 + 0.6) / 4 = 0.4 → 1.5 + 0.4 × 0.5 = 1.7
    assert scores(f) == (D("1.5"), D("1.7"), D("2")) and f.risk == "at_risk"
    assert f.reason == "Báo cáo Q1 gửi muộn (hạn 15/03, gửi 20/03) — đã mất, không khắc phục được"
    assert f.reasons == [
        f.reason,
        "Báo cáo 9T chưa gửi, đã quá hạn 13/09 — đã mất",
        "1/4 tài liệu chưa có",
        "hạn 05/12",
        f"{FAST_PACE}; đã nộp 2/3 tài liệu đến hạn",
    ]
    stalled = one(crit("deduction", items, params={"per_violation": "0.5"}, max_points="3"), [STALLED])
    # p = (1 + 0.35) / 4 = 0.3375 → 1.5 + 0.16875 = 1.66875 → 1.6687
    assert scores(stalled) == (D("1.5"), D("1.6687"), 2) and stalled.risk == "at_risk"


def test_deduction_is_capped_by_max_deduction_and_never_negative():
    items = [report(f"R{k}", date(2024, 3, 1)) for k in range(5)]
    assert scores(one(crit("deduction", items, params={"per_violation": 1, "max_deduction": "1.5"}))) == (
        D("0.5"),
        D("0.5"),
        D("0.5"),
    )
    assert scores(one(crit("deduction", items, params={"per_violation": 1}))) == (0, 0, 0)


def test_deduction_by_measured_violations_gated_by_its_evidence():
    violations = [meas(date(2024, 6, 1), 5), meas(date(2024, 9, 1), 3)]
    c = crit(
        "deduction",
        [item(approved=date(2024, 8, 1))],
        params={"per_violation": 1},
        max_points="10",
        measurements=violations,
    )
    f = one(c)
    # 10 − 3 (the latest measurement)
    assert scores(f) == (7, 7, 7) and f.risk == "lost"
    assert f.reasons == ["3 vi phạm đã ghi nhận (đo 01/09): mất điểm", "Đã đủ minh chứng được duyệt"]
    assert f.reason == "3 vi phạm đã ghi nhận (đo 01/09): mất điểm"
    pending = one(crit("deduction", [item(due=date(2024, 11, 1))], params={"per_violation": 1}, max_points="10"))
    assert scores(pending) == (0, 6, 10)  # 0.6 × 10
    measured = one(
        crit(
            "deduction",
            [item(due=date(2024, 11, 1))],
            params={"per_violation": 1},
            max_points="10",
            measurements=violations,
        )
    )
    assert scores(measured) == (0, D("4.2"), 7)  # 0.6 × 7


def test_deduction_by_measured_violations_needs_every_gating_item():
    """SUSPECTED BUG: a deduction by measured violations pays nothing unless every (non-report) item is approved,
    so, as for the other gated rules, its p_items should be the product of those items' p; scoring.py takes
    the weighted mean for every deduction (COUNTING_RULES), which gives (0.6 + 0.6) / 2 × 7 = 4.2."""
    violations = [meas(date(2024, 9, 1), 3)]
    f = one(
        crit(
            "deduction",
            [item(due=date(2024, 11, 1)), item("I-2", due=date(2024, 11, 1))],
            params={"per_violation": 1},
            max_points="10",
            measurements=violations,
        )
    )
    # 10 − 3 = 7 once both items are approved; p = 0.6 × 0.6 = 0.36 → 0.36 × 7 = 2.52
    assert scores(f) == (0, D("2.52"), 7)


TIERS = {
    "tiers": [
        {"label": "Bằng khen cấp tỉnh", "fraction": 1},
        {"label": "Giấy khen của UBND Thành phố", "fraction": 0.5},
        {"label": "Không được khen thưởng", "fraction": 0},
    ]
}


def test_tiered_uses_the_tier_named_by_the_latest_measurement():
    f = one(
        crit(
            "tiered",
            [item(approved=date(2024, 9, 2))],
            params=TIERS,
            measurements=[meas(date(2024, 3, 1), 1), meas(date(2024, 9, 2), 2)],
        )
    )
    # tier 2: 2 × 0.5 = 1; the gap to 2 at below_target 0.4 → 1 + 0.4 × 1 = 1.4
    assert scores(f) == (1, D("1.4"), 2) and f.probability == D("0.4") and f.risk == "at_risk"
    assert f.reason == "Mức đạt: Giấy khen của UBND Thành phố (đo 02/09)"
    assert f.reasons == [f.reason, "Đã đủ minh chứng được duyệt"]
    stalled = one(
        crit("tiered", [item(approved=date(2024, 9, 2))], params=TIERS, measurements=[meas(date(2024, 9, 2), 2)]),
        [STALLED],
    )
    assert scores(stalled) == (1, D("1.2"), 2)  # below_target at pace 0: 0.2
    unmeasured = one(crit("tiered", [item(approved=date(2024, 9, 2))], params=TIERS))
    # not_measured 0.25 × 2
    assert scores(unmeasured) == (0, D("0.5"), 2) and unmeasured.reason == "Chưa có số liệu đo"
    assert "Chưa có số liệu đo" in unmeasured.reasons
    out_of_range = one(
        crit("tiered", [item(approved=date(2024, 9, 2))], params=TIERS, measurements=[meas(date(2024, 9, 2), 7)])
    )
    # the last tier (0): 0 + 0.4 × 2
    assert scores(out_of_range) == (0, D("0.8"), 2)
    assert "Mức đạt: Không được khen thưởng (đo 02/09)" in out_of_range.reasons
    waiting = one(crit("tiered", [item(waiting=True)], params=TIERS, measurements=[meas(date(2024, 9, 2), 1)]))
    # top tier measured, the item waiting: 0.95 × 2
    assert scores(waiting) == (0, D("1.9"), 2) and waiting.risk == "on_track"
    top = one(crit("tiered", [item(approved=date(2024, 9, 2))], params=TIERS, measurements=[meas(date(2024, 9, 2), 1)]))
    assert scores(top) == (2, 2, 2) and top.risk == "secured" and top.reason == "Đã duyệt"
    two = one(crit("tiered", [item(waiting=True), item("I-2")], params=TIERS, measurements=[meas(date(2024, 9, 2), 2)]))
    # tier 2 (gated 1), best 2; p_items = 0.95 × 0.6 = 0.57: 0.57 × 1 + 0.57 × 0.4 × 1 = 0.57 + 0.228 = 0.798
    assert scores(two) == (0, D("0.798"), 2) and two.probability == D("0.399") and two.risk == "at_risk"


COUNTS = {"thresholds": [{"min": 4, "points": 10}, {"min": 3, "points": 6}, {"min": 2, "points": 3}]}


def test_count_thresholds_from_measurements_and_their_trend():
    f = one(
        crit(
            "count_thresholds",
            [item(approved=date(2024, 7, 1))],
            params=COUNTS,
            max_points="10",
            measurements=[meas(date(2024, 3, 31), 1), meas(date(2024, 6, 30), 2)],
        )
    )
    # 2 → 3 points; the gap to 10 at 0.4: 3 + 0.4 × 7 = 5.8
    assert scores(f) == (3, D("5.8"), 10) and f.risk == "at_risk"
    # one more meeting every 91 days: 1 + 259/91 ≈ 3,85 by 15/12 (shown only)
    assert f.reason == "Số lượng 2 (đo 30/06) so với mức 4; xu hướng đến 15/12: 3,85"
    single = one(
        crit(
            "count_thresholds",
            [item(approved=date(2024, 7, 1))],
            params=COUNTS,
            max_points="10",
            measurements=[meas(date(2024, 6, 30), 2)],
        )
    )
    assert scores(single) == scores(f), "the trend does not move expected"
    assert single.reason == "Số lượng 2 (đo 30/06) so với mức 4"


def test_measured_count_thresholds_need_every_item():
    """SUSPECTED BUG: with measurements, count_thresholds pays the measured count only once every item is approved
    (_score_count_thresholds gates it like ratio), so p_items should be the product of the items' p; scoring.py
    takes the weighted mean for every count_thresholds (COUNTING_RULES): (1 + 0.6) / 2 = 0.8 → 2.4 + 2.24 = 4.64."""
    f = one(
        crit(
            "count_thresholds",
            [item(approved=date(2024, 7, 1)), item("I-2", due=date(2024, 11, 20))],
            params=COUNTS,
            max_points="10",
            measurements=[meas(date(2024, 6, 30), 2)],
        )
    )
    # secured 0 (I-2 pending), gated T(2) = 3, best 10; p_items = 1 × 0.6 = 0.6, below_target 0.4:
    # 0.6 × 3 + 0.6 × 0.4 × 7 = 1.8 + 1.68 = 3.48
    assert scores(f) == (0, D("3.48"), 10)


THRESHOLDS = {"thresholds": [{"min": 3, "points": 3}, {"min": 2, "points": 2}, {"min": 1, "points": 1}]}


def test_count_thresholds_counts_approved_items_without_measurements():
    items = [
        item(approved=date(2024, 7, 1)),
        item("I-2", approved=date(2024, 8, 1)),
        item("I-3"),
        item("I-4", deadline=date(2024, 3, 1)),
    ]
    f = one(crit("count_thresholds", items, params=THRESHOLDS, max_points="3"))
    # secured T(2 approved) = 2; best T(3 not lost) = 3; p = (1 + 1 + 0.6 + 0) / 4 = 0.65 → 2 + 0.65 = 2.65
    assert scores(f) == (2, D("2.65"), 3) and f.risk == "at_risk"
    assert f.reason == "Báo cáo Tài liệu I-4 chưa gửi, đã quá hạn 01/03 — đã mất"
    stalled = one(crit("count_thresholds", items, params=THRESHOLDS, max_points="3"), [STALLED])
    assert scores(stalled) == (2, D("2.5875"), 3)  # p = 2.35 / 4 = 0.5875


def test_ratio_needs_every_item_and_uses_the_latest_measurement():
    measured = [meas(date(2024, 9, 30), 976, 1000)]
    full = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 100}, measurements=measured))
    # 2 × 97.6% = 1.952; + 0.4 × 0.048 = 1.9712
    assert scores(full) == (D("1.952"), D("1.9712"), 2) and full.risk == "at_risk"
    assert full.reasons == ["Tỷ lệ 97,6% (đo 30/09) so với chỉ tiêu 100%", "Đã đủ minh chứng được duyệt"]
    assert full.reason == "Tỷ lệ 97,6% (đo 30/09) so với chỉ tiêu 100%"
    partial = one(
        crit(
            "ratio",
            [item(approved=date(2024, 9, 1)), item("I-2")],
            params={"target_percent": 100},
            measurements=measured,
        )
    )
    # p items 1 × 0.6 = 0.6: 0.6 × 1.952 + 0.6 × 0.4 × 0.048 = 1.1712 + 0.01152 = 1.18272 → 1.1827
    assert scores(partial) == (0, D("1.1827"), 2) and partial.reason == "Còn 1 tài liệu chưa có"
    above = one(
        crit(
            "ratio",
            [item(approved=date(2024, 9, 1))],
            params={"target_percent": 15},
            measurements=[meas(date(2024, 9, 30), 16, 100)],
        )
    )
    assert scores(above) == (2, 2, 2) and above.risk == "secured"


def test_ratio_trend_is_shown_but_not_projected():
    measured = [meas(date(2024, 7, 16), 108, 1000), meas(date(2024, 9, 30), 123, 1000)]
    f = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 15}, measurements=measured))
    # 2 × 12.3 / 15 = 1.64; + 0.4 × 0.36 = 1.784 (the trend, +1.5 points in 76 days, is not used)
    assert scores(f) == (D("1.64"), D("1.784"), 2) and f.at_risk == D("0.216") and f.risk == "at_risk"
    assert f.reasons == [
        "Tỷ lệ 12,3% (đo 30/09) so với chỉ tiêu 15%; xu hướng đến 15/12: 13,8%",
        "Đã đủ minh chứng được duyệt",
    ]
    single = one(
        crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 15}, measurements=measured[1:])
    )
    assert scores(single) == scores(f)


def test_trend_least_squares_caps_and_single_points():
    def forecast(points):
        return one(
            crit(
                "ratio",
                [item(approved=date(2024, 1, 2))],
                params={"target_percent": 100},
                max_points="100",
                measurements=points,
            )
        )

    # least squares through (0, 10), (30, 30), (60, 20) days from 02/08: slope 1/6 a day, mean 20 at day 30;
    # 15/12 is day 135 → 20 + 105/6 = 37.5
    three = forecast([meas(date(2024, 8, 2), 10), meas(date(2024, 9, 1), 30), meas(date(2024, 10, 1), 20)])
    assert three.reasons[0] == "Tỷ lệ 20% (đo 01/10) so với chỉ tiêu 100%; xu hướng đến 15/12: 37,5%"
    assert scores(three) == (20, 52, 100)  # 20 + 0.4 × 80
    single = forecast([meas(date(2024, 9, 1), 50)])
    assert single.reasons[0] == "Tỷ lệ 50% (đo 01/09) so với chỉ tiêu 100%", "one point: no trend"
    assert single.expected == 70  # 50 + 0.4 × 50
    same_day = forecast([meas(date(2024, 9, 1), 40), meas(date(2024, 9, 1), 60)])
    assert same_day.reasons[0] == "Tỷ lệ 60% (đo 01/09) so với chỉ tiêu 100%", "one date: the latest value"
    rising = forecast([meas(date(2024, 8, 1), 90), meas(date(2024, 9, 1), 99)])
    assert rising.reasons[0].endswith("xu hướng đến 15/12: 100%"), "capped to 100%"  # 99 + 9 × 105/31
    assert rising.expected == D("99.4")  # 99 + 0.4 × 1: the trend is not used
    falling = forecast([meas(date(2024, 8, 1), 90), meas(date(2024, 9, 1), 40)])
    assert falling.reasons[0].endswith("xu hướng đến 15/12: 0%"), "capped to 0%"
    assert scores(falling) == (40, 64, 100), "a falling trend does not lower expected"  # 40 + 0.4 × 60


def test_ratio_without_denominator_and_with_zero_denominator():
    plain = one(
        crit(
            "ratio",
            [item(approved=date(2024, 9, 1))],
            params={"target_percent": 100},
            measurements=[meas(date(2024, 9, 1), "99.1")],
        )
    )
    # 2 × 99.1% = 1.982; + 0.4 × 0.018 = 1.9892
    assert scores(plain) == (D("1.982"), D("1.9892"), 2)
    zero = one(
        crit(
            "ratio",
            [item(approved=date(2024, 9, 1))],
            params={"target_percent": 100},
            measurements=[meas(date(2024, 9, 1), 5, 0)],
        )
    )
    # ignored: not measured, 0.25 × 2
    assert scores(zero) == (0, D("0.5"), 2) and "Chưa có số liệu đo" in zero.reasons


def test_ratio_without_measurement_and_measurements_after_today_are_ignored():
    f = one(
        crit(
            "ratio",
            [item(approved=date(2024, 9, 1))],
            params={"target_percent": 100},
            measurements=[meas(date(2024, 10, 2), 100, 100)],
        )
    )
    assert scores(f) == (0, D("0.5"), 2) and f.risk == "at_risk" and f.reason == "Chưa có số liệu đo"
    assert f.reasons == ["Chưa có số liệu đo", "Đã đủ minh chứng được duyệt"]
    stalled = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 100}), [STALLED])
    assert scores(stalled) == (0, D("0.2"), 2)  # not_measured at pace 0: 0.10 × 2


def test_percentage_tiers():
    params = {"tiers": [{"min_percent": 100, "fraction": 1}, {"min_percent": 95, "fraction": 0.5}]}

    def forecast(measurements):
        return one(
            crit(
                "percentage_tiers",
                [item(approved=date(2024, 9, 1))],
                params=params,
                max_points="1",
                measurements=measurements,
            )
        )

    f = forecast([meas(date(2024, 9, 30), 976, 1000)])
    # 97.6% ≥ 95 → 0.5; + 0.4 × 0.5 = 0.7
    assert scores(f) == (D("0.5"), D("0.7"), 1) and f.risk == "at_risk"
    assert f.reason == "Tỷ lệ 97,6% (đo 30/09) so với chỉ tiêu 100%"
    low = forecast([meas(date(2024, 9, 30), 90, 100)])
    assert scores(low) == (0, D("0.4"), 1)  # no tier: 0.4 × 1
    top = forecast([meas(date(2024, 9, 30), 100, 100)])
    assert scores(top) == (1, 1, 1) and top.risk == "secured"
    unmeasured = forecast([])
    assert scores(unmeasured) == (0, D("0.25"), 1) and unmeasured.reason == "Chưa có số liệu đo"
    two = one(
        crit(
            "percentage_tiers",
            [item(approved=date(2024, 9, 1)), item("I-2", waiting=True), item("I-3", sent_back=True)],
            params=params,
            max_points="1",
            measurements=[meas(date(2024, 9, 30), 976, 1000)],
        )
    )
    # gated 0.5, best 1; p_items = 1 × 0.95 × 0.8 = 0.76: 0.76 × 0.5 + 0.76 × 0.4 × 0.5 = 0.38 + 0.152 = 0.532
    assert scores(two) == (0, D("0.532"), 1) and two.probability == D("0.532")


def test_not_applicable_contributes_nothing():
    na = crit("not_applicable", [item()], code="2.9", max_points="3", self_score="3")
    forecast = run([crit(items=[item(approved=date(2024, 9, 1))]), na])
    f = forecast.criteria[1]
    assert (f.max, *scores(f), f.at_risk, f.risk, f.reasons, f.reason) == (
        0,
        0,
        0,
        0,
        0,
        "secured",
        ["Không áp dụng"],
        "Không áp dụng",
    )
    assert forecast.totals.max == 2 and forecast.totals.secured == 2
    assert forecast.deviation_warning is None
    assert forecast.departments[0].remaining == 0


def test_remainder_is_forecast_from_last_year():
    f = one(crit("remainder", [item(approved=date(2024, 9, 1))], max_points="3", last_year="1.5"))
    # secured 0 (no document secures it), expected last year 1.5, best 3; p = 1.5 / 3
    assert scores(f) == (0, D("1.5"), 3) and f.at_risk == D("1.5") and f.probability == D("0.5")
    assert f.remainder is True and f.risk == "at_risk" and f.priority == 0
    assert f.reason == "Chưa có bộ tiêu chí chi tiết — nhập bộ tiêu chí của tỉnh"
    assert f.reasons == [f.reason, "Dự kiến theo kết quả năm trước: 1,5/3"]
    assert f.to_dict()["remainder"] is True
    capped = one(crit("remainder", max_points="3", last_year="5"))
    assert scores(capped) == (0, 3, 3) and capped.risk == "on_track"  # capped to max
    unknown = one(crit("remainder", max_points="3"))
    assert scores(unknown) == (0, 0, 3) and unknown.reasons[1] == "Dự kiến theo kết quả năm trước: 0/3"
    closed = one(crit("remainder", max_points="3", last_year="1.5"), today=date(2024, 12, 16))
    assert scores(closed) == (0, D("1.5"), D("1.5"))  # best = expected once closed


def test_unknown_rule_type_and_removed_keywords_are_refused():
    with pytest.raises(ValueError, match="unknown rule"):
        run([crit("magic", [item()])])
    for removed in ("weeks", "prior_per_week"):
        with pytest.raises(TypeError):
            run([crit(items=[item()])], **{removed: 1})


# ----------------------------------------------------------------------------- after the assessment date
def test_after_the_assessment_date_nothing_more_is_gained():
    items = [item(approved=date(2024, 9, 1)), item("I-2", waiting=True)]
    forecast = run([crit("count_thresholds", items, params=THRESHOLDS, max_points="3")], today=date(2024, 12, 16))
    f = forecast.criteria[0]
    assert forecast.closed is True
    assert scores(f) == (1, 1, 1) and f.risk == "lost" and f.due is None
    assert f.reasons == ["Đã qua ngày đánh giá 15/12: không còn bổ sung được"]
    assert f.reason == "Kỳ đánh giá đã kết thúc ngày 15/12/2024: không còn bổ sung được"
    ratio = one(
        crit(
            "ratio",
            [item(approved=date(2024, 9, 1))],
            params={"target_percent": 100},
            measurements=[meas(date(2024, 8, 1), 50), meas(date(2024, 9, 1), 60), meas(date(2024, 12, 20), 100)],
        ),
        today=date(2025, 1, 5),
    )
    # the 20/12 measurement is after the assessment: 2 × 60% = 1.2, no trend once closed
    assert scores(ratio) == (D("1.2"), D("1.2"), D("1.2")) and ratio.risk == "lost"
    assert ratio.reasons[0] == "Tỷ lệ 60% (đo 01/09) so với chỉ tiêu 100%"


def test_approvals_after_the_assessment_date_do_not_count():
    late_pace = dept(uploads=[date(2024, 12, 20), date(2024, 12, 21), date(2024, 12, 10), date(2024, 12, 1)])
    forecast = run(
        [
            crit(items=[item(approved=date(2024, 12, 10))], code="1.1"),
            crit(items=[item("I-2", approved=date(2024, 12, 20))], code="1.2"),
        ],
        [late_pace],
        today=date(2025, 1, 5),
    )
    done, late = forecast.criteria
    assert scores(done) == (2, 2, 2) and done.risk == "secured"
    assert done.reason == "Kỳ đánh giá đã kết thúc ngày 15/12/2024: đã duyệt"
    assert scores(late) == (0, 0, 0) and late.risk == "lost"
    assert late.reasons == ["Đã qua ngày đánh giá 15/12: không còn bổ sung được"]
    assert (forecast.totals.secured, forecast.totals.expected, forecast.totals.best) == (2, 2, 2)
    # the pace window ends on the assessment date: the uploads of 01/12 and 10/12 → 2 / 4 weeks
    assert forecast.departments[0].rate_per_week == D("0.5")


def test_on_the_assessment_date_pending_items_still_count_for_best():
    near = dept(uploads=[ASSESS - timedelta(days=k) for k in range(8)])  # pace 1 up to 15/12
    forecast = run([crit(items=[item(waiting=True)])], [near], today=ASSESS)
    f = forecast.criteria[0]
    # no time left: waiting [0.75, 0.85], pace 1 → 0.85 → 1.7
    assert forecast.closed is False
    assert scores(f) == (0, D("1.7"), 2) and f.risk == "on_track" and f.reason == "Chờ duyệt 1 tài liệu"
    idle = one(crit(items=[item(waiting=True)]), [FAST], today=ASSESS)  # FAST's uploads are too old
    assert scores(idle) == (0, D("1.5"), 2) and idle.risk == "at_risk"  # 0.75 × 2


# ------------------------------------------------------------------------------------------- departments
def test_department_rate_from_recent_history():
    recent = [TODAY, TODAY - timedelta(days=27)] + [date(2024, 9, 10)] * 4
    ignored = [TODAY - timedelta(days=28), date(2024, 1, 5), TODAY + timedelta(days=1)]
    d = dept(uploads=recent + ignored, waiting=3, sent_back=1)
    items = [item(f"I-{k}", due=date(2024, 10, 1) + timedelta(days=k)) for k in range(20)]
    all_20 = {"thresholds": [{"min": 20, "points": 2}]}  # a counting rule: the items' mean
    forecast = run([crit("count_thresholds", items, params=all_20)], [d])
    [row] = forecast.departments
    # 6 uploads in the window: 1.5 a week; 20 / 1.5 = 13.3 weeks > 10.7 left
    assert (row.rate_per_week, row.remaining, row.waiting, row.sent_back) == (D("1.5"), 20, 3, 1)
    assert row.weeks_needed == D(20) / D("1.5") and row.on_time is False
    f = forecast.criteria[0]
    assert f.reasons[-1] == "Văn phòng – Thống kê: nộp ~1,5 tài liệu/tuần (4 tuần qua); đã nộp 0/1 tài liệu đến hạn"
    assert f.reasons[0] == "20/20 tài liệu chưa có"
    # pace 6/8 = 0.75: missing 0.35 + 0.25 × 0.75 = 0.5375 each, mean 0.5375; secured T(0) = 0, best T(20) = 2
    # → 0.5375 × 2 = 1.075; due from today: priority 0.925 × 1.5 = 1.3875 → 1.39
    assert scores(f) == (0, D("1.075"), 2) and f.risk == "at_risk" and f.priority == D("1.39")


RECORD_TABLE = parse_parameters(
    {**RAW_TABLE, "pace": {**RAW_TABLE["pace"], "track_record": ["waiting", "sent_back", "missing"]}}
)


def test_a_department_that_kept_up_all_year_is_expected_to_keep_up():
    """Nothing uploaded in the last 4 weeks (pace 0), but every item due so far was provided: a missing item
    sits at the top of its band, as at full pace; an overdue item does not use the record (a department that
    kept up and still left an item overdue has skipped it)."""
    done = [item(f"D-{k}", due=date(2024, 3, 1), approved=date(2024, 2, 20)) for k in range(3)]
    ahead = item("I-1", due=date(2024, 11, 20))
    overdue = item("I-2", due=date(2024, 9, 20))

    def p(items, table=RECORD_TABLE):
        criterion = crit("count_thresholds", [*done, *items], params={"thresholds": [{"min": 4, "points": 2}]})
        return one(criterion, [STALLED], params=table)

    # missing, 10.7 weeks left (ample): record 3/3 = 1 → high 0.60; without the record low 0.35
    assert p([ahead]).reasons[-1] == f"{NO_PACE}; đã nộp 3/3 tài liệu đến hạn"
    assert p([ahead]).expected == D("1.8")  # (3 + 0.60) / 4 × 2
    assert p([ahead], TABLE).expected == D("1.675")  # (3 + 0.35) / 4 × 2
    # overdue: record 3/4, not used: low 0.15 either way
    assert p([overdue]).expected == p([overdue], TABLE).expected == D("1.575")  # (3 + 0.15) / 4 × 2
    # a department that provided 1 of the 3 items due: the missing one 0.35 + 0.25 × 1/3 = 0.4333…, the two
    # overdue ones 0.15 each
    behind = [item(f"D-{k}", due=date(2024, 3, 1)) for k in range(3)]
    behind[0] = item("D-0", due=date(2024, 3, 1), approved=date(2024, 2, 20))
    criterion = crit("count_thresholds", [*behind, ahead], params={"thresholds": [{"min": 4, "points": 2}]})
    assert one(criterion, [STALLED], params=RECORD_TABLE).expected == D("0.8666")  # (1 + 0.3 + 0.4333…) / 4 × 2


def test_the_track_record_never_reorders_the_states():
    with pytest.raises(ParameterError, match="overdue uses the track record, so missing must too"):
        parse_parameters({**RAW_TABLE, "pace": {**RAW_TABLE["pace"], "track_record": ["overdue"]}})
    with pytest.raises(ParameterError, match="unknown state"):
        parse_parameters({**RAW_TABLE, "pace": {**RAW_TABLE["pace"], "track_record": ["late"]}})


def test_item_p_follows_its_owner_pace():
    def expected(departments, owner="vp-tk", name=VP):
        return one(crit(items=[item(owner=owner, owner_name=name)]), departments).expected

    assert expected([FAST]) == D("1.2")  # 0.6 × 2
    assert expected([ONE_A_MONTH]) == D("0.7625")  # (0.35 + 0.25 × 0.125) × 2
    busy = dept(uploads=[TODAY - timedelta(days=k) for k in range(12)])  # 12 / 8: capped at 1
    assert expected([busy]) == D("1.2")
    assert expected([FAST], "tu-phap", "Tư pháp") == D("0.7"), "another department's pace"  # 0.35 × 2
    reviewed = dept(approvals=RECENT_8)  # approvals only, no uploads: pace 0
    assert expected([reviewed]) == D("0.7"), "the pace is what the department provides, not what is approved"


def test_department_without_history_has_no_rate():
    forecast = run(
        [crit(items=[item(owner="tu-phap", owner_name="Tư pháp", due=date(2024, 11, 1), waiting=True)])],
        [dept("tu-phap", "Tư pháp")],
    )
    [row] = forecast.departments
    assert (row.rate_per_week, row.remaining, row.weeks_needed, row.on_time) == (0, 1, None, False)
    f = forecast.criteria[0]
    assert f.reasons[-1] == "Tư pháp: không nộp tài liệu nào trong 4 tuần qua; đã nộp 1/1 tài liệu đến hạn"
    assert scores(f) == (0, D("1.7"), 2) and f.risk == "on_track"  # waiting at pace 0: 0.85


def test_department_missing_from_the_activity_list_gets_a_row_from_its_items():
    forecast = run([crit(items=[item(owner="ytế", owner_name="Trạm Y tế", sent_back=True)])], [FAST])
    rows = {r.code: r for r in forecast.departments}
    assert rows["vp-tk"].remaining == 0 and rows["vp-tk"].on_time and rows["vp-tk"].weeks_needed == 0
    assert rows["vp-tk"].rate_per_week == 2
    assert (
        rows["ytế"].name,
        rows["ytế"].rate_per_week,
        rows["ytế"].remaining,
        rows["ytế"].weeks_needed,
        rows["ytế"].on_time,
    ) == ("Trạm Y tế", 0, 1, None, False)


def test_department_missing_from_the_activity_list_counts_waiting_and_sent_back_from_its_items():
    forecast = run(
        [
            crit(
                items=[
                    item("A", owner="ytế", owner_name="Trạm Y tế", sent_back=True),
                    item("B", owner="ytế", owner_name="Trạm Y tế", waiting=True),
                    item("C", owner="ytế", owner_name="Trạm Y tế", waiting=True),
                ]
            )
        ],
        [FAST],
    )
    rows = {r.code: r for r in forecast.departments}
    assert (rows["ytế"].waiting, rows["ytế"].sent_back) == (2, 1)


def test_stalled_department_never_finishes():
    [row] = run([crit(items=[item()])], [STALLED]).departments
    assert row.rate_per_week == 0 and row.weeks_needed is None and not row.on_time


# -------------------------------------------------------------------------------------- totals and output
def test_area_and_index_totals_are_sums():
    forecast = run(
        [
            crit(items=[item(approved=date(2024, 9, 1))], code="1.1", last_year="1"),
            crit(items=[item("I-2")], code="1.2", max_points="3", last_year="0.5"),  # 0.6 × 3 = 1.8
            crit(items=[item("I-3", deadline=date(2024, 3, 1))], code="2.1", area="2", max_points="5"),
        ]
    )
    a1, a2 = forecast.areas
    assert (a1.code, a1.name, a1.max, a1.last_year, a1.secured, a1.expected, a1.best, a1.at_risk) == (
        "1",
        "Nội dung 1",
        5,
        D("1.5"),
        2,
        D("3.8"),
        5,
        D("1.2"),
    )
    assert (a2.max, a2.last_year, a2.best) == (5, None, 0)
    t = forecast.totals
    assert (t.max, t.last_year, t.secured, t.expected, t.best, t.at_risk, t.penalty) == (
        10,
        D("1.5"),
        2,
        D("3.8"),
        5,
        D("1.2"),
        0,
    )
    assert a1.to_dict()["last_year"] == 1.5 and t.to_dict()["max"] == 10.0


def test_to_dict_has_exactly_the_documented_keys():
    forecast = run([crit(items=[item(due=date(2024, 11, 20))], max_points="1.5", last_year="0.333")])
    d = forecast.criteria[0].to_dict()
    assert set(d) == {
        "code",
        "title",
        "area",
        "max",
        "last_year",
        "secured",
        "expected",
        "best",
        "at_risk",
        "risk",
        "reason",
        "reasons",
        "owner",
        "due",
        "probability",
        "priority",
        "remainder",
    }
    assert d["max"] == 1.5 and isinstance(d["max"], float)
    # missing, FAST: 0.6 × 1.5 = 0.9
    assert (d["last_year"], d["secured"], d["expected"], d["best"], d["at_risk"]) == (0.33, 0.0, 0.9, 1.5, 0.6)
    assert (d["due"], d["owner"], d["area"], d["risk"], d["probability"], d["priority"], d["remainder"]) == (
        "2024-11-20",
        VP,
        "1",
        "at_risk",
        0.6,
        0.6,
        False,
    )
    assert d["reason"] == "Còn 1 tài liệu chưa có, hạn 20/11"
    assert d["reasons"] == ["1/1 tài liệu chưa có", "hạn 20/11", FAST_PACE]
    assert one(crit(items=[item(approved=date(2024, 9, 1))])).to_dict()["due"] is None
    # one pending item at 2 a week: 0.5 week needed ≤ 10.7 left
    assert forecast.departments[0].to_dict() == {
        "code": "vp-tk",
        "name": VP,
        "rate_per_week": 2.0,
        "remaining": 1,
        "waiting": 0,
        "sent_back": 0,
        "weeks_needed": 0.5,
        "on_time": True,
    }


def test_owner_falls_back_to_the_first_pending_item():
    f = one(
        crit(
            items=[item(approved=date(2024, 9, 1)), item("I-2", owner="tu-phap", owner_name="Tư pháp")],
            department_name=None,
        )
    )
    assert f.owner == "Tư pháp"


# ------------------------------------------------------------------------------------ deviation warning
DEVIATING = [
    crit(items=[item(approved=date(2024, 9, 1))], code="1.1", max_points="10", self_score="10"),  # 10
    crit(items=[item("I-2")], code="1.2", max_points="10", self_score="5"),  # 0.35 × 10
    crit(
        "ratio",
        [item("I-3", approved=date(2024, 9, 1))],
        code="1.3",
        max_points="10",
        self_score="10",
        params={"target_percent": 100},
        measurements=[meas(date(2024, 9, 1), 80, 100)],
    ),  # 8 + 0.2 × 2
]


def test_deviation_warning_above_the_threshold_and_its_penalty():
    forecast = run(DEVIATING, [STALLED])
    warning = forecast.deviation_warning
    assert warning is not None
    # self 25 vs expected 10 + 3.5 + 8.4 = 21.9: 3.1 > 5% × 21.9 = 1.095
    penalty, codes, self_total, expected_total = warning
    assert (penalty, codes, self_total, expected_total) == (1, ["1.2", "1.3"], 25, D("21.9"))
    t = forecast.totals
    # secured 18 − 1, expected 21.9 − 1, best untouched
    assert (t.secured, t.expected, t.best, t.at_risk, t.penalty) == (17, D("20.9"), 30, D("9.1"), 1)
    [area] = forecast.areas
    assert (area.secured, area.expected) == (18, D("21.9"))


def test_no_deviation_warning_when_the_penalty_is_zero():
    forecast = run(DEVIATING, [STALLED], penalty="0")
    assert forecast.deviation_warning is None
    t = forecast.totals
    assert (t.secured, t.expected, t.best, t.at_risk, t.penalty) == (18, D("21.9"), 30, D("8.1"), 0)


def test_deviation_within_the_threshold_gives_no_warning():
    criteria = [
        crit(
            "ratio",
            [item(approved=date(2024, 9, 1))],
            max_points="100",
            self_score="105",
            params={"target_percent": 100},
            measurements=[meas(date(2024, 9, 1), 100, 100)],
        ),
        crit(items=[item("I-2")], code="1.2", max_points="2"),
    ]  # no self-score: not compared
    # 105 − 100 = 5 ≤ 5% × 100
    assert run(criteria).deviation_warning is None
    assert run(criteria, threshold="4.9").deviation_warning.criteria == ["1.1"]
    assert run([crit(items=[item()])]).deviation_warning is None, "no self-score at all"


# ---------------------------------------------------------------------------------------- the shipped table
def test_the_shipped_table_loads():
    assert isinstance(default_parameters(), ForecastParameters)


# ------------------------------------------------------------------------------------ the ward's catalogs
@pytest.mark.parametrize("name", ["cchc-2024.yaml", "qn-dti-2024.yaml"])
def test_shipped_catalogs_score_with_nothing_approved(name):
    catalog = load_catalog(CATALOG_DIR / "gieng-day" / name)
    names = {d.code: d.name for d in catalog.departments}
    criteria = [
        CriterionStatus(
            c.code,
            c.title,
            a.code,
            a.name,
            c.max_points,
            c.rule.type,
            c.rule.params,
            c.last_year_score,
            c.points_estimated,
            c.department,
            names.get(c.department),
            tuple(
                ItemStatus(
                    i.code,
                    i.title,
                    i.owner,
                    names[i.owner],
                    i.due,
                    i.weight,
                    i.report.deadline if i.report else None,
                    None,
                    None,
                    False,
                    False,
                    False,
                )
                for i in c.items
            ),
            (),
            None,
        )
        for a in catalog.areas
        for c in a.criteria
    ]
    forecast = forecast_index(
        criteria,
        [],
        today=date(2024, 1, 15),
        assessment_date=catalog.index.assessment_date,
        deviation_threshold_percent=catalog.index.deviation_threshold_percent,
        deviation_penalty_points=catalog.index.deviation_penalty_points,
        params=TABLE,
    )
    t = forecast.totals
    applicable = sum(c.max_points for c in catalog.criteria() if c.applicable)
    assert t.max == applicable and 0 <= t.secured <= t.expected <= t.best <= t.max
    assert t.last_year == sum(a.last_year_score for a in catalog.areas)
    for c, f in zip(criteria, forecast.criteria):
        assert f.reason and f.reasons and 0 <= f.secured <= f.expected <= f.best <= f.max
        if c.rule_type == "not_applicable":
            assert f.risk == "secured" and f.max == 0
        elif c.rule_type == "remainder":
            assert f.remainder and f.secured == 0
        else:  # nothing approved: nothing is secured in full, nothing on track
            assert f.risk in ("at_risk", "critical", "lost"), (c.code, f.risk)
    # no activity given: a row per owner of pending items, none with a pace
    assert forecast.departments and all(
        d.rate_per_week == 0 and d.remaining > 0 and d.weeks_needed is None and not d.on_time
        for d in forecast.departments
    )
