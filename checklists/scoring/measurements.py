"""What the measurements of a criterion say: its latest figure, and the trend shown in the reasons."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..numbers import HUNDRED, ZERO, dec
from ..rules.event_count import events_in_period, period
from ..rules.per_population import rate
from ..rules.tiered import measured_tiers, reached_tier
from .formatting import format_day, format_decimal, format_grouped
from .inputs import CriterionStatus, Measurement
from .items import JudgedItem


def percent_value(m: Measurement) -> Decimal:
    """The measurement as a percent; without a denominator the numerator is the percent. Measurements with a
    zero denominator are ignored before this is asked."""
    return m.numerator if m.denominator is None else m.numerator * HUNDRED / m.denominator


def trend(points: list[tuple[date, Decimal]], to: date) -> Decimal:
    """A least-squares line through the points (at least one), at `to` (the latest value with fewer than two
    dates). Shown in the reasons only: a forecast that moved with the slope could fall when a better figure
    arrives."""
    if len({day for day, _ in points}) < 2:
        return points[-1][1]
    origin = points[0][0]
    xs = [Decimal((day - origin).days) for day, _ in points]
    ys = [value for _, value in points]
    n = Decimal(len(points))
    mean_x, mean_y = sum(xs, ZERO) / n, sum(ys, ZERO) / n
    slope = sum(((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)), ZERO) / sum(
        ((x - mean_x) ** 2 for x in xs), ZERO
    )
    return mean_y + slope * (Decimal((to - origin).days) - mean_x)


def measurement_reason(
    c: CriterionStatus, items: tuple[JudgedItem, ...], usable: list[Measurement], assessment_date: date, closed: bool
) -> str | None:
    """The reason a criterion's measurements give (the latest figure against the target, and where the trend
    leads), or None when its rule measures nothing."""
    kind = c.rule_type
    if kind == "event_count":
        return _events_reason(c, usable, assessment_date)
    if not usable:
        return "Chưa có số liệu đo" if kind in ("ratio", "percentage_tiers", "tiered", "per_population") else None
    last = usable[-1]
    on = f"(đo {format_day(last.measured_on)})"
    if kind == "per_population":
        return _population_reason(c, last, on)
    trending = not closed and len({m.measured_on for m in usable}) >= 2
    if kind in ("ratio", "percentage_tiers"):
        target = c.rule_params["target_percent"] if kind == "ratio" else c.rule_params["tiers"][0]["min_percent"]
        text = f"Tỷ lệ {format_decimal(percent_value(last))}% {on} so với chỉ tiêu {format_decimal(dec(target))}%"
        if trending:
            then = trend([(m.measured_on, percent_value(m)) for m in usable], assessment_date)
            text += f"; xu hướng đến {format_day(assessment_date)}: {format_decimal(min(HUNDRED, max(ZERO, then)))}%"
        return text
    if kind == "count_thresholds":
        top = dec(c.rule_params["thresholds"][0]["min"])
        text = f"Số lượng {format_decimal(last.numerator)} {on} so với mức {format_decimal(top)}"
        if trending:
            then = trend([(m.measured_on, m.numerator) for m in usable], assessment_date)
            text += f"; xu hướng đến {format_day(assessment_date)}: {format_decimal(max(ZERO, then))}"
        return text
    if kind == "tiered" and measured_tiers(c.rule_params):
        tiers = c.rule_params["tiers"]
        value = f"Giá trị đo {format_decimal(percent_value(last))}{'%' if last.denominator is not None else ''} {on}"
        tier = reached_tier(tiers, percent_value(last))
        if tier is None:
            return f"{value}: chưa đạt mức nào (mức thấp nhất từ {format_decimal(dec(tiers[-1]['min']))})"
        return f"{value}: mức đạt {tier['label']}"
    if kind == "tiered":
        tiers = c.rule_params["tiers"]
        n = int(last.numerator.to_integral_value(ROUND_HALF_UP))
        label = tiers[n - 1].get("label", str(n)) if 1 <= n <= len(tiers) else tiers[-1].get("label", "")
        return f"Mức đạt: {label} {on}"
    if kind == "deduction" and not any(i.is_report for i in items):
        return f"{format_decimal(last.numerator)} vi phạm đã ghi nhận {on}: mất điểm"
    return None


def _population_reason(c: CriterionStatus, last: Measurement, on: str) -> str:
    """The reason of a count per population, e.g. 12 tổ / 18.000 dân = 0,67 tổ/1.000 dân; mục tiêu 1 tổ/1.000 dân."""
    params = c.rule_params
    unit, of, per = params["unit"], params["of"], format_grouped(dec(params["per"]))
    target = f"mục tiêu {format_grouped(dec(params['target']))} {unit}/{per} {of}"
    if last.denominator is None or last.denominator <= 0:
        return f"{format_grouped(last.numerator)} {unit} {on}: chưa có số {of} để tính; {target}"
    reached = rate(params, last.numerator, last.denominator)
    return (
        f"{format_grouped(last.numerator)} {unit} / {format_grouped(last.denominator)} {of} = "
        f"{format_grouped(reached)} {unit}/{per} {of} {on}; {target}"
    )


def _events_reason(c: CriterionStatus, usable: list[Measurement], assessment_date: date) -> str:
    """The reason of events counted in a period, e.g. 3 cuộc họp … trong kỳ 01/01/2024–31/12/2024 so với mức 4."""
    params = c.rule_params
    start, end = period(params)
    inside = [m for m in usable if start <= m.measured_on <= end]
    count = events_in_period(tuple((m.measured_on, m.numerator) for m in inside), start, end)
    span = f"trong kỳ {format_day(start, with_year=True)}–{format_day(end, with_year=True)}"
    top = format_decimal(dec(params["thresholds"][0]["min"]))
    latest = f" (gần nhất {format_day(inside[-1].measured_on)})" if inside else ""
    text = f"{format_decimal(count)} {params['event']} {span}{latest} so với mức {top}"
    outside = len(usable) - len(inside)
    if outside:
        text += f"; {outside} lần ghi ngoài kỳ không được tính"
    return text
