"""Scoring and forecasting: what each criterion is worth today, what it is expected to be worth on the
assessment date, and why. Pure functions over plain data (the query layer builds the inputs); Decimal only.
The whole specification, with the table of states and the properties the tests check, is in SCORING.md.

Per criterion, as of `today` (only what was approved and measured by then, and by the assessment date, counts):
- secured: the rule applied to approved evidence and the latest measurement;
- best: everything not already lost (every pending item approved in time, every measure at its top);
- expected = secured + p × (best − secured), where p is the likelihood of the winnable points, built from the
  items' states (likelihood.py, forecast.yaml): the items' weighted mean of p (approved 1, lost 0, pending
  from the table by weeks left and the owner's pace), times, for the gap a measurement leaves to the rule's
  top, the measurement's own p.
After the assessment date the cycle is closed: nothing pending can still be won, expected = best = secured.
The self-score deviation penalty, when its warning shows, is taken off the index's secured and expected.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from .likelihood import ForecastParameters, default_parameters
from .rules import RULE_TYPES, Case

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
RISK_LEVELS = ("secured", "on_track", "at_risk", "critical", "lost")
NOT_APPLICABLE = "not_applicable"
REMAINDER = "remainder"
_CENT, _POINT_STEP, _P_STEP = Decimal("0.01"), Decimal("0.0001"), Decimal("0.0001")


def dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_decimal(value) -> str:
    """1.5 → "1,5", 15 → "15", 13.846 → "13,85": at most two decimals, a decimal comma."""
    text = format(dec(value).quantize(_CENT, ROUND_HALF_UP), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return ("0" if text == "-0" else text).replace(".", ",")


def format_day(day: date, *, with_year: bool = False) -> str:
    return f"{day.day:02d}/{day.month:02d}" + (f"/{day.year}" if with_year else "")


# ----------------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class ItemStatus:
    code: str
    title: str
    owner: str
    owner_name: str
    due: date | None
    weight: Decimal
    report_deadline: date | None
    approved_on: date | None
    sent_date: date | None
    waiting: bool
    sent_back: bool
    uploaded: bool


@dataclass(frozen=True)
class Measurement:
    measured_on: date
    numerator: Decimal
    denominator: Decimal | None
    source: str

    @property
    def percent(self) -> Decimal | None:
        if self.denominator is None or self.denominator == 0:
            return None
        return self.numerator * HUNDRED / self.denominator


@dataclass(frozen=True)
class CriterionStatus:
    code: str
    title: str
    area_code: str
    area_name: str
    max_points: Decimal
    rule_type: str
    rule_params: dict
    last_year: Decimal | None
    points_estimated: bool
    department: str | None
    department_name: str | None
    items: tuple[ItemStatus, ...]
    measurements: tuple[Measurement, ...]
    self_score: Decimal | None


@dataclass(frozen=True)
class DepartmentActivity:
    code: str
    name: str
    approvals: tuple[date, ...]
    waiting: int
    sent_back: int
    uploads: tuple[date, ...] = ()    # the days the department provided a document (one per upload or link)


# ---------------------------------------------------------------------------------------------- outputs
def _num(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


@dataclass(frozen=True)
class Totals:
    max: Decimal
    last_year: Decimal | None
    secured: Decimal
    expected: Decimal
    best: Decimal
    at_risk: Decimal
    penalty: Decimal = ZERO     # the self-score deviation penalty, already taken off secured and expected

    def to_dict(self) -> dict:
        return {k: _num(getattr(self, k)) for k in ("max", "last_year", "secured", "expected", "best", "at_risk")}


@dataclass(frozen=True)
class AreaForecast:
    code: str
    name: str
    max: Decimal
    last_year: Decimal | None
    secured: Decimal
    expected: Decimal
    best: Decimal
    at_risk: Decimal

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, **Totals.to_dict(self)}


@dataclass(frozen=True)
class CriterionForecast:
    code: str
    title: str
    area_code: str
    area_name: str
    max: Decimal
    last_year: Decimal | None
    secured: Decimal
    expected: Decimal
    best: Decimal
    at_risk: Decimal
    risk: str
    reasons: list[str]
    owner: str | None
    due: date | None
    estimated: bool
    reason: str = ""                 # the one line that says why (the first thing to read)
    probability: Decimal = ZERO      # p: expected = secured + p × (best − secured)
    priority: Decimal = ZERO         # points at stake × how late: the list of criteria at risk is sorted by it
    remainder: bool = False          # a block of criteria not yet in the rubric ("Các tiêu chí còn lại")

    def to_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "area": self.area_code, "max": _num(self.max),
                "last_year": _num(self.last_year), "secured": _num(self.secured), "expected": _num(self.expected),
                "best": _num(self.best), "at_risk": _num(self.at_risk), "risk": self.risk, "reason": self.reason,
                "reasons": list(self.reasons), "owner": self.owner,
                "due": self.due.isoformat() if self.due else None,
                "probability": float(self.probability), "priority": _num(self.priority),
                "remainder": self.remainder}


@dataclass(frozen=True)
class DepartmentForecast:
    code: str
    name: str
    rate_per_week: Decimal          # approvals per week over the pace window
    remaining: int
    waiting: int
    sent_back: int
    weeks_needed: Decimal | None    # None: items remain and nothing was approved in the window
    on_time: bool

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "rate_per_week": _num(self.rate_per_week),
                "remaining": self.remaining, "waiting": self.waiting, "sent_back": self.sent_back,
                "weeks_needed": _num(self.weeks_needed), "on_time": self.on_time}


class DeviationWarning(NamedTuple):
    penalty_points: Decimal
    criteria: list[str]
    self_score_total: Decimal
    expected_total: Decimal


@dataclass(frozen=True)
class IndexForecast:
    today: date
    assessment_date: date
    criteria: tuple[CriterionForecast, ...]
    areas: tuple[AreaForecast, ...]
    totals: Totals
    departments: tuple[DepartmentForecast, ...]
    deviation_warning: DeviationWarning | None
    closed: bool = False

# ----------------------------------------------------------------------------------------------- items
PENDING_STATES = ("waiting", "sent_back", "missing", "overdue")


@dataclass(slots=True)   # one per item of every index: a slotted class is built ~5× faster than a frozen one
class _Item:
    status: ItemStatus
    state: str                  # "approved" | "lost" | one of PENDING_STATES
    p: Decimal                  # approved 1, lost 0, pending from the table
    lost_reason: str | None = None
    horizon: date | None = None

    @property
    def is_report(self) -> bool:
        return self.status.report_deadline is not None

    @property
    def pending(self) -> bool:
        return self.state in PENDING_STATES

    @property
    def weight(self) -> Decimal:
        return self.status.weight


# ----------------------------------------------------------------------------------------------- items
def _report_name(title: str) -> str:
    return title if title.lower().startswith("báo cáo") else f"Báo cáo {title}"


def _classify(item: ItemStatus, today: date, assessment_date: date) -> tuple[str, str | None]:
    """approved, lost (with the reason when it is a report), or pending (refined by _pending_state)."""
    deadline = item.report_deadline
    approved_on = item.approved_on if item.approved_on is not None and item.approved_on <= assessment_date else None
    if deadline is not None:
        sent = item.sent_date if item.sent_date is not None else approved_on
        name = _report_name(item.title)
        if sent is not None and sent > deadline:
            with_year = sent.year != deadline.year
            return "lost", (f"{name} gửi muộn (hạn {format_day(deadline, with_year=with_year)}, gửi "
                            f"{format_day(sent, with_year=with_year)}) — đã mất, không khắc phục được")
        if sent is None and today > deadline:
            what = "chưa ghi ngày gửi" if item.uploaded else "chưa gửi"
            return "lost", f"{name} {what}, đã quá hạn {format_day(deadline)} — đã mất"
    if approved_on is not None:
        return "approved", None
    if today > assessment_date:
        return "lost", None
    return "pending", None


def _pending_state(item: ItemStatus, today: date) -> str:
    if item.waiting:
        return "waiting"
    if item.sent_back:
        return "sent_back"
    if item.due is not None and item.due < today:
        return "overdue"
    return "missing"


def _horizon(item: ItemStatus, assessment_date: date) -> date:
    """Until when the item can still be won: the assessment date, or a report's deadline until it is shown sent
    on time."""
    deadline = item.report_deadline
    if deadline is None or (item.sent_date is not None and item.sent_date <= deadline):
        return assessment_date
    return min(deadline, assessment_date)


def _weeks_between(start: date, end: date) -> Decimal:
    return Decimal(max(0, (end - start).days)) / 7


def _provided_in_window(activity: DepartmentActivity | None, today: date, weeks: int) -> int:
    """The documents a department provided in the pace window (today − weeks, today]: its own work, whatever
    the reviewers have done with it yet."""
    if activity is None:
        return 0
    since = today - timedelta(weeks=weeks)
    return sum(since < day <= today for day in activity.uploads)


# ------------------------------------------------------------------------------------------ measurements
def _trend(points: list[tuple[date, Decimal]], to: date) -> Decimal | None:
    """A least-squares line through the points, at `to` (the latest value with fewer than two dates). Shown
    in the reasons only: a forecast that moved with the slope could fall when a better figure arrives."""
    if not points:
        return None
    if len({day for day, _ in points}) < 2:
        return points[-1][1]
    origin = points[0][0]
    xs = [Decimal((day - origin).days) for day, _ in points]
    ys = [value for _, value in points]
    n = Decimal(len(points))
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
             / sum((x - mean_x) ** 2 for x in xs))
    return mean_y + slope * (Decimal((to - origin).days) - mean_x)


def _percent_value(m: Measurement) -> Decimal:
    return m.numerator if m.denominator is None else m.percent


def _measurement_reason(c: CriterionStatus, case: Case, usable: list[Measurement], assessment_date: date,
                        closed: bool) -> str | None:
    kind = c.rule_type
    if not usable:
        return "Chưa có số liệu đo" if kind in ("ratio", "percentage_tiers", "tiered") else None
    last = usable[-1]
    on = f"(đo {format_day(last.measured_on)})"
    trending = not closed and len({m.measured_on for m in usable}) >= 2
    if kind in ("ratio", "percentage_tiers"):
        target = c.rule_params["target_percent"] if kind == "ratio" else c.rule_params["tiers"][0]["min_percent"]
        text = f"Tỷ lệ {format_decimal(case.percent_now)}% {on} so với chỉ tiêu {format_decimal(dec(target))}%"
        if trending:
            then = _trend([(m.measured_on, _percent_value(m)) for m in usable], assessment_date)
            text += f"; xu hướng đến {format_day(assessment_date)}: {format_decimal(min(HUNDRED, max(ZERO, then)))}%"
        return text
    if kind == "count_thresholds":
        top = dec(c.rule_params["thresholds"][0]["min"])
        text = f"Số lượng {format_decimal(case.count_now)} {on} so với mức {format_decimal(top)}"
        if trending:
            then = _trend([(m.measured_on, m.numerator) for m in usable], assessment_date)
            text += f"; xu hướng đến {format_day(assessment_date)}: {format_decimal(max(ZERO, then))}"
        return text
    if kind == "tiered":
        tiers = c.rule_params["tiers"]
        n = int(case.count_now.to_integral_value(ROUND_HALF_UP))
        label = tiers[n - 1].get("label", str(n)) if 1 <= n <= len(tiers) else tiers[-1].get("label", "")
        return f"Mức đạt: {label} {on}"
    if kind == "deduction" and not any(i.is_report for i in case.items):
        return f"{format_decimal(case.count_now)} vi phạm đã ghi nhận {on}: mất điểm"
    return None


# ---------------------------------------------------------------------------------------------- forecast
@dataclass(frozen=True)
class _Context:
    today: date
    assessment_date: date
    params: ForecastParameters
    index_max: Decimal
    provided: dict[str, int] = field(default_factory=dict)   # documents per department, in the pace window

    @property
    def closed(self) -> bool:
        return self.today > self.assessment_date

    def pace(self, department: str | None) -> Decimal:
        return self.params.pace(self.provided.get(department, 0))


def _risk(c: CriterionStatus, secured: Decimal, expected: Decimal, best: Decimal, p: Decimal, overdue: bool,
          late: bool, ctx: _Context) -> str:
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


def _headline(items: tuple[_Item, ...], case_reason: str | None, secured: Decimal, maximum: Decimal,
              ctx: _Context) -> str:
    """The one line a chairman reads: the first of lost › overdue › sent back › missing › waiting › measured."""
    lost = [i.lost_reason for i in items if i.lost_reason]
    if lost:
        return lost[0]
    if ctx.closed:
        finished = f"Kỳ đánh giá đã kết thúc ngày {format_day(ctx.assessment_date, with_year=True)}"
        return f"{finished}: đã duyệt" if secured == maximum else f"{finished}: không còn bổ sung được"
    overdue = [i for i in items if i.state == "overdue"]
    if overdue:
        days = max((ctx.today - i.status.due).days for i in overdue)
        count = f" ({len(overdue)} tài liệu)" if len(overdue) > 1 else ""
        return f"Quá hạn {days} ngày, chưa có minh chứng{count}"
    sent_back = sum(i.state == "sent_back" for i in items)
    if sent_back:
        return f"{sent_back} tài liệu bị trả lại, cần bổ sung"
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


def _pace_reason(name: str, provided: int, ctx: _Context) -> str:
    weeks = ctx.params.window_weeks
    if provided == 0:
        return f"{name}: không nộp tài liệu nào trong {weeks} tuần qua"
    return f"{name}: nộp ~{format_decimal(Decimal(provided) / weeks)} tài liệu/tuần ({weeks} tuần qua)"


def _remainder(c: CriterionStatus, ctx: _Context) -> CriterionForecast:
    """A block of criteria the rubric does not list yet: forecast from last year's result for those points;
    no document secures it."""
    expected = min(c.max_points, max(ZERO, c.last_year or ZERO))
    best = expected if ctx.closed else c.max_points
    headline = "Chưa có bộ tiêu chí chi tiết — nhập bộ tiêu chí của tỉnh"
    reasons = [headline, f"Dự kiến theo kết quả năm trước: {format_decimal(expected)}/{format_decimal(c.max_points)}"]
    p = expected / best if best > 0 else ONE
    return CriterionForecast(
        c.code, c.title, c.area_code, c.area_name, c.max_points, c.last_year, ZERO, expected, best, best - expected,
        "on_track" if best == expected else "at_risk", reasons, c.department_name, None, c.points_estimated,
        reason=headline, probability=p.quantize(_P_STEP, ROUND_DOWN), priority=ZERO, remainder=True)


def _not_applicable(c: CriterionStatus) -> CriterionForecast:
    return CriterionForecast(c.code, c.title, c.area_code, c.area_name, ZERO, c.last_year, ZERO, ZERO, ZERO, ZERO,
                             "secured", ["Không áp dụng"], c.department_name, None, c.points_estimated,
                             reason="Không áp dụng", probability=ONE)


def _criterion(c: CriterionStatus, items: tuple[_Item, ...], ctx: _Context) -> CriterionForecast:
    today, assessment_date, params = ctx.today, ctx.assessment_date, ctx.params
    cutoff = min(today, assessment_date)
    usable = [m for m in c.measurements if m.measured_on <= cutoff and (m.denominator is None or m.denominator != 0)]
    case = Case(max=c.max_points, params=c.rule_params, items=items, measured=bool(usable),
                 percent_now=_percent_value(usable[-1]) if usable else None,
                 count_now=usable[-1].numerator if usable else None)
    rule = RULE_TYPES[c.rule_type]
    raw = rule.score(case)
    secured = min(c.max_points, max(ZERO, raw.secured))
    best = max(secured, min(c.max_points, raw.best))
    gated = min(best, max(secured, raw.gated))
    p_items = rule.items_p(case)
    owner = c.department or (items[0].status.owner if items else None)
    if gated < best:   # the measured gap to the rule's top
        p_measure = params.p("below_target" if usable else "not_measured",
                             _weeks_between(today, assessment_date), ctx.pace(owner))
    else:
        p_measure = ONE
    expected = secured + p_items * (gated - secured) + p_items * p_measure * (best - gated)
    expected = min(best, max(secured, expected.quantize(_POINT_STEP, ROUND_DOWN)))
    if ctx.closed:
        expected = best = secured
    p = ((expected - secured) / (best - secured)).quantize(_P_STEP, ROUND_DOWN) if best > secured else ONE

    pending = [i for i in items if i.pending]
    to_act = [i for i in pending if i.state != "waiting"]   # a document awaiting review is the reviewer's move
    overdue_days = max(((today - i.status.due).days for i in to_act if i.status.due and i.status.due < today),
                       default=None)
    soon = today + timedelta(days=params.soon_days)
    late_report = any(i.horizon is not None and i.horizon < assessment_date and i.horizon <= soon for i in to_act)
    due_soon = any(i.status.due is not None and today <= i.status.due <= soon for i in to_act)
    at_risk = best - expected
    if overdue_days is not None:
        priority = at_risk * (2 + min(Decimal(4), Decimal(overdue_days) / 7))   # lateness counts up to 4 weeks
    elif late_report or due_soon:
        priority = at_risk * Decimal("1.5")
    else:
        priority = at_risk

    measured_reason = _measurement_reason(c, case, usable, assessment_date, ctx.closed)
    reasons = [i.lost_reason for i in items if i.lost_reason]
    missing = sum(not i.status.uploaded for i in pending)
    if missing:
        reasons.append(f"{missing}/{len(items)} tài liệu chưa có")
    for state, text in (("sent_back", "tài liệu bị trả lại"), ("waiting", "tài liệu chờ duyệt")):
        count = sum(i.state == state for i in pending)
        if count:
            reasons.append(f"{count} {text}")
    due = min((i.status.due for i in to_act if i.status.due is not None), default=None)
    if due is not None:
        reasons.append(f"{'quá hạn' if due < today else 'hạn'} {format_day(due)}")
    for code in dict.fromkeys(i.status.owner for i in pending):
        first = next(i for i in pending if i.status.owner == code)
        reasons.append(_pace_reason(first.status.owner_name, ctx.provided.get(code, 0), ctx))
    if measured_reason:
        reasons.append(measured_reason)
    if ctx.closed and any(i.state == "lost" and not i.lost_reason for i in items):
        reasons.append(f"Đã qua ngày đánh giá {format_day(assessment_date)}: không còn bổ sung được")
    if items and all(i.state == "approved" for i in items):
        reasons.append("Đã đủ minh chứng được duyệt")
    headline = _headline(items, measured_reason, secured, c.max_points, ctx)

    first_pending = min(pending, key=lambda i: (i.status.due or date.max), default=None)
    owner_name = c.department_name or (first_pending.status.owner_name if first_pending else
                                       (items[0].status.owner_name if items else None))
    return CriterionForecast(
        c.code, c.title, c.area_code, c.area_name, c.max_points, c.last_year, secured, expected, best, at_risk,
        _risk(c, secured, expected, best, p, overdue_days is not None, overdue_days is not None or late_report, ctx),
        reasons or [headline], owner_name, due, c.points_estimated, reason=headline, probability=p,
        priority=priority.quantize(_CENT, ROUND_HALF_UP))


def _sum_totals(rows, cls=Totals, **extra):
    rows = list(rows)
    last_years = [r.last_year for r in rows if r.last_year is not None]
    secured, expected, best = (sum((getattr(r, k) for r in rows), ZERO) for k in ("secured", "expected", "best"))
    return cls(max=sum((r.max for r in rows), ZERO), last_year=sum(last_years, ZERO) if last_years else None,
               secured=secured, expected=expected, best=best, at_risk=best - expected, **extra)


def _deviation(criteria, forecasts, threshold: Decimal, penalty: Decimal) -> DeviationWarning | None:
    if penalty <= 0:
        return None
    pairs = [(c, f) for c, f in zip(criteria, forecasts)
             if c.rule_type != NOT_APPLICABLE and c.self_score is not None]
    if not pairs:
        return None
    self_total = sum((c.self_score for c, _ in pairs), ZERO)
    expected_total = sum((f.expected for _, f in pairs), ZERO)
    if self_total - expected_total <= expected_total * threshold / HUNDRED:
        return None
    return DeviationWarning(penalty, [c.code for c, f in pairs if c.self_score > f.expected], self_total,
                            expected_total)


def forecast_index(criteria: list[CriterionStatus], departments: list[DepartmentActivity], *, today: date,
                   assessment_date: date, deviation_threshold_percent: Decimal, deviation_penalty_points: Decimal,
                   params: ForecastParameters | None = None) -> IndexForecast:
    """The completeness report of one index as of `today` (SCORING.md states every rule)."""
    params = params or default_parameters()
    unknown = sorted({c.rule_type for c in criteria} - RULE_TYPES.keys())
    if unknown:
        raise ValueError(f"unknown rule type(s): {', '.join(unknown)}")
    activities = {d.code: d for d in departments}
    window_end = min(today, assessment_date)
    counts = {code: _provided_in_window(a, window_end, params.window_weeks) for code, a in activities.items()}
    ctx = _Context(today, assessment_date, params,
                   index_max=sum((c.max_points for c in criteria if c.rule_type != NOT_APPLICABLE), ZERO),
                   provided=counts)

    forecasts, pending_by_owner = [], {}
    for c in criteria:
        if c.rule_type == NOT_APPLICABLE:
            forecasts.append(_not_applicable(c))
            continue
        items = []
        for item in c.items:
            state, why = _classify(item, today, assessment_date)
            if state != "pending":
                items.append(_Item(item, state, ONE if state == "approved" else ZERO, why))
                continue
            state, horizon = _pending_state(item, today), _horizon(item, assessment_date)
            p = params.p(state, _weeks_between(today, horizon), ctx.pace(item.owner))
            items.append(_Item(item, state, p, None, horizon))
            counts_of_owner = pending_by_owner.setdefault(item.owner, [item.owner_name, 0, 0, 0])
            counts_of_owner[1] += 1
            counts_of_owner[2] += item.waiting
            counts_of_owner[3] += item.sent_back and not item.waiting
        items = tuple(items)
        forecasts.append(_remainder(c, ctx) if c.rule_type == REMAINDER else _criterion(c, items, ctx))
    forecasts = tuple(forecasts)

    areas: dict[str, list[CriterionForecast]] = {}
    for f in forecasts:
        areas.setdefault(f.area_code, []).append(f)
    area_rows = tuple(_sum_totals(rows, AreaForecast, code=code, name=rows[0].area_name)
                      for code, rows in areas.items())
    warning = _deviation(criteria, forecasts, dec(deviation_threshold_percent), dec(deviation_penalty_points))
    totals = _sum_totals(forecasts)
    if warning is not None:
        penalty = warning.penalty_points
        expected = max(ZERO, totals.expected - penalty)
        totals = Totals(totals.max, totals.last_year, max(ZERO, totals.secured - penalty), expected, totals.best,
                        totals.best - expected, penalty)

    weeks_left = _weeks_between(today, assessment_date)
    department_rows = []
    for code in dict.fromkeys([*activities, *pending_by_owner]):
        activity = activities.get(code)
        name = activity.name if activity else pending_by_owner[code][0]
        _, remaining, waiting, sent_back = pending_by_owner.get(code, [None, 0, 0, 0])
        if activity is not None:   # the query layer counts every document waiting, not only one per item
            waiting, sent_back = activity.waiting, activity.sent_back
        rate = Decimal(counts.get(code, 0)) / params.window_weeks
        needed = ZERO if remaining == 0 else (Decimal(remaining) / rate if rate else None)
        department_rows.append(DepartmentForecast(
            code, name, rate, remaining, waiting, sent_back, needed, needed is not None and needed <= weeks_left))

    return IndexForecast(today=today, assessment_date=assessment_date, criteria=forecasts, areas=area_rows,
                         totals=totals, departments=tuple(department_rows), deviation_warning=warning,
                         closed=ctx.closed)
