"""One criterion's forecast: its scores by its rule, p, risk, priority and reasons (SCORING.md)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from ..numbers import HUNDRED, ONE, POINT_STEP, ZERO
from ..rules import RULE_TYPES, Case
from .formatting import CENT, format_day, format_decimal
from .inputs import Context, CriterionStatus
from .items import JudgedItem, weeks_between
from .measurements import measurement_reason, percent_value
from .results import CriterionForecast

P_STEP = Decimal("0.0001")


def _risk(
    c: CriterionStatus,
    secured: Decimal,
    expected: Decimal,
    best: Decimal,
    p: Decimal,
    overdue: bool,
    late: bool,
    ctx: Context,
) -> str:
    at_risk = best - expected
    if secured == c.max_points:
        return "secured"
    if at_risk == 0:
        return "lost" if best < c.max_points else ("at_risk" if overdue else "on_track")
    if late and at_risk * HUNDRED >= ctx.params.critical_share_percent * ctx.index_max:
        return "critical"
    if overdue or p < ctx.params.on_track_p:
        return "at_risk"
    return "on_track"


def _headline(
    items: tuple[JudgedItem, ...], case_reason: str | None, secured: Decimal, maximum: Decimal, ctx: Context
) -> str:
    """The one line a chairman reads: the first of lost › overdue › sent back › missing › waiting › measured."""
    lost = [i.lost_reason for i in items if i.lost_reason]
    if lost:
        return lost[0]
    if ctx.closed:
        finished = f"Kỳ đánh giá đã kết thúc ngày {format_day(ctx.assessment_date, with_year=True)}"
        return f"{finished}: đã duyệt" if secured == maximum else f"{finished}: không còn bổ sung được"
    overdue = [i for i in items if i.state == "overdue"]
    if overdue:
        days = max((ctx.today - i.status.due).days for i in overdue if i.status.due is not None)
        count = f" ({len(overdue)} tài liệu)" if len(overdue) > 1 else ""
        return f"Quá hạn {days} ngày, chưa có minh chứng{count}"
    sent_back = sum(i.state == "sent_back" for i in items)
    if sent_back:
        return f"{sent_back} tài liệu bị trả lại, cần bổ sung"
    flagged = sum(i.state == "flagged" for i in items)
    if flagged:
        return f"{flagged} tài liệu chờ duyệt không đạt kiểm tra trước"
    missing = [i for i in items if i.state == "missing"]
    if missing:
        due = min((i.status.due for i in missing if i.status.due), default=None)
        return f"Còn {len(missing)} tài liệu chưa có" + (f", hạn {format_day(due)}" if due else "")
    waiting = sum(i.state == "waiting" for i in items)
    if waiting:
        return f"Chờ duyệt {waiting} tài liệu"
    if case_reason and secured < maximum:
        return case_reason
    return "Đã duyệt" if items else (case_reason or "Chưa có tài liệu nào được yêu cầu")


def _pace_reason(code: str, name: str, ctx: Context) -> str:
    weeks, provided = ctx.params.window_weeks, ctx.provided.get(code, 0)
    if provided == 0:
        pace = f"{name}: không nộp tài liệu nào trong {weeks} tuần qua"
    else:
        pace = f"{name}: nộp ~{format_decimal(Decimal(provided) / weeks)} tài liệu/tuần ({weeks} tuần qua)"
    done, owed = ctx.record.get(code, (0, 0))
    return f"{pace}; đã nộp {done}/{owed} tài liệu đến hạn" if owed else pace


def forecast_remainder(c: CriterionStatus, ctx: Context) -> CriterionForecast:
    """A block of criteria the rubric does not list yet: forecast from last year's result for those points;
    no document secures it."""
    expected = min(c.max_points, max(ZERO, c.last_year or ZERO))
    best = expected if ctx.closed else c.max_points
    headline = "Chưa có bộ tiêu chí chi tiết — nhập bộ tiêu chí của tỉnh"
    reasons = [headline, f"Dự kiến theo kết quả năm trước: {format_decimal(expected)}/{format_decimal(c.max_points)}"]
    p = expected / best if best > 0 else ONE
    return CriterionForecast(
        c.code,
        c.title,
        c.area_code,
        c.area_name,
        c.max_points,
        c.last_year,
        ZERO,
        expected,
        best,
        best - expected,
        "on_track" if best == expected else "at_risk",
        reasons,
        c.department_name,
        None,
        c.points_estimated,
        reason=headline,
        probability=p.quantize(P_STEP, ROUND_DOWN),
        priority=ZERO,
        remainder=True,
    )


def forecast_not_applicable(c: CriterionStatus) -> CriterionForecast:
    return CriterionForecast(
        c.code,
        c.title,
        c.area_code,
        c.area_name,
        ZERO,
        c.last_year,
        ZERO,
        ZERO,
        ZERO,
        ZERO,
        "secured",
        ["Không áp dụng"],
        c.department_name,
        None,
        c.points_estimated,
        reason="Không áp dụng",
        probability=ONE,
    )


def forecast_criterion(c: CriterionStatus, items: tuple[JudgedItem, ...], ctx: Context) -> CriterionForecast:
    today, assessment_date, params = ctx.today, ctx.assessment_date, ctx.params
    cutoff = min(today, assessment_date)
    usable = [m for m in c.measurements if m.measured_on <= cutoff and (m.denominator is None or m.denominator != 0)]
    case = Case(
        max=c.max_points,
        params=c.rule_params,
        items=items,
        measured=bool(usable),
        percent_now=percent_value(usable[-1]) if usable else None,
        count_now=usable[-1].numerator if usable else None,
        denominator_now=usable[-1].denominator if usable else None,
        dated=tuple((m.measured_on, m.numerator) for m in usable),
        today=today,
    )
    rule = RULE_TYPES[c.rule_type]
    raw = rule.score(case)
    secured = min(c.max_points, max(ZERO, raw.secured))
    best = max(secured, min(c.max_points, raw.best))
    gated = min(best, max(secured, raw.gated))
    p_items = rule.items_p(case)
    owner = c.department or (items[0].status.owner if items else None)
    if gated < best:  # the measured gap to the rule's top
        state = "below_target" if usable else "not_measured"
        p_measure = params.p(state, weeks_between(today, assessment_date), ctx.pace(owner, state))
    else:
        p_measure = ONE
    expected = secured + p_items * (gated - secured) + p_items * p_measure * (best - gated)
    expected = min(best, max(secured, expected.quantize(POINT_STEP, ROUND_DOWN)))
    if ctx.closed:
        expected = best = secured
    p = ((expected - secured) / (best - secured)).quantize(P_STEP, ROUND_DOWN) if best > secured else ONE

    pending = [i for i in items if i.pending]
    to_act = [i for i in pending if i.state != "waiting"]  # a document awaiting review is the reviewer's move
    overdue_days = max(
        ((today - i.status.due).days for i in to_act if i.status.due and i.status.due < today), default=None
    )
    soon = today + timedelta(days=params.soon_days)
    late_report = any(i.horizon is not None and i.horizon < assessment_date and i.horizon <= soon for i in to_act)
    due_soon = any(i.status.due is not None and today <= i.status.due <= soon for i in to_act)
    at_risk = best - expected
    if overdue_days is not None:
        priority = at_risk * (2 + min(Decimal(4), Decimal(overdue_days) / 7))  # lateness counts up to 4 weeks
    elif late_report or due_soon:
        priority = at_risk * Decimal("1.5")
    else:
        priority = at_risk

    measured_reason = measurement_reason(c, items, usable, assessment_date, ctx.closed)
    reasons = [i.lost_reason for i in items if i.lost_reason]
    missing = sum(not i.status.uploaded for i in pending)
    if missing:
        reasons.append(f"{missing}/{len(items)} tài liệu chưa có")
    for state, text in (
        ("sent_back", "tài liệu bị trả lại"),
        ("flagged", "tài liệu chờ duyệt không đạt kiểm tra trước"),
        ("waiting", "tài liệu chờ duyệt"),
    ):
        count = sum(i.state == state for i in pending)
        if count:
            reasons.append(f"{count} {text}")
    due = min((i.status.due for i in to_act if i.status.due is not None), default=None)
    if due is not None:
        reasons.append(f"{'quá hạn' if due < today else 'hạn'} {format_day(due)}")
    for code in dict.fromkeys(i.status.owner for i in pending):
        first = next(i for i in pending if i.status.owner == code)
        reasons.append(_pace_reason(code, first.status.owner_name, ctx))
    if measured_reason:
        reasons.append(measured_reason)
    if ctx.closed and any(i.state == "lost" and not i.lost_reason for i in items):
        reasons.append(f"Đã qua ngày đánh giá {format_day(assessment_date)}: không còn bổ sung được")
    if items and all(i.state == "approved" for i in items):
        reasons.append("Đã đủ minh chứng được duyệt")
    headline = _headline(items, measured_reason, secured, c.max_points, ctx)

    first_pending = min(pending, key=lambda i: i.status.due or date.max, default=None)
    owner_name = c.department_name or (
        first_pending.status.owner_name if first_pending else (items[0].status.owner_name if items else None)
    )
    return CriterionForecast(
        c.code,
        c.title,
        c.area_code,
        c.area_name,
        c.max_points,
        c.last_year,
        secured,
        expected,
        best,
        at_risk,
        _risk(
            c,
            secured,
            expected,
            best,
            p,
            overdue_days is not None or any(i.state == "flagged" for i in pending),  # a likely send-back
            overdue_days is not None or late_report,
            ctx,
        ),
        reasons or [headline],
        owner_name,
        due,
        c.points_estimated,
        reason=headline,
        probability=p,
        priority=priority.quantize(CENT, ROUND_HALF_UP),
    )
