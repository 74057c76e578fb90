"""Scoring and forecasting: what each criterion is worth today, what it is expected to be worth on the
assessment date, and why. Pure functions over plain data (the query layer builds the inputs); Decimal only.

Three scores per criterion, all as of `today` (only what was approved and measured by then counts):
- **secured**: the rule applied to approved evidence only and the latest measurement.
- **expected**: the forecast for the assessment date: items expected to be approved in time (see the
  department queue below) and measurements projected by their trend.
- **best**: everything not already lost: every pending item approved in time, every measured value at the
  rule's top (ratio at its target, best tier, highest threshold).
They are kept in order: expected is raised to secured (a falling trend does not un-secure points) and every
score is clamped to [0, max]; at_risk = best − expected.

What is lost for good (no later upload recovers it):
- a periodic report (an item with `report_deadline`) whose sending date is after the deadline, whether or not
  its document was approved. The sending date is `sent_date`; an approved report without one counts as sent
  on `approved_on`. A report not approved and without a sending date is lost once `today` is past its
  deadline (approving it later would date it after the deadline anyway). A report whose uploaded document
  shows it was sent by the deadline is not lost: it only awaits approval.
- after the assessment date (`today` > assessment_date) every item not approved, and nothing is projected any
  more: expected = best = secured. On the assessment date itself pending items still count for best.
- an ordinary item past its own due date is NOT lost (due dates are the ward's own schedule; evidence counts
  until the assessment). It makes the criterion "critical" instead.

Rule types (`RULES`; a criterion's items gate the measured rules: "every item approved" for secured, "every
item approved or expected in time" for expected, "no item lost" for best):
- binary: max when every item is approved.
- tiered: max × the fraction of the tier named by the latest measurement's numerator (1 = the first tier,
  rounded to a whole number; a number outside the list means the last tier); no measurement → secured and
  expected 0; best = max × the highest fraction.
- count_thresholds: with measurements, the count is the measurement's numerator (the latest for secured, its
  trend for expected, the top threshold for best) and every item gates it; without, the count is the number of
  approved / expected / not-lost items. Points = the highest points among thresholds whose `min` the count
  reaches (for well-formed data: the first threshold reached).
- ratio: max × min(1, percent / target_percent); the percent is numerator × 100 / denominator, or the
  numerator itself when there is no denominator. Partial points are truncated to 4 decimals.
- percentage_tiers: max × the highest fraction among tiers whose min_percent the percent reaches; best assumes
  the top tier.
- deduction: max − per_violation × violations, the deduction capped by max_deduction and the score never
  below 0. Violations: lost reports, plus pending reports (secured) or reports not expected in time
  (expected), plus the latest measurement's numerator when the criterion has no report items (a recorded
  violation stays recorded: it counts in best too). Items that are not reports gate the score like the other
  rules. Item weights are not used by any rule (a late report is one violation whatever its weight).
- not_applicable: max 0, everything 0, risk "secured", reason "Không áp dụng"; items ignored.

Trend: a least-squares line through (date, value) of the measurements when they span at least two dates, else
the latest value; projected to the assessment date, rounded to 0.01 and capped to [0, 100] for percents (≥ 0
for counts). Measurements whose denominator is 0 are ignored.

The department queue: a department's rate is its approvals in the `weeks` weeks up to `today` (today − 7×weeks
< day ≤ today) ÷ weeks; with no approval at all in its history, `prior_per_week` (rate_is_prior). Its pending
items in this index are taken in due-date order (undated last; ties: items waiting for review first, then
catalog order); each item is expected if one more approval still fits within rate × weeks until its horizon:
the assessment date, or for a report not yet shown sent on time the earlier of its deadline and the
assessment date. An item that does not fit takes no capacity from those after it. Departments only see this
index's items, and their rate counts this index's approvals (the query layer gives one DepartmentActivity per
department and index), so two indices never spend the same capacity twice.

Risk: "secured" when secured = max; "lost" when best < max and secured = best; "on_track" when
expected = best; "critical" when expected = secured (< best) or a pending item is past its due date;
otherwise "at_risk". `due` is the earliest due date among pending (not approved, not lost) items.

Self-score deviation: over the applicable criteria that have a self-score, if Σ self-score − Σ expected >
threshold% × Σ expected, a warning names the penalty and the criteria whose self-score exceeds expected.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Callable, NamedTuple

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
RISK_LEVELS = ("secured", "on_track", "at_risk", "critical", "lost")
NOT_APPLICABLE = "not_applicable"
_CENT, _POINT_STEP = Decimal("0.01"), Decimal("0.0001")


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

    def to_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "area": self.area_code, "max": _num(self.max),
                "last_year": _num(self.last_year), "secured": _num(self.secured), "expected": _num(self.expected),
                "best": _num(self.best), "at_risk": _num(self.at_risk), "risk": self.risk,
                "reasons": list(self.reasons), "owner": self.owner,
                "due": self.due.isoformat() if self.due else None}


@dataclass(frozen=True)
class DepartmentForecast:
    code: str
    name: str
    rate_per_week: Decimal
    rate_is_prior: bool
    remaining: int
    waiting: int
    sent_back: int
    weeks_needed: Decimal | None   # None: items remain and the rate is 0
    on_time: bool

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "rate_per_week": _num(self.rate_per_week),
                "rate_is_prior": self.rate_is_prior, "remaining": self.remaining, "waiting": self.waiting,
                "sent_back": self.sent_back, "weeks_needed": _num(self.weeks_needed), "on_time": self.on_time}


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


# ------------------------------------------------------------------------------------------------ rules
@dataclass(slots=True)   # one per item of every index: a slotted class is built ~5× faster than a frozen one
class _Item:
    status: ItemStatus
    state: str                  # "approved" | "pending" | "lost"
    expected: bool              # approved, or pending and expected approved in time
    lost_reason: str | None = None
    horizon: date | None = None

    @property
    def is_report(self) -> bool:
        return self.status.report_deadline is not None


@dataclass(frozen=True)
class _Case:
    """What a rule sees of one criterion."""
    max: Decimal
    params: dict
    items: tuple[_Item, ...]
    measured: bool
    percent_now: Decimal | None
    percent_then: Decimal | None
    count_now: Decimal | None
    count_then: Decimal | None

    def gates(self, items=None) -> tuple[bool, bool, bool]:
        items = self.items if items is None else items
        return (all(i.state == "approved" for i in items), all(i.expected for i in items),
                not any(i.state == "lost" for i in items))


Scores = tuple[Decimal, Decimal, Decimal]


def _score_binary(c: _Case) -> Scores:
    return tuple(c.max if ok else ZERO for ok in c.gates())


def _tier_fraction(tiers: list, number: Decimal) -> Decimal:
    fractions = [dec(t["fraction"]) for t in tiers]
    n = int(number.to_integral_value(ROUND_HALF_UP))
    return fractions[n - 1] if 1 <= n <= len(fractions) else fractions[-1]


def _score_tiered(c: _Case) -> Scores:
    tiers = c.params["tiers"]
    now = c.max * _tier_fraction(tiers, c.count_now) if c.count_now is not None else ZERO
    secured_ok, expected_ok, best_ok = c.gates()
    best = c.max * max(dec(t["fraction"]) for t in tiers)
    return (now if secured_ok else ZERO, now if expected_ok else ZERO, best if best_ok else ZERO)


def _threshold_points(thresholds: list, count: Decimal | None) -> Decimal:
    reached = [dec(t["points"]) for t in thresholds if count is not None and count >= dec(t["min"])]
    return max(reached, default=ZERO)


def _score_count_thresholds(c: _Case) -> Scores:
    thresholds = c.params["thresholds"]
    if not c.measured:
        counts = (sum(i.state == "approved" for i in c.items), sum(i.expected for i in c.items),
                  sum(i.state != "lost" for i in c.items))
        return tuple(_threshold_points(thresholds, Decimal(n)) for n in counts)
    secured_ok, expected_ok, best_ok = c.gates()
    top = max(dec(t["points"]) for t in thresholds)
    return (_threshold_points(thresholds, c.count_now) if secured_ok else ZERO,
            _threshold_points(thresholds, c.count_then) if expected_ok else ZERO,
            top if best_ok else ZERO)


def _ratio_points(maximum: Decimal, target: Decimal, percent: Decimal | None) -> Decimal:
    if percent is None:
        return ZERO
    if percent >= target:
        return maximum
    return (maximum * max(percent, ZERO) / target).quantize(_POINT_STEP, ROUND_DOWN)


def _score_ratio(c: _Case) -> Scores:
    target = dec(c.params["target_percent"])
    secured_ok, expected_ok, best_ok = c.gates()
    return (_ratio_points(c.max, target, c.percent_now) if secured_ok else ZERO,
            _ratio_points(c.max, target, c.percent_then) if expected_ok else ZERO,
            c.max if best_ok else ZERO)


def _tier_by_percent(tiers: list, percent: Decimal | None) -> Decimal:
    reached = [dec(t["fraction"]) for t in tiers if percent is not None and percent >= dec(t["min_percent"])]
    return max(reached, default=ZERO)


def _score_percentage_tiers(c: _Case) -> Scores:
    tiers = c.params["tiers"]
    secured_ok, expected_ok, best_ok = c.gates()
    return (c.max * _tier_by_percent(tiers, c.percent_now) if secured_ok else ZERO,
            c.max * _tier_by_percent(tiers, c.percent_then) if expected_ok else ZERO,
            c.max * max(dec(t["fraction"]) for t in tiers) if best_ok else ZERO)


def _score_deduction(c: _Case) -> Scores:
    per_violation = dec(c.params["per_violation"])
    cap = dec(c.params.get("max_deduction", c.max))
    reports = [i for i in c.items if i.is_report]
    measured = c.count_now if (c.count_now is not None and not reports) else ZERO
    lost = sum(i.state == "lost" for i in reports)
    pending = sum(i.state == "pending" for i in reports)
    unexpected = sum(not i.expected and i.state != "lost" for i in reports)

    def points(violations) -> Decimal:
        return max(ZERO, c.max - min(cap, per_violation * (violations + max(measured, ZERO))))

    secured_ok, expected_ok, best_ok = c.gates([i for i in c.items if not i.is_report])
    return (points(lost + pending) if secured_ok else ZERO, points(lost + unexpected) if expected_ok else ZERO,
            points(lost) if best_ok else ZERO)


def _score_not_applicable(c: _Case) -> Scores:
    return ZERO, ZERO, ZERO


RULES: dict[str, Callable[[_Case], Scores]] = {
    "binary": _score_binary,
    "tiered": _score_tiered,
    "count_thresholds": _score_count_thresholds,
    "ratio": _score_ratio,
    "deduction": _score_deduction,
    "percentage_tiers": _score_percentage_tiers,
    NOT_APPLICABLE: _score_not_applicable,
}


# ----------------------------------------------------------------------------------- items and departments
def _report_name(title: str) -> str:
    return title if title.lower().startswith("báo cáo") else f"Báo cáo {title}"


def _classify(item: ItemStatus, today: date, assessment_date: date) -> tuple[str, str | None]:
    deadline = item.report_deadline
    if deadline is not None:
        sent = item.sent_date if item.sent_date is not None else item.approved_on
        name = _report_name(item.title)
        if sent is not None and sent > deadline:
            return "lost", (f"{name} gửi quá hạn (hạn {format_day(deadline, with_year=sent.year != deadline.year)}, gửi {format_day(sent, with_year=sent.year != deadline.year)}): "
                            "mất điểm, không khắc phục được")
        if sent is None and today > deadline:
            what = "chưa ghi ngày gửi" if item.uploaded else "chưa gửi"
            return "lost", f"{name} {what}, đã quá hạn {format_day(deadline)}: mất điểm"
    if item.approved_on is not None:
        return "approved", None
    if today > assessment_date:
        return "lost", None
    return "pending", None


def _horizon(item: ItemStatus, assessment_date: date) -> date:
    deadline = item.report_deadline
    if deadline is None or (item.sent_date is not None and item.sent_date <= deadline):
        return assessment_date
    return min(deadline, assessment_date)


def _weeks_between(start: date, end: date) -> Decimal:
    return Decimal(max(0, (end - start).days)) / 7


@dataclass(frozen=True)
class _Rate:
    name: str
    per_week: Decimal
    is_prior: bool


def _rate(activity: DepartmentActivity, today: date, weeks: int, prior: Decimal) -> _Rate:
    history = [day for day in activity.approvals if day <= today]
    if not history:
        return _Rate(activity.name, prior, True)
    since = today - timedelta(weeks=weeks)
    return _Rate(activity.name, Decimal(sum(day > since for day in history)) / weeks, False)


def _pace_reason(rate: _Rate, fails: list[_Item], weeks: int, assessment_date: date) -> str:
    if rate.is_prior:
        pace = f"{rate.name} chưa có tài liệu nào được duyệt, ước định ~{format_decimal(rate.per_week)} tài liệu/tuần"
    elif rate.per_week == 0:
        pace = f"{rate.name} không duyệt tài liệu nào trong {weeks} tuần qua"
    else:
        pace = f"{rate.name} duyệt ~{format_decimal(rate.per_week)} tài liệu/tuần"
    if not fails:
        return f"{pace} → kịp trước ngày đánh giá {format_day(assessment_date)}"
    horizon = min(i.horizon for i in fails)
    label = "ngày đánh giá" if horizon == assessment_date else "hạn"
    return f"{pace} → không kịp trước {label} {format_day(horizon)}"


# ------------------------------------------------------------------------------------------ measurements
def _trend(points: list[tuple[date, Decimal]], to: date) -> Decimal | None:
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


def _measurement_reason(c: CriterionStatus, case: _Case, usable: list[Measurement], assessment_date: date,
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
            text += f"; xu hướng đến {format_day(assessment_date)}: {format_decimal(case.percent_then)}%"
        return text
    if kind == "count_thresholds":
        top = dec(c.rule_params["thresholds"][0]["min"])
        text = f"Số lượng {format_decimal(case.count_now)} {on} so với mức {format_decimal(top)}"
        if trending:
            text += f"; xu hướng đến {format_day(assessment_date)}: {format_decimal(case.count_then)}"
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
def _risk(maximum: Decimal, secured: Decimal, expected: Decimal, best: Decimal, overdue: bool) -> str:
    if secured == maximum:
        return "secured"
    if best < maximum and secured == best:
        return "lost"
    if expected == best:
        return "on_track"
    if expected == secured or overdue:
        return "critical"
    return "at_risk"


def _not_applicable(c: CriterionStatus) -> CriterionForecast:
    return CriterionForecast(c.code, c.title, c.area_code, c.area_name, ZERO, c.last_year, ZERO, ZERO, ZERO, ZERO,
                             "secured", ["Không áp dụng"], c.department_name, None, c.points_estimated)


def _criterion(c: CriterionStatus, items: tuple[_Item, ...], rates: dict[str, _Rate], *, today: date,
               assessment_date: date, weeks: int) -> CriterionForecast:
    closed = today > assessment_date
    usable = [m for m in c.measurements if m.measured_on <= today and (m.denominator is None or m.denominator != 0)]
    percents = [(m.measured_on, _percent_value(m)) for m in usable]
    counts = [(m.measured_on, m.numerator) for m in usable]
    percent_then, count_then = _trend(percents, assessment_date), _trend(counts, assessment_date)
    case = _Case(
        max=c.max_points, params=c.rule_params, items=items, measured=bool(usable),
        percent_now=percents[-1][1] if usable else None, count_now=counts[-1][1] if usable else None,
        percent_then=None if percent_then is None else min(HUNDRED, max(ZERO, percent_then.quantize(_CENT))),
        count_then=None if count_then is None else max(ZERO, count_then.quantize(_CENT)),
    )
    raw_secured, raw_expected, raw_best = RULES[c.rule_type](case)
    secured = min(c.max_points, max(ZERO, raw_secured))
    best = max(secured, min(c.max_points, raw_best))
    expected = min(best, max(secured, raw_expected))
    if closed:
        expected = best = secured

    pending = [i for i in items if i.state == "pending"]
    overdue = any(i.status.due is not None and i.status.due < today for i in pending)
    reasons = [i.lost_reason for i in items if i.lost_reason]
    if closed and any(i.state == "lost" and not i.lost_reason for i in items):
        reasons.append(f"Đã qua ngày đánh giá {format_day(assessment_date)}: không còn bổ sung được")
    missing = sum(not i.status.uploaded for i in pending)
    if missing:
        reasons.append(f"{missing}/{len(items)} tài liệu chưa có")
    for flag, text in (("sent_back", "tài liệu bị trả lại"), ("waiting", "tài liệu chờ duyệt")):
        count = sum(getattr(i.status, flag) for i in pending)
        if count:
            reasons.append(f"{count} {text}")
    due = min((i.status.due for i in pending if i.status.due is not None), default=None)
    if due is not None:
        reasons.append(f"{'quá hạn' if due < today else 'hạn'} {format_day(due)}")
    for owner in dict.fromkeys(i.status.owner for i in pending):
        mine = [i for i in pending if i.status.owner == owner]
        reasons.append(_pace_reason(rates[owner], [i for i in mine if not i.expected], weeks, assessment_date))
    measured_reason = _measurement_reason(c, case, usable, assessment_date, closed)
    if measured_reason:
        reasons.append(measured_reason)
    if items and all(i.state == "approved" for i in items):
        reasons.append("Đã đủ minh chứng được duyệt")

    first_pending = min(pending, key=lambda i: (i.status.due or date.max), default=None)
    owner = c.department_name or (first_pending.status.owner_name if first_pending else
                                  (items[0].status.owner_name if items else None))
    return CriterionForecast(
        c.code, c.title, c.area_code, c.area_name, c.max_points, c.last_year, secured, expected, best,
        best - expected, _risk(c.max_points, secured, expected, best, overdue), reasons, owner, due,
        c.points_estimated)


def _sum_totals(rows, cls=Totals, **extra):
    rows = list(rows)
    last_years = [r.last_year for r in rows if r.last_year is not None]
    secured, expected, best = (sum((getattr(r, k) for r in rows), ZERO) for k in ("secured", "expected", "best"))
    return cls(max=sum((r.max for r in rows), ZERO), last_year=sum(last_years, ZERO) if last_years else None,
               secured=secured, expected=expected, best=best, at_risk=best - expected, **extra)


def _deviation(criteria, forecasts, threshold: Decimal, penalty: Decimal) -> DeviationWarning | None:
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
                   weeks: int = 4, prior_per_week: Decimal = Decimal("1")) -> IndexForecast:
    """The completeness report of one index as of `today` (see the module docstring for every rule)."""
    if weeks < 1:
        raise ValueError(f"weeks is {weeks}: expected at least 1")
    unknown = sorted({c.rule_type for c in criteria} - RULES.keys())
    if unknown:
        raise ValueError(f"unknown rule type(s): {', '.join(unknown)}")
    prior = dec(prior_per_week)

    # 1. each item's state today
    states: dict[tuple[int, int], _Item] = {}
    for ci, c in enumerate(criteria):
        if c.rule_type == NOT_APPLICABLE:
            continue
        for ii, item in enumerate(c.items):
            state, why = _classify(item, today, assessment_date)
            states[ci, ii] = _Item(item, state, state == "approved", why,
                                   _horizon(item, assessment_date) if state == "pending" else None)

    # 2. department rates: those given, then any owner they do not cover
    activities = {d.code: d for d in departments}
    for item in (s.status for s in states.values()):
        if item.owner not in activities:
            mine = [s.status for s in states.values() if s.status.owner == item.owner and s.state == "pending"]
            activities[item.owner] = DepartmentActivity(item.owner, item.owner_name, (), sum(i.waiting for i in mine),
                                                        sum(i.sent_back for i in mine))
    rates = {code: _rate(a, today, weeks, prior) for code, a in activities.items()}

    # 3. the queue of each department: pending items in due-date order, greedily fitted into its capacity
    queues: dict[str, list[tuple[int, int]]] = {}
    for key, s in states.items():
        if s.state == "pending":
            queues.setdefault(s.status.owner, []).append(key)
    for owner, keys in queues.items():
        keys.sort(key=lambda k: (states[k].status.due or date.max, not states[k].status.waiting, k))
        used = 0
        for key in keys:
            if used + 1 <= rates[owner].per_week * _weeks_between(today, states[key].horizon):
                used += 1
                states[key] = _Item(states[key].status, "pending", True, None, states[key].horizon)

    # 4. criteria, areas, index
    forecasts = tuple(
        _not_applicable(c) if c.rule_type == NOT_APPLICABLE else
        _criterion(c, tuple(states[ci, ii] for ii in range(len(c.items))), rates, today=today,
                   assessment_date=assessment_date, weeks=weeks)
        for ci, c in enumerate(criteria))
    areas: dict[str, list[CriterionForecast]] = {}
    for f in forecasts:
        areas.setdefault(f.area_code, []).append(f)
    area_rows = tuple(_sum_totals(rows, AreaForecast, code=code, name=rows[0].area_name)
                      for code, rows in areas.items())

    # 5. departments
    weeks_left = _weeks_between(today, assessment_date)
    department_rows = []
    for code, activity in activities.items():
        remaining = len(queues.get(code, ()))
        rate = rates[code]
        needed = ZERO if remaining == 0 else (Decimal(remaining) / rate.per_week if rate.per_week else None)
        department_rows.append(DepartmentForecast(
            code, activity.name, rate.per_week, rate.is_prior, remaining, activity.waiting, activity.sent_back,
            needed, needed is not None and needed <= weeks_left))

    return IndexForecast(
        today=today, assessment_date=assessment_date, criteria=forecasts, areas=area_rows,
        totals=_sum_totals(forecasts), departments=tuple(department_rows),
        deviation_warning=_deviation(criteria, forecasts, dec(deviation_threshold_percent),
                                     dec(deviation_penalty_points)))
