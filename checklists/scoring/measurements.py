"""What the measurements of a criterion say: its latest figure, and the trend shown in the reasons."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..numbers import HUNDRED, ZERO, dec
from .formatting import format_day, format_decimal
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
    if not usable:
        return "Chưa có số liệu đo" if kind in ("ratio", "percentage_tiers", "tiered") else None
    last = usable[-1]
    on = f"(đo {format_day(last.measured_on)})"
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
    if kind == "tiered":
        tiers = c.rule_params["tiers"]
        n = int(last.numerator.to_integral_value(ROUND_HALF_UP))
        label = tiers[n - 1].get("label", str(n)) if 1 <= n <= len(tiers) else tiers[-1].get("label", "")
        return f"Mức đạt: {label} {on}"
    if kind == "deduction" and not any(i.is_report for i in items):
        return f"{format_decimal(last.numerator)} vi phạm đã ghi nhận {on}: mất điểm"
    return None
