"""The properties a forecast must have to be trusted (issue 11), each a hypothesis test over random worlds:
criteria of every rule type with random items, measurements, self-scores, departments' histories and dates.

1. monotone in work · 2. time without work never helps · 3. dominance · 4. missing and overdue is at risk ·
5. the assessment date closes the cycle · 6. the self-score penalty is applied · 8. remainder blocks are not
criteria · 9. critical means late and worth acting on; plus: scores ordered, totals are sums.
(7, as-of completeness, is a replay through the database: tests/reports/test_as_of_replay.py.)

The number of examples follows the Hypothesis profile: `HYPOTHESIS_PROFILE=thorough pytest tests/checklists`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from checklists.likelihood import default_parameters
from checklists.scoring import (
    RISK_LEVELS,
    CriterionStatus,
    DepartmentActivity,
    ItemStatus,
    Measurement,
    forecast_index,
)

BASE = date(2024, 1, 1)
OWNERS = ("a", "b", "c")


def day(n: int) -> date:
    return BASE + timedelta(days=n)


def decimals(low, high, places=2):
    """Decimals with `places` decimals in [low, high] (built from integers: much faster than st.decimals)."""
    scale = 10**places
    return st.integers(int(Decimal(str(low)) * scale), int(Decimal(str(high)) * scale)).map(
        lambda n: Decimal(n).scaleb(-places)
    )


def strictly_decreasing(values):
    return sorted(set(values), reverse=True)


FRACTION = decimals(0, 1)
POINTS = decimals(0, 20)
RULE_TYPES = st.sampled_from(
    [
        "binary",
        "tiered",
        "count_thresholds",
        "ratio",
        "deduction",
        "percentage_tiers",
        "not_applicable",
        "remainder",
        "per_population",
        "event_count",
        "shares",
    ]
)


def rule_params(draw, kind: str, maximum: Decimal) -> dict:
    if kind == "tiered":
        fractions = draw(st.lists(FRACTION, min_size=1, max_size=3))
        if draw(st.booleans()):  # tiers reached by the measured value
            mins = strictly_decreasing(draw(st.lists(decimals(0, 100, 1), min_size=len(fractions), max_size=3)))
            return {
                "tiers": [
                    {"label": f"Mức {k}", "min": str(m), "fraction": str(f)}
                    for k, (m, f) in enumerate(zip(mins, fractions))
                ]
            }
        return {"tiers": [{"label": f"Mức {k}", "fraction": str(f)} for k, f in enumerate(fractions)]}
    if kind == "per_population":
        return {
            "target": str(draw(decimals("0.1", 5))),
            "per": draw(st.sampled_from([1, 100, 1000])),
            "unit": "tổ",
            "of": "dân",
        }
    if kind == "event_count":
        start = draw(st.integers(0, 380))
        mins = strictly_decreasing(draw(st.lists(st.integers(0, 6), min_size=1, max_size=3)))
        return {
            "event": "cuộc họp",
            "from": day(start).isoformat(),
            "to": day(start + draw(st.integers(0, 200))).isoformat(),
            "thresholds": [{"min": m, "points": str(maximum * draw(FRACTION))} for m in mins],
        }
    if kind == "count_thresholds":
        mins = strictly_decreasing(draw(st.lists(st.integers(0, 6), min_size=1, max_size=3)))
        return {"thresholds": [{"min": m, "points": str(maximum * draw(FRACTION))} for m in mins]}
    if kind == "ratio":
        return {"target_percent": str(draw(decimals(1, 100)))}
    if kind == "deduction":
        params = {"per_violation": str(draw(decimals("0.25", 5)))}
        if maximum > 0 and draw(st.booleans()):
            params["max_deduction"] = str(max(Decimal("0.01"), maximum * draw(FRACTION)))
        return params
    if kind == "percentage_tiers":
        mins = strictly_decreasing(draw(st.lists(decimals(0, 100, 1), min_size=1, max_size=3)))
        return {"tiers": [{"min_percent": str(m), "fraction": str(draw(FRACTION))} for m in mins]}
    return {}


@st.composite
def worlds(draw):
    """(criteria, departments, today, assessment date); every event happened by today."""
    today_n = draw(st.integers(0, 380))
    by_today = lambda n: None if n is None else day(n % (today_n + 1))
    maybe_day = st.none() | st.integers(0, 380)
    criteria = []
    for ci in range(draw(st.integers(1, 5))):
        maximum, kind = draw(POINTS), draw(RULE_TYPES)
        params = rule_params(draw, kind, maximum)
        items = []
        for ii in range(draw(st.integers(1, 4))):
            owner = draw(st.sampled_from(OWNERS))
            due, deadline, approved, sent = (draw(maybe_day) for _ in range(4))
            state = draw(st.sampled_from(["missing", "waiting", "sent_back", "uploaded", "approved"]))
            approved_on = by_today(approved if approved is not None else 0) if state == "approved" else None
            items.append(
                ItemStatus(
                    f"X-{ci}-{ii}",
                    f"Tài liệu {ci}.{ii}",
                    owner,
                    f"Bộ phận {owner}",
                    None if due is None else day(due),
                    draw(st.sampled_from([Decimal(1), Decimal(2), Decimal("0.5")])),
                    None if deadline is None else day(deadline),
                    approved_on,
                    by_today(sent) if state != "missing" else None,
                    state == "waiting",
                    state == "sent_back",
                    state != "missing",
                )
            )
        measurements = sorted(
            (
                Measurement(
                    by_today(on), Decimal(numerator), None if extra is None else Decimal(numerator + extra), "nguồn"
                )
                for on, numerator, extra in draw(
                    st.lists(
                        st.tuples(st.integers(0, 380), st.integers(0, 120), st.none() | st.integers(0, 100)), max_size=3
                    )
                )
            ),
            key=lambda m: m.measured_on,
        )
        self_score = draw(st.none() | FRACTION.map(lambda f, m=maximum: m * f * 2))
        last_year = maximum * draw(FRACTION) if kind == "remainder" or draw(st.booleans()) else None
        criteria.append(
            CriterionStatus(
                f"{ci % 3}.{ci}",
                f"Tiêu chí {ci}",
                str(ci % 3),
                f"Nội dung {ci % 3}",
                maximum,
                kind,
                params,
                last_year,
                False,
                None,
                None,
                tuple(items),
                tuple(measurements),
                self_score,
            )
        )
    approvals = {
        code: sorted(
            {i.approved_on for c in criteria for i in c.items if i.owner == code and i.approved_on is not None}
        )
        for code in OWNERS
    }
    uploads = {
        code: [
            i.approved_on or day(today_n)
            for c in criteria
            for i in c.items
            if i.owner == code and i.uploaded and draw(st.booleans())
        ]
        for code in OWNERS
    }
    for code, n in draw(st.lists(st.tuples(st.sampled_from(OWNERS), st.integers(0, today_n)), max_size=6)):
        approvals[code].append(day(n))
    for code, n in draw(st.lists(st.tuples(st.sampled_from(OWNERS), st.integers(0, today_n)), max_size=10)):
        uploads[code].append(day(n))
    departments = [
        DepartmentActivity(code, f"Bộ phận {code}", tuple(sorted(approvals[code])), 0, 0, tuple(sorted(uploads[code])))
        for code in OWNERS
    ]
    return criteria, departments, day(today_n), day(draw(st.integers(0, 380)))


def forecast(criteria, departments, today, assessment, penalty="1"):
    return forecast_index(
        criteria,
        departments,
        today=today,
        assessment_date=assessment,
        deviation_threshold_percent=Decimal(5),
        deviation_penalty_points=Decimal(penalty),
    )


def rows(result):
    return (*result.criteria, *result.areas, result.totals)


def never_lower(before, after, fields=("secured", "expected", "best")):
    for b, a in zip(rows(before), rows(after)):
        for name in fields:
            assert getattr(a, name) >= getattr(b, name), (name, b, a)


def with_item(criteria, ci, ii, **changes):
    items = list(criteria[ci].items)
    items[ii] = replace(items[ii], **changes)
    result = list(criteria)
    result[ci] = replace(criteria[ci], items=tuple(items))
    return result


def with_approval(departments, owner, on):
    return [replace(d, approvals=tuple(sorted(d.approvals + (on,)))) if d.code == owner else d for d in departments]


def with_upload(departments, owner, on):
    return [replace(d, uploads=tuple(sorted(d.uploads + (on,)))) if d.code == owner else d for d in departments]


# ---------------------------------------------------------------------------------- ordered, sums
@given(worlds())
def test_scores_are_ordered_and_totals_are_sums_less_the_penalty(world):
    criteria, departments, today, assessment = world
    result = forecast(criteria, departments, today, assessment)
    for row in rows(result):
        assert 0 <= row.secured <= row.expected <= row.best <= row.max, row
        assert row.at_risk == row.best - row.expected
    for _c, row in zip(criteria, result.criteria):
        assert row.risk in RISK_LEVELS and row.reason and row.reasons
        assert 0 <= row.probability <= 1
    penalty = result.deviation_warning.penalty_points if result.deviation_warning else 0
    for name in ("secured", "expected"):
        total = sum(getattr(r, name) for r in result.criteria)
        assert getattr(result.totals, name) == max(0, total - penalty)
        assert sum(getattr(a, name) for a in result.areas) == total
    assert result.totals.best == sum(r.best for r in result.criteria) == sum(a.best for a in result.areas)


# ---------------------------------------------------------------------------------- 1. monotone in work
@given(worlds(), st.data())
def test_1_work_never_lowers_a_score_on_the_same_day(world, data):
    criteria, departments, today, assessment = world
    before = forecast(criteria, departments, today, assessment)
    places = [(ci, ii) for ci, c in enumerate(criteria) for ii, i in enumerate(c.items) if i.approved_on is None]
    actions = []
    if places:
        ci, ii = data.draw(st.sampled_from(places))
        item = criteria[ci].items[ii]
        on_time = item.report_deadline is not None and today <= item.report_deadline
        actions.append(
            (
                "upload",
                with_item(
                    criteria,
                    ci,
                    ii,
                    uploaded=True,
                    waiting=True,
                    sent_back=False,
                    sent_date=today if on_time else item.sent_date,
                ),
                with_upload(departments, item.owner, today),
            )
        )
        actions.append(
            (
                "approve",
                with_item(criteria, ci, ii, uploaded=True, waiting=False, sent_back=False, approved_on=today),
                with_approval(departments, item.owner, today),
            )
        )
        if on_time:
            actions.append(
                (
                    "send the report on time",
                    with_item(criteria, ci, ii, uploaded=True, sent_date=today),
                    with_upload(departments, item.owner, today),
                )
            )
    measured = [ci for ci, c in enumerate(criteria) if c.measurements]
    if measured:
        ci = data.draw(st.sampled_from(measured))
        c, last = criteria[ci], criteria[ci].measurements[-1]
        closer = None
        if c.rule_type == "deduction":  # fewer violations
            closer = Measurement(today, last.numerator * data.draw(FRACTION), None, "nguồn")
        elif c.rule_type == "event_count":  # one more event, today
            closer = Measurement(today, Decimal(1), None, "biên bản")
        elif (
            c.rule_type in ("ratio", "percentage_tiers", "count_thresholds", "tiered", "per_population")
            and last.measured_on < today
        ):
            if last.denominator:  # a higher share of the same total
                numerator = last.numerator + (last.denominator - last.numerator) * data.draw(FRACTION)
                closer = Measurement(today, numerator, last.denominator, "nguồn")
            elif c.rule_type != "tiered" or "min" in c.rule_params["tiers"][0]:  # chosen tiers are not ordered
                closer = Measurement(today, last.numerator + data.draw(st.integers(0, 50)), None, "nguồn")
        if closer is not None:
            changed = list(criteria)
            changed[ci] = replace(c, measurements=c.measurements + (closer,))
            actions.append(("a measurement closer to the target", changed, departments))
    for _name, after_criteria, after_departments in actions:
        never_lower(before, forecast(after_criteria, after_departments, today, assessment))


# ---------------------------------------------------------------------------------- 2. time alone never helps
@given(worlds(), st.integers(1, 200))
def test_2_time_without_work_never_raises_expected(world, days_later):
    criteria, departments, today, assessment = world
    earlier = forecast(criteria, departments, today, assessment)
    later = forecast(criteria, departments, today + timedelta(days=days_later), assessment)
    for before, after in zip(rows(earlier), rows(later)):
        assert after.expected <= before.expected and after.best <= before.best, (before, after)


# ---------------------------------------------------------------------------------- 3. dominance
@given(worlds(), st.data())
def test_3_a_unit_with_more_approved_evidence_is_never_forecast_lower(world, data):
    criteria, departments, today, assessment = world
    places = [(ci, ii) for ci, c in enumerate(criteria) for ii, i in enumerate(c.items) if i.approved_on is None]
    more, more_departments = criteria, departments
    for ci, ii in data.draw(st.lists(st.sampled_from(places), unique=True) if places else st.just([])):
        owner = more[ci].items[ii].owner
        more = with_item(more, ci, ii, uploaded=True, waiting=False, sent_back=False, approved_on=today)
        more_departments = with_approval(more_departments, owner, today)
    less = forecast(criteria, departments, today, assessment)
    dominant = forecast(more, more_departments, today, assessment)
    never_lower(less, dominant)
    assert dominant.totals.expected >= less.totals.expected  # so never ranked below it


# ---------------------------------------------------------------------------------- 4. missing and overdue
@given(worlds())
def test_4_a_missing_item_past_its_due_date_is_never_on_track(world):
    criteria, departments, today, assessment = world
    result = forecast(criteria, departments, today, assessment)
    for c, row in zip(criteria, result.criteria):
        if c.rule_type in ("not_applicable", "remainder") or today > assessment:
            continue
        overdue = [
            i
            for i in c.items
            if not i.uploaded
            and i.due is not None
            and i.due < today
            and not (i.report_deadline is not None and today > i.report_deadline)
        ]
        if overdue:
            assert row.risk != "on_track", (c, row)


# ---------------------------------------------------------------------------------- 5. the cycle closes
@given(worlds(), st.integers(1, 60), st.integers(1, 400))
def test_5_nothing_after_the_assessment_date_changes_the_cycle(world, after, later):
    """Approvals, measurements and department history dated after the assessment date change nothing, and
    the closed forecast is final: expected = best = secured, the same on every later day."""
    criteria, departments, today, _ = world
    assessment = today - timedelta(days=after)

    def strip(c):
        items = tuple(
            replace(i, approved_on=None) if i.approved_on and i.approved_on > assessment else i for i in c.items
        )
        return replace(c, items=items, measurements=tuple(m for m in c.measurements if m.measured_on <= assessment))

    stripped = [strip(c) for c in criteria]
    stripped_departments = [replace(d, approvals=tuple(a for a in d.approvals if a <= assessment)) for d in departments]
    full = forecast(criteria, departments, today, assessment)
    for result in (
        forecast(stripped, stripped_departments, today, assessment),
        forecast(criteria, departments, today + timedelta(days=later), assessment),
    ):
        for a, b in zip(rows(full), rows(result)):
            assert (a.secured, a.expected, a.best) == (b.secured, b.expected, b.best)
    assert full.closed
    for row in full.criteria:
        if not row.remainder:
            assert row.expected == row.best == row.secured


# ---------------------------------------------------------------------------------- 6. the penalty
@given(worlds())
def test_6_the_penalty_is_taken_off_whenever_its_warning_shows(world):
    criteria, departments, today, assessment = world
    with_penalty = forecast(criteria, departments, today, assessment, penalty="1")
    without = forecast(criteria, departments, today, assessment, penalty="0")
    assert without.deviation_warning is None and without.totals.penalty == 0
    if with_penalty.deviation_warning is None:
        assert with_penalty.totals == without.totals
    else:
        assert with_penalty.totals.penalty == 1
        assert with_penalty.totals.expected == max(0, without.totals.expected - 1)
        assert with_penalty.totals.best == without.totals.best


# ---------------------------------------------------------------------------------- 8. remainder blocks
@given(worlds(), decimals(0, 30), FRACTION)
def test_8_no_document_secures_a_remainder_block(world, maximum, share):
    criteria, departments, today, assessment = world
    items = tuple(replace(i, approved_on=min(today, assessment), uploaded=True) for i in criteria[0].items)
    block = CriterionStatus(
        "9.9",
        "Các tiêu chí còn lại",
        "9",
        "Nội dung 9",
        maximum,
        "remainder",
        {},
        maximum * share,
        True,
        None,
        None,
        items,
        (),
        None,
    )
    row = forecast(criteria + [block], departments, today, assessment).criteria[-1]
    assert row.remainder and row.secured == 0 and row.expected == maximum * share
    assert row.best == (row.expected if today > assessment else maximum)
    assert "nhập bộ tiêu chí" in row.reason


# ---------------------------------------------------------------------------------- 9. risk levels
@given(worlds())
def test_9_critical_means_late_and_worth_points(world):
    criteria, departments, today, assessment = world
    result = forecast(criteria, departments, today, assessment)
    params = default_parameters()
    index_max = sum(c.max_points for c in criteria if c.rule_type != "not_applicable")
    soon = today + timedelta(days=params.soon_days)
    for c, row in zip(criteria, result.criteria):
        if row.risk != "critical":
            continue
        assert row.at_risk * 100 >= params.critical_share_percent * index_max
        to_act = [i for i in c.items if i.approved_on is None and not i.waiting]
        assert any(
            (i.due is not None and i.due < today)
            or (i.report_deadline is not None and today <= i.report_deadline <= soon)
            for i in to_act
        ), (c, row)
        assert row.priority >= row.at_risk
