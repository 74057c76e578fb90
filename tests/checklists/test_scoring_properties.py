"""Invariants of the forecast over generated criteria, items, measurements, departments and dates."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from checklists.scoring import (
    RISK_LEVELS, CriterionStatus, DepartmentActivity, ItemStatus, Measurement, forecast_index,
)

BASE = date(2024, 1, 1)
OWNERS = ("a", "b", "c")
SETTINGS = settings(max_examples=100, deadline=None)


def day(n: int) -> date:
    return BASE + timedelta(days=n)


def optional_day(n: int | None) -> date | None:
    return None if n is None else day(n)


def decimals(low, high, places=2):
    """Decimals with `places` decimals in [low, high] (built from integers: much faster than st.decimals)."""
    scale = 10 ** places
    return st.integers(int(Decimal(str(low)) * scale), int(Decimal(str(high)) * scale)).map(
        lambda n: Decimal(n).scaleb(-places))


def strictly_decreasing(values):
    return sorted(set(values), reverse=True)


FRACTION = decimals(0, 1)
OPTIONAL_DAY = st.none() | st.integers(0, 380)
ITEM = st.tuples(st.sampled_from(OWNERS), OPTIONAL_DAY, OPTIONAL_DAY, OPTIONAL_DAY, OPTIONAL_DAY, st.booleans(),
                 st.booleans(), st.booleans())
MEASUREMENT = st.tuples(st.integers(0, 380), st.integers(0, 120), st.none() | st.integers(0, 100))
RULE_TYPES = st.sampled_from(["binary", "tiered", "count_thresholds", "ratio", "deduction", "percentage_tiers",
                              "not_applicable"])
TIER_FRACTIONS = st.lists(FRACTION, min_size=1, max_size=3)
THRESHOLD_MINS = st.lists(st.integers(0, 6), min_size=1, max_size=3)
PERCENT_MINS = st.lists(decimals(0, 100, 1), min_size=1, max_size=3)
POINTS = decimals(0, 20)


def rule_params(draw, kind: str, maximum: Decimal) -> dict:
    if kind == "tiered":
        return {"tiers": [{"label": f"Mức {k}", "fraction": str(f)} for k, f in enumerate(draw(TIER_FRACTIONS))]}
    if kind == "count_thresholds":
        mins = strictly_decreasing(draw(THRESHOLD_MINS))
        return {"thresholds": [{"min": m, "points": str(maximum * draw(FRACTION))} for m in mins]}
    if kind == "ratio":
        return {"target_percent": str(draw(decimals(1, 100)))}
    if kind == "deduction":
        params = {"per_violation": str(draw(decimals("0.25", 5)))}
        if maximum > 0 and draw(st.booleans()):
            params["max_deduction"] = str(max(Decimal("0.01"), maximum * draw(FRACTION)))
        return params
    if kind == "percentage_tiers":
        mins = strictly_decreasing(draw(PERCENT_MINS))
        return {"tiers": [{"min_percent": str(m), "fraction": str(draw(FRACTION))} for m in mins]}
    return {}


@st.composite
def worlds(draw):
    """Criteria, departments, today and the assessment date; dates of approval, sending and measuring ≤ today."""
    today_n = draw(st.integers(0, 380))
    today = day(today_n)

    def by_today(n):
        return None if n is None else day(n % (today_n + 1))

    criteria = []
    for ci in range(draw(st.integers(1, 5))):
        maximum = draw(POINTS)
        kind = draw(RULE_TYPES)
        params = rule_params(draw, kind, maximum)
        items = []
        for ii, (owner, due, deadline, approved, sent, waiting, sent_back, uploaded) in enumerate(
                draw(st.lists(ITEM, min_size=1, max_size=4))):
            items.append(ItemStatus(
                f"X-{ci}-{ii}", f"Tài liệu {ci}.{ii}", owner, f"Bộ phận {owner}", optional_day(due), Decimal(1),
                optional_day(deadline), by_today(approved), by_today(sent), waiting, sent_back,
                approved is not None or waiting or sent_back or uploaded))
        measurements = sorted(
            (Measurement(by_today(on), Decimal(numerator), None if extra is None else Decimal(numerator + extra), "nguồn")
             for on, numerator, extra in draw(st.lists(MEASUREMENT, max_size=3))), key=lambda m: m.measured_on)
        self_score, last_year = (draw(st.none() | FRACTION.map(lambda f, m=maximum: m * f)) for _ in range(2))
        criteria.append(CriterionStatus(
            f"{ci % 3}.{ci}", f"Tiêu chí {ci}", str(ci % 3), f"Nội dung {ci % 3}", maximum, kind, params,
            last_year, False, None, None, tuple(items), tuple(measurements), self_score))
    departments = [DepartmentActivity(code, f"Bộ phận {code}", tuple(day(n) for n in approvals), waiting, sent_back)
                   for code, approvals, waiting, sent_back in draw(st.lists(
                       st.tuples(st.sampled_from(OWNERS), st.lists(st.integers(0, 390), max_size=8),
                                 st.integers(0, 5), st.integers(0, 5)), max_size=3, unique_by=lambda t: t[0]))]
    return criteria, departments, today, day(draw(st.integers(0, 380)))


def forecast(criteria, departments, today, assessment):
    return forecast_index(criteria, departments, today=today, assessment_date=assessment,
                          deviation_threshold_percent=Decimal(5), deviation_penalty_points=Decimal(1))


def triple(row):
    return row.secured, row.expected, row.best


def check_ordered(row):
    assert 0 <= row.secured <= row.expected <= row.best <= row.max, row
    assert row.at_risk == row.best - row.expected >= 0


@SETTINGS
@given(worlds())
def test_scores_are_ordered_and_totals_are_sums(world):
    criteria, departments, today, assessment = world
    result = forecast(criteria, departments, today, assessment)
    for row in (*result.criteria, *result.areas, result.totals):
        check_ordered(row)
    for c, row in zip(criteria, result.criteria):
        assert row.risk in RISK_LEVELS and row.reasons
        if c.rule_type == "not_applicable":
            assert (row.max, *triple(row), row.risk) == (0, 0, 0, 0, "secured")
        else:
            assert row.max == c.max_points
    for field in ("max", "secured", "expected", "best", "at_risk"):
        assert getattr(result.totals, field) == sum(getattr(r, field) for r in result.criteria)
        assert getattr(result.totals, field) == sum(getattr(a, field) for a in result.areas)
        for area in result.areas:
            assert getattr(area, field) == sum(getattr(r, field) for r in result.criteria if r.area_code == area.code)
    for d in result.departments:
        assert d.rate_per_week >= 0 and d.remaining >= 0


@SETTINGS
@given(worlds(), st.data())
def test_approving_one_more_item_never_lowers_a_score(world, data):
    criteria, departments, today, assessment = world
    candidates = [(ci, ii) for ci, c in enumerate(criteria) for ii, i in enumerate(c.items) if i.approved_on is None]
    if not candidates:
        return
    ci, ii = data.draw(st.sampled_from(candidates))
    target = criteria[ci].items[ii]
    approved = replace(target, approved_on=today, uploaded=True, waiting=False, sent_back=False)
    items = list(criteria[ci].items)
    items[ii] = approved
    after = list(criteria)
    after[ci] = replace(criteria[ci], items=tuple(items))
    # the department's history records the approval, unless it had none (the prior rate is then left alone)
    after_departments = [replace(d, approvals=d.approvals + (today,))
                         if d.code == target.owner and any(a <= today for a in d.approvals) else d
                         for d in departments]
    before_rows = forecast(criteria, departments, today, assessment).criteria
    for deps in (departments, after_departments):
        after_rows = forecast(after, deps, today, assessment).criteria
        for b, a in zip(before_rows, after_rows):
            assert a.secured >= b.secured and a.expected >= b.expected and a.best >= b.best, (b, a)


@SETTINGS
@given(worlds(), st.integers(1, 400))
def test_after_the_assessment_date_expected_is_secured(world, extra_days):
    criteria, departments, today, assessment = world
    later = max(today, assessment) + timedelta(days=extra_days)
    result = forecast(criteria, departments, later, assessment)
    for row in (*result.criteria, *result.areas, result.totals):
        assert row.expected == row.secured == row.best
    assert all(d.remaining == 0 for d in result.departments)


@SETTINGS
@given(worlds(), decimals(0, 30))
def test_not_applicable_criteria_contribute_nothing(world, points):
    criteria, departments, today, assessment = world
    na = CriterionStatus("9.9", "Không áp dụng", "0", "Nội dung 0", points, "not_applicable", {}, None, False, None,
                         None, criteria[0].items, (), points)
    before = forecast(criteria, departments, today, assessment)
    after = forecast(criteria + [na], departments, today, assessment)
    assert after.totals == before.totals
    assert after.deviation_warning == before.deviation_warning
    assert after.departments == before.departments
    assert after.criteria[:-1] == before.criteria


MEASURED_RULES = st.sampled_from(["ratio", "percentage_tiers", "count_thresholds", "tiered"])


@SETTINGS
@given(MEASURED_RULES, st.lists(MEASUREMENT, min_size=1, max_size=4), st.integers(0, 380), st.integers(0, 380),
       st.data())
def test_measured_criteria_with_approved_evidence_stay_ordered(kind, raw, today_n, assessment_n, data):
    """Any trend (falling, flat, steep, one day) keeps secured ≤ expected ≤ best once the evidence is approved."""
    today = day(today_n)
    params = rule_params(data.draw, kind, Decimal(10))
    measurements = sorted((Measurement(day(on % (today_n + 1)), Decimal(n), None if extra is None else Decimal(n + extra),
                                       "nguồn") for on, n, extra in raw), key=lambda m: m.measured_on)
    item = ItemStatus("X", "Tài liệu", "a", "Bộ phận a", None, Decimal(1), None, today, None, False, False, True)
    criterion = CriterionStatus("1.1", "Tiêu chí", "1", "Nội dung", Decimal(10), kind, params, None, False, None,
                                None, (item,), tuple(measurements), None)
    [row] = forecast([criterion], [], today, day(assessment_n)).criteria
    check_ordered(row)
