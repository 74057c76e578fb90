"""Scoring and forecasting with a fixed "today" (01/10/2024) and assessment date (15/12/2024): every rule type,
every risk level, every kind of reason, lost reports, the department rate, the trend, the deviation warning."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from checklists import CATALOG_DIR, load_catalog
from checklists.scoring import (
    CriterionStatus, DepartmentActivity, ItemStatus, Measurement, RISK_LEVELS, forecast_index, format_decimal,
)

D = Decimal
TODAY = date(2024, 10, 1)
ASSESS = date(2024, 12, 15)
VP = "Văn phòng – Thống kê"


def item(code="I-1", *, owner="vp-tk", owner_name=VP, due=None, deadline=None, approved=None, sent=None,
         waiting=False, sent_back=False, uploaded=None, title=None):
    if uploaded is None:
        uploaded = approved is not None or waiting or sent_back or sent is not None
    return ItemStatus(code, title or f"Tài liệu {code}", owner, owner_name, due or deadline, D(1), deadline,
                      approved, sent, waiting, sent_back, uploaded)


def crit(rule="binary", items=(), *, code="1.1", params=None, max_points="2", measurements=(), last_year=None,
         self_score=None, area="1", department_name=VP):
    return CriterionStatus(code, f"Tiêu chí {code}", area, f"Nội dung {area}", D(max_points), rule, params or {},
                           None if last_year is None else D(last_year), False, "vp-tk", department_name,
                           tuple(items), tuple(measurements), None if self_score is None else D(self_score))


def meas(day, numerator, denominator=None):
    return Measurement(day, D(str(numerator)), None if denominator is None else D(str(denominator)), "Hệ thống")


def dept(code="vp-tk", name=VP, approvals=(), waiting=0, sent_back=0):
    return DepartmentActivity(code, name, tuple(approvals), waiting, sent_back)


FAST = dept(approvals=[TODAY - timedelta(days=k) for k in range(8)])          # 2 a week
STALLED = dept(approvals=[date(2024, 2, 1)])                                  # history, nothing recent


def run(criteria, departments=(FAST,), *, today=TODAY, threshold="5", penalty="1", **kw):
    return forecast_index(list(criteria), list(departments), today=today, assessment_date=ASSESS,
                          deviation_threshold_percent=D(threshold), deviation_penalty_points=D(penalty), **kw)


def one(criterion, departments=(FAST,), **kw):
    return run([criterion], departments, **kw).criteria[0]


def scores(f):
    return f.secured, f.expected, f.best


# ------------------------------------------------------------------------------------------ formatting
@pytest.mark.parametrize("value, text", [(D("1.5"), "1,5"), (D(15), "15"), (D("13.846"), "13,85"), (D("0"), "0"),
                                         (D("1E+1"), "10"), (D("-0.001"), "0"), (D("86.34"), "86,34"), (2.50, "2,5")])
def test_format_decimal(value, text):
    assert format_decimal(value) == text


# ------------------------------------------------------------------------------------------ risk levels
def test_secured_when_every_item_is_approved():
    f = one(crit(items=[item(approved=date(2024, 5, 1)), item("I-2", approved=date(2024, 6, 1))]))
    assert scores(f) == (2, 2, 2) and f.at_risk == 0
    assert f.risk == "secured" and f.reasons == ["Đã đủ minh chứng được duyệt"] and f.due is None


def test_on_track_when_the_department_keeps_pace():
    f = one(crit(items=[item(approved=date(2024, 5, 1)), item("I-2", due=date(2024, 11, 20)),
                        item("I-3", due=date(2024, 12, 20), waiting=True)]))
    assert scores(f) == (0, 2, 2) and f.risk == "on_track" and f.due == date(2024, 11, 20)
    assert f.reasons == ["1/3 tài liệu chưa có", "1 tài liệu chờ duyệt", "hạn 20/11",
                         "Văn phòng – Thống kê duyệt ~2 tài liệu/tuần → kịp trước ngày đánh giá 15/12"]


def test_critical_when_nothing_more_is_expected_in_time():
    f = one(crit(items=[item(due=date(2024, 12, 20), sent_back=True)]), [STALLED])
    assert scores(f) == (0, 0, 2) and f.at_risk == 2 and f.risk == "critical"
    assert f.reasons == ["1 tài liệu bị trả lại", "hạn 20/12",
                         "Văn phòng – Thống kê không duyệt tài liệu nào trong 4 tuần qua → không kịp trước ngày đánh giá 15/12"]


THRESHOLDS = {"thresholds": [{"min": 3, "points": 3}, {"min": 2, "points": 2}, {"min": 1, "points": 1}]}
ONE_A_MONTH = dept(approvals=[TODAY - timedelta(days=3)])                       # 0,25 a week


def test_at_risk_and_critical_when_an_item_is_overdue():
    def case(first_due):
        return crit("count_thresholds", [item(approved=date(2024, 9, 1)), item("I-2", due=first_due),
                                         item("I-3", deadline=date(2024, 10, 11), title="Báo cáo tháng 9")],
                    params=THRESHOLDS, max_points="3")
    on_time = one(case(date(2024, 10, 5)), [ONE_A_MONTH])
    assert scores(on_time) == (1, 2, 3) and on_time.risk == "at_risk"
    assert "Văn phòng – Thống kê duyệt ~0,25 tài liệu/tuần → không kịp trước hạn 11/10" in on_time.reasons
    overdue = one(case(date(2024, 9, 20)), [ONE_A_MONTH])
    assert scores(overdue) == (1, 2, 3) and overdue.risk == "critical"
    assert "quá hạn 20/09" in overdue.reasons and overdue.due == date(2024, 9, 20)


def test_on_track_even_with_an_overdue_item_when_it_is_expected():
    f = one(crit(items=[item(due=date(2024, 9, 20))]))
    assert scores(f) == (0, 2, 2) and f.risk == "on_track" and "quá hạn 20/09" in f.reasons


def test_lost_when_a_report_is_missing_after_its_deadline():
    f = one(crit(items=[item(deadline=date(2024, 6, 14), title="Báo cáo CCHC 6 tháng đầu năm 2024"),
                        item("I-2", approved=date(2024, 5, 2))]))
    assert scores(f) == (0, 0, 0) and f.risk == "lost" and f.at_risk == 0
    assert f.reasons == ["Báo cáo CCHC 6 tháng đầu năm 2024 chưa gửi, đã quá hạn 14/06: mất điểm"]


def test_every_risk_level_is_tested():
    assert set(RISK_LEVELS) == {"secured", "on_track", "at_risk", "critical", "lost"}


# --------------------------------------------------------------------------------------- lost reports
REPORTS = {"per_violation": "0.5"}


def report(code, deadline, **kw):
    return item(code, deadline=deadline, title=kw.pop("title", f"Báo cáo {code}"), **kw)


def test_report_approved_but_sent_late_is_lost_for_good():
    f = one(crit("deduction", [report("Q1", date(2024, 3, 15), approved=date(2024, 3, 25), sent=date(2024, 3, 20),
                                      title="Báo cáo CCHC Quý I/2024")], params=REPORTS))
    assert scores(f) == (D("1.5"), D("1.5"), D("1.5")) and f.risk == "lost"
    assert f.reasons == ["Báo cáo CCHC Quý I/2024 gửi quá hạn (hạn 15/03, gửi 20/03): mất điểm, không khắc phục được"]


def test_a_report_sent_in_another_year_says_which_year():
    f = one(crit("deduction", [report("Q1", date(2024, 3, 15), approved=date(2024, 3, 25), sent=date(2025, 3, 10),
                                      title="Báo cáo CCHC Quý I/2024")], params=REPORTS))
    assert f.reasons == ["Báo cáo CCHC Quý I/2024 gửi quá hạn (hạn 15/03/2024, gửi 10/03/2025): mất điểm, không khắc phục được"]


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
    assert scores(f) == (D("1.5"), 2, 2) and f.risk == "on_track"
    assert "1 tài liệu chờ duyệt" in f.reasons and "quá hạn 13/09" in f.reasons


def test_report_uploaded_without_sending_date_after_deadline_is_lost():
    f = one(crit("deduction", [report("9 tháng", date(2024, 9, 13), uploaded=True)], params=REPORTS))
    assert f.best == D("1.5")
    assert f.reasons == ["Báo cáo 9 tháng chưa ghi ngày gửi, đã quá hạn 13/09: mất điểm"]


def test_a_report_title_gets_the_word_bao_cao():
    f = one(crit(items=[item(deadline=date(2024, 6, 14), title="Kết quả thực hiện Nghị quyết 05")]))
    assert f.reasons == ["Báo cáo Kết quả thực hiện Nghị quyết 05 chưa gửi, đã quá hạn 14/06: mất điểm"]


def test_a_pending_report_is_expected_only_before_its_deadline():
    soon = [report("Năm", date(2024, 10, 10))]        # 9 days: 0,25 × 9/7 < 1 slot, 2 × 9/7 ≥ 1
    stalled_before = one(crit("deduction", soon, params=REPORTS), [ONE_A_MONTH])
    assert scores(stalled_before) == (D("1.5"), D("1.5"), 2) and stalled_before.risk == "critical"
    assert stalled_before.reasons[-1].endswith("→ không kịp trước hạn 10/10")
    assert scores(one(crit("deduction", soon, params=REPORTS))) == (D("1.5"), 2, 2)


# ------------------------------------------------------------------------------------------ rule types
def test_deduction_counts_lost_pending_and_unexpected_reports():
    items = [report("Q1", date(2024, 3, 15), approved=date(2024, 3, 20)),              # late
             report("6T", date(2024, 6, 14), approved=date(2024, 6, 10)),              # on time
             report("9T", date(2024, 9, 13)),                                          # missing
             report("Năm", date(2024, 12, 5))]                                         # pending
    f = one(crit("deduction", items, params={"per_violation": "0.5"}, max_points="3"))
    assert scores(f) == (D("1.5"), D("2"), D("2")) and f.risk == "on_track"
    stalled = one(crit("deduction", items, params={"per_violation": "0.5"}, max_points="3"), [STALLED])
    assert scores(stalled) == (D("1.5"), D("1.5"), 2) and stalled.risk == "critical"


def test_deduction_is_capped_by_max_deduction_and_never_negative():
    items = [report(f"R{k}", date(2024, 3, 1)) for k in range(5)]
    assert scores(one(crit("deduction", items, params={"per_violation": 1, "max_deduction": "1.5"}))) == (
        D("0.5"), D("0.5"), D("0.5"))
    assert scores(one(crit("deduction", items, params={"per_violation": 1}))) == (0, 0, 0)


def test_deduction_by_measured_violations_gated_by_its_evidence():
    c = crit("deduction", [item(approved=date(2024, 8, 1))], params={"per_violation": 1}, max_points="10",
             measurements=[meas(date(2024, 6, 1), 5), meas(date(2024, 9, 1), 3)])
    f = one(c)
    assert scores(f) == (7, 7, 7) and f.risk == "lost"
    assert f.reasons == ["3 vi phạm đã ghi nhận (đo 01/09): mất điểm", "Đã đủ minh chứng được duyệt"]
    pending = one(crit("deduction", [item(due=date(2024, 11, 1))], params={"per_violation": 1}, max_points="10"))
    assert scores(pending) == (0, 10, 10)


def test_tiered_uses_the_tier_named_by_the_latest_measurement():
    tiers = {"tiers": [{"label": "Bằng khen cấp tỉnh", "fraction": 1}, {"label": "Giấy khen của UBND Thành phố",
                                                                       "fraction": 0.5},
                       {"label": "Không được khen thưởng", "fraction": 0}]}
    f = one(crit("tiered", [item(approved=date(2024, 9, 2))], params=tiers, measurements=[
        meas(date(2024, 3, 1), 1), meas(date(2024, 9, 2), 2)]))
    assert scores(f) == (1, 1, 2) and f.risk == "critical"
    assert "Mức đạt: Giấy khen của UBND Thành phố (đo 02/09)" in f.reasons
    unmeasured = one(crit("tiered", [item(approved=date(2024, 9, 2))], params=tiers))
    assert scores(unmeasured) == (0, 0, 2) and "Chưa có số liệu đo" in unmeasured.reasons
    out_of_range = one(crit("tiered", [item(approved=date(2024, 9, 2))], params=tiers,
                            measurements=[meas(date(2024, 9, 2), 7)]))
    assert out_of_range.secured == 0 and "Mức đạt: Không được khen thưởng (đo 02/09)" in out_of_range.reasons
    waiting = one(crit("tiered", [item(waiting=True)], params=tiers, measurements=[meas(date(2024, 9, 2), 1)]))
    assert scores(waiting) == (0, 2, 2)


def test_count_thresholds_from_measurements_and_their_trend():
    params = {"thresholds": [{"min": 4, "points": 10}, {"min": 3, "points": 6}, {"min": 2, "points": 3}]}
    f = one(crit("count_thresholds", [item(approved=date(2024, 7, 1))], params=params, max_points="10",
                 measurements=[meas(date(2024, 3, 31), 1), meas(date(2024, 6, 30), 2)]))
    # one more meeting every 91 days: 2 + 168/91 ≈ 3,85 by 15/12, short of 4
    assert scores(f) == (3, 6, 10) and f.risk == "at_risk"
    assert "Số lượng 2 (đo 30/06) so với mức 4; xu hướng đến 15/12: 3,85" in f.reasons


def test_count_thresholds_counts_approved_items_without_measurements():
    items = [item(approved=date(2024, 7, 1)), item("I-2", approved=date(2024, 8, 1)), item("I-3"),
             item("I-4", deadline=date(2024, 3, 1))]
    f = one(crit("count_thresholds", items, params=THRESHOLDS, max_points="3"))
    assert scores(f) == (2, 3, 3) and f.risk == "on_track"
    assert one(crit("count_thresholds", items, params=THRESHOLDS, max_points="3"), [STALLED]).risk == "critical"


def test_ratio_needs_every_item_and_uses_the_latest_measurement():
    measured = [meas(date(2024, 9, 30), 976, 1000)]
    full = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 100}, measurements=measured))
    assert scores(full) == (D("1.952"), D("1.952"), 2) and full.risk == "critical"
    assert "Tỷ lệ 97,6% (đo 30/09) so với chỉ tiêu 100%" in full.reasons
    partial = one(crit("ratio", [item(approved=date(2024, 9, 1)), item("I-2")], params={"target_percent": 100},
                       measurements=measured))
    assert scores(partial) == (0, D("1.952"), 2)
    above = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 15},
                     measurements=[meas(date(2024, 9, 30), 16, 100)]))
    assert scores(above) == (2, 2, 2) and above.risk == "secured"


def test_ratio_trend_is_projected_to_the_assessment_date():
    measured = [meas(date(2024, 7, 16), 108, 1000), meas(date(2024, 9, 30), 123, 1000)]
    f = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 15}, measurements=measured))
    assert scores(f) == (D("1.64"), D("1.84"), 2) and f.at_risk == D("0.16") and f.risk == "at_risk"
    assert f.reasons == ["Tỷ lệ 12,3% (đo 30/09) so với chỉ tiêu 15%; xu hướng đến 15/12: 13,8%",
                         "Đã đủ minh chứng được duyệt"]


def test_trend_least_squares_caps_and_single_points():
    def expected(points, target=100):
        return one(crit("ratio", [item(approved=date(2024, 1, 2))], params={"target_percent": target},
                        max_points="100", measurements=points)).expected
    # least squares through (0, 10), (30, 30), (60, 20) days from 02/08: slope 1/6 a day, mean 20 at day 30
    three = [meas(date(2024, 8, 2), 10), meas(date(2024, 9, 1), 30), meas(date(2024, 10, 1), 20)]
    assert expected(three) == D("20") + (D((ASSESS - date(2024, 9, 1)).days) / 6).quantize(D("0.01"))
    assert expected([meas(date(2024, 9, 1), 50)]) == 50, "one point: the latest value"
    assert expected([meas(date(2024, 9, 1), 40), meas(date(2024, 9, 1), 60)]) == 60, "one date: the latest value"
    rising = [meas(date(2024, 8, 1), 90), meas(date(2024, 9, 1), 99)]
    assert expected(rising) == 100, "capped to 100%"
    falling = [meas(date(2024, 8, 1), 90), meas(date(2024, 9, 1), 40)]
    f = one(crit("ratio", [item(approved=date(2024, 1, 2))], params={"target_percent": 100}, max_points="100",
                 measurements=falling))
    assert f.secured == 40 and f.expected == 40, "a falling trend does not go below what is secured"
    assert "xu hướng đến 15/12: 0%" in f.reasons[0], "capped to 0%"


def test_ratio_without_denominator_and_with_zero_denominator():
    plain = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 100},
                     measurements=[meas(date(2024, 9, 1), "99.1")]))
    assert plain.secured == D("1.982")
    zero = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 100},
                    measurements=[meas(date(2024, 9, 1), 5, 0)]))
    assert scores(zero) == (0, 0, 2) and "Chưa có số liệu đo" in zero.reasons


def test_ratio_without_measurement_and_measurements_after_today_are_ignored():
    f = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 100},
                 measurements=[meas(date(2024, 10, 2), 100, 100)]))
    assert scores(f) == (0, 0, 2) and f.risk == "critical"
    assert f.reasons == ["Chưa có số liệu đo", "Đã đủ minh chứng được duyệt"]


def test_percentage_tiers():
    params = {"tiers": [{"min_percent": 100, "fraction": 1}, {"min_percent": 95, "fraction": 0.5}]}
    f = one(crit("percentage_tiers", [item(approved=date(2024, 9, 1))], params=params, max_points="1",
                 measurements=[meas(date(2024, 9, 30), 976, 1000)]))
    assert scores(f) == (D("0.5"), D("0.5"), 1) and f.risk == "critical"
    assert "Tỷ lệ 97,6% (đo 30/09) so với chỉ tiêu 100%" in f.reasons
    low = one(crit("percentage_tiers", [item(approved=date(2024, 9, 1))], params=params, max_points="1",
                   measurements=[meas(date(2024, 9, 30), 90, 100)]))
    assert low.secured == 0
    top = one(crit("percentage_tiers", [item(approved=date(2024, 9, 1))], params=params, max_points="1",
                   measurements=[meas(date(2024, 9, 30), 100, 100)]))
    assert top.risk == "secured"


def test_not_applicable_contributes_nothing():
    na = crit("not_applicable", [item()], code="2.9", max_points="3", self_score="3")
    forecast = run([crit(items=[item(approved=date(2024, 9, 1))]), na])
    f = forecast.criteria[1]
    assert (f.max, *scores(f), f.at_risk, f.risk, f.reasons) == (0, 0, 0, 0, 0, "secured", ["Không áp dụng"])
    assert forecast.totals.max == 2 and forecast.totals.secured == 2
    assert forecast.deviation_warning is None
    assert forecast.departments[0].remaining == 0


def test_unknown_rule_type_and_bad_weeks_are_refused():
    with pytest.raises(ValueError, match="unknown rule"):
        run([crit("magic", [item()])])
    with pytest.raises(ValueError, match="weeks"):
        run([crit(items=[item()])], weeks=0)


# ----------------------------------------------------------------------------- after the assessment date
def test_after_the_assessment_date_nothing_more_is_gained():
    items = [item(approved=date(2024, 9, 1)), item("I-2", waiting=True)]
    f = one(crit("count_thresholds", items, params=THRESHOLDS, max_points="3"), today=date(2024, 12, 16))
    assert scores(f) == (1, 1, 1) and f.risk == "lost" and f.due is None
    assert f.reasons == ["Đã qua ngày đánh giá 15/12: không còn bổ sung được"]
    ratio = one(crit("ratio", [item(approved=date(2024, 9, 1))], params={"target_percent": 100},
                     measurements=[meas(date(2024, 8, 1), 50), meas(date(2024, 9, 1), 60)]), today=date(2025, 1, 5))
    assert scores(ratio) == (D("1.2"), D("1.2"), D("1.2"))
    assert ratio.reasons[0] == "Tỷ lệ 60% (đo 01/09) so với chỉ tiêu 100%"


def test_on_the_assessment_date_pending_items_still_count_for_best():
    f = one(crit(items=[item(waiting=True)]), today=ASSESS)
    assert scores(f) == (0, 0, 2) and f.risk == "critical"


# ------------------------------------------------------------------------------------------- departments
def test_department_rate_from_recent_history():
    recent = [TODAY, TODAY - timedelta(days=27)] + [date(2024, 9, 10)] * 4
    ignored = [TODAY - timedelta(days=28), date(2024, 1, 5), TODAY + timedelta(days=1)]
    d = dept(approvals=recent + ignored, waiting=3, sent_back=1)
    items = [item(f"I-{k}", due=date(2024, 10, 1) + timedelta(days=k)) for k in range(20)]
    forecast = run([crit(items=items)], [d])
    [row] = forecast.departments
    assert (row.rate_per_week, row.rate_is_prior, row.remaining, row.waiting, row.sent_back) == (
        D("1.5"), False, 20, 3, 1)
    assert row.weeks_needed == D(20) / D("1.5") and row.on_time is False
    assert forecast.criteria[0].reasons[-1] == (
        "Văn phòng – Thống kê duyệt ~1,5 tài liệu/tuần → không kịp trước ngày đánh giá 15/12")
    assert forecast.criteria[0].reasons[0] == "20/20 tài liệu chưa có"


def test_items_are_taken_in_due_date_order_per_department():
    # 0,25 a week × 75 days → 2 slots: the two earliest due items are expected, the third is not
    items = [item("late", due=date(2024, 12, 1)), item("early", due=date(2024, 10, 10)), item("mid", due=date(2024, 11, 1))]
    criteria = [crit(items=[it], code=f"1.{k}") for k, it in enumerate(items)]
    forecast = run(criteria, [ONE_A_MONTH])
    assert [f.expected for f in forecast.criteria] == [0, 2, 2]
    other = run(criteria + [crit(items=[item("tp", owner="tu-phap", owner_name="Tư pháp")], code="2.1")],
                [ONE_A_MONTH])
    assert other.criteria[3].expected == 2, "another department's queue is separate"


def test_department_without_history_uses_the_prior():
    forecast = run([crit(items=[item(owner="tu-phap", owner_name="Tư pháp", due=date(2024, 11, 1), waiting=True)])],
                   [dept("tu-phap", "Tư pháp")], prior_per_week=D("0.5"))
    [row] = forecast.departments
    assert (row.rate_per_week, row.rate_is_prior, row.remaining, row.weeks_needed, row.on_time) == (
        D("0.5"), True, 1, 2, True)
    assert forecast.criteria[0].reasons[-1] == (
        "Tư pháp chưa có tài liệu nào được duyệt, ước định ~0,5 tài liệu/tuần → kịp trước ngày đánh giá 15/12")


def test_department_missing_from_the_activity_list_gets_the_prior_and_counts_from_items():
    forecast = run([crit(items=[item(owner="ytế", owner_name="Trạm Y tế", sent_back=True)])], [FAST])
    rows = {r.code: r for r in forecast.departments}
    assert rows["vp-tk"].remaining == 0 and rows["vp-tk"].on_time and rows["vp-tk"].weeks_needed == 0
    assert (rows["ytế"].name, rows["ytế"].rate_per_week, rows["ytế"].rate_is_prior, rows["ytế"].sent_back) == (
        "Trạm Y tế", 1, True, 1)


def test_stalled_department_never_finishes():
    [row] = run([crit(items=[item()])], [STALLED]).departments
    assert row.rate_per_week == 0 and not row.rate_is_prior and row.weeks_needed is None and not row.on_time


# -------------------------------------------------------------------------------------- totals and output
def test_area_and_index_totals_are_sums():
    forecast = run([
        crit(items=[item(approved=date(2024, 9, 1))], code="1.1", last_year="1"),
        crit(items=[item("I-2")], code="1.2", max_points="3", last_year="0.5"),
        crit(items=[item("I-3", deadline=date(2024, 3, 1))], code="2.1", area="2", max_points="5"),
    ])
    a1, a2 = forecast.areas
    assert (a1.code, a1.name, a1.max, a1.last_year, a1.secured, a1.expected, a1.best, a1.at_risk) == (
        "1", "Nội dung 1", 5, D("1.5"), 2, 5, 5, 0)
    assert (a2.max, a2.last_year, a2.best) == (5, None, 0)
    t = forecast.totals
    assert (t.max, t.last_year, t.secured, t.expected, t.best, t.at_risk) == (10, D("1.5"), 2, 5, 5, 0)
    assert a1.to_dict()["last_year"] == 1.5 and t.to_dict()["max"] == 10.0


def test_to_dict_has_exactly_the_documented_keys():
    f = one(crit(items=[item(due=date(2024, 11, 20))], max_points="1.5", last_year="0.333"))
    d = f.to_dict()
    assert list(d) == ["code", "title", "area", "max", "last_year", "secured", "expected", "best", "at_risk", "risk",
                       "reasons", "owner", "due"]
    assert d["max"] == 1.5 and isinstance(d["max"], float)
    assert (d["last_year"], d["secured"], d["due"], d["owner"], d["area"], d["risk"]) == (
        0.33, 0.0, "2024-11-20", VP, "1", "on_track")
    assert one(crit(items=[item(approved=date(2024, 9, 1))])).to_dict()["due"] is None


def test_owner_falls_back_to_the_first_pending_item():
    f = one(crit(items=[item(approved=date(2024, 9, 1)), item("I-2", owner="tu-phap", owner_name="Tư pháp")],
                 department_name=None))
    assert f.owner == "Tư pháp"


# ------------------------------------------------------------------------------------ deviation warning
def test_deviation_warning_above_the_threshold():
    forecast = run([
        crit(items=[item(approved=date(2024, 9, 1))], code="1.1", max_points="10", self_score="10"),
        crit(items=[item("I-2")], code="1.2", max_points="10", self_score="5"),
        crit("ratio", [item("I-3", approved=date(2024, 9, 1))], code="1.3", max_points="10", self_score="10",
             params={"target_percent": 100}, measurements=[meas(date(2024, 9, 1), 80, 100)]),
    ], [STALLED])
    warning = forecast.deviation_warning
    assert warning is not None
    penalty, codes, self_total, expected_total = warning
    assert (penalty, codes, self_total, expected_total) == (1, ["1.2", "1.3"], 25, 18)


def test_deviation_within_the_threshold_gives_no_warning():
    criteria = [crit("ratio", [item(approved=date(2024, 9, 1))], max_points="100", self_score="105",
                     params={"target_percent": 100}, measurements=[meas(date(2024, 9, 1), 100, 100)]),
                crit(items=[item("I-2")], code="1.2", max_points="2")]          # no self-score: not compared
    assert run(criteria).deviation_warning is None
    assert run(criteria, threshold="4.9").deviation_warning.criteria == ["1.1"]
    assert run([crit(items=[item()])]).deviation_warning is None, "no self-score at all"


# ------------------------------------------------------------------------------------ the ward's catalogs
@pytest.mark.parametrize("name", ["cchc-2024.yaml", "qn-dti-2024.yaml"])
def test_shipped_catalogs_score_with_nothing_approved(name):
    catalog = load_catalog(CATALOG_DIR / "gieng-day" / name)
    names = {d.code: d.name for d in catalog.departments}
    criteria = [
        CriterionStatus(c.code, c.title, a.code, a.name, c.max_points, c.rule.type, c.rule.params,
                        c.last_year_score, c.points_estimated, c.department, names.get(c.department),
                        tuple(ItemStatus(i.code, i.title, i.owner, names[i.owner], i.due, i.weight,
                                         i.report.deadline if i.report else None, None, None, False, False, False)
                              for i in c.items), (), None)
        for a in catalog.areas for c in a.criteria]
    forecast = forecast_index(criteria, [], today=date(2024, 1, 15), assessment_date=catalog.index.assessment_date,
                              deviation_threshold_percent=catalog.index.deviation_threshold_percent,
                              deviation_penalty_points=catalog.index.deviation_penalty_points)
    t = forecast.totals
    applicable = sum(c.max_points for c in catalog.criteria() if c.applicable)
    assert t.max == applicable and 0 <= t.secured <= t.expected <= t.best <= t.max
    assert t.last_year == sum(a.last_year_score for a in catalog.areas)
    assert all(d.rate_is_prior for d in forecast.departments)
    assert all(f.reasons for f in forecast.criteria)
