"""event_count: events (meetings of the Ban chỉ đạo…) counted in a period, against thresholds. Each event is one
dated measurement whose source names its record (the biên bản); only events dated inside the period count, so a
founding decision or a plan is never a meeting. The points are the highest among the thresholds the count
reaches; the criterion's items (the founding decision, the minutes) gate them. Once the period is over (or the
assessment date passed) no further event can be held: the best is what was counted."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ..numbers import ZERO, dec
from .base import NUMBER, Case, NumberText, RuleType, Scores, Translate, read_number, sheet_number
from .count_thresholds import threshold_points
from .parameters import Params, Problems, check_day, check_strictly_decreasing, check_text, check_tiers, read_day

DAY = r"(\d{1,2}/\d{1,2}/\d{4})"


class EventCount(RuleType):
    name = "event_count"
    parameters = frozenset({"event", "from", "to", "thresholds"})
    measure = "event"

    @classmethod
    def check(cls, params: Params, max_points: Decimal) -> Problems:
        problems: Problems = []
        check_text(params, "event", problems)  # what is counted: "cuộc họp Ban chỉ đạo chuyển đổi số"
        start, end = check_day(params, "from", problems), check_day(params, "to", problems)
        if start is not None and end is not None and end < start:
            problems.append(
                ("to", f"is {end.isoformat()}, before `from` {start.isoformat()}: the period ends after it starts")
            )
        rows = check_tiers(
            params, "thresholds", problems, {"min": {"low": 0}, "points": {"low": 0, "high": max_points}}
        )
        check_strictly_decreasing(rows, "min", "thresholds", problems)
        return problems

    @classmethod
    def normalise(cls, params: Params) -> Params:
        """The period's days as dates (a catalog exported from the database writes them as ISO text), so that a
        rollover moves them with every other date."""
        return {**params, "from": read_day(params["from"]), "to": read_day(params["to"])}

    @classmethod
    def score(cls, case: Case) -> Scores:
        thresholds = case.params["thresholds"]
        start, end = period(case.params)
        now = threshold_points(thresholds, events_in_period(case.dated, start, end))
        approved, alive = case.gates()
        still_open = case.today is None or case.today <= end
        top = max(dec(t["points"]) for t in thresholds) if still_open else now
        return Scores(now if approved else ZERO, now, top if alive else ZERO)

    @classmethod
    def describe(cls, params: Params, max_points: Decimal, translate: Translate, number: NumberText) -> str:
        start, end = period(params)
        thresholds = "; ".join(f"≥ {number(dec(t['min']))} → {number(dec(t['points']))}" for t in params["thresholds"])
        counted = translate(
            "Counts each %(event)s held from %(start)s to %(end)s, with its minutes (a decision or a plan is not one):",
            event=str(params["event"]),
            start=start.strftime("%d/%m/%Y"),
            end=end.strftime("%d/%m/%Y"),
        )
        return f"{counted} {thresholds}; {translate('otherwise 0')}"

    @classmethod
    def sheet_text(cls, params: Params) -> str:
        start, end = period(params)
        thresholds = "; ".join(
            f"≥{sheet_number(t['min'])}: {sheet_number(t['points'])} điểm" for t in params["thresholds"]
        )
        return f"Đếm {params['event']} từ {start:%d/%m/%Y} đến {end:%d/%m/%Y} (có biên bản): {thresholds}"

    @classmethod
    def read_sheet_text(cls, text: str, folded: str) -> Params | None:
        if not folded.startswith("dem "):
            return None
        head = re.match(rf"\s*\S+\s+(.+?)\s+\S+\s+{DAY}\s+\S+\s+{DAY}", text)
        if head is None:
            return None
        event, start, end = head.groups()
        body = text[head.end() :]
        found = re.findall(rf"≥\s*{NUMBER}\s*:\s*{NUMBER}", body)
        return {
            "type": cls.name,
            "event": event,
            "from": read_day(start),
            "to": read_day(end),
            "thresholds": [{"min": read_number(a), "points": read_number(b)} for a, b in found],
        }


def period(params: Params) -> tuple[date, date]:
    start, end = read_day(params["from"]), read_day(params["to"])
    assert start is not None and end is not None  # checked by `check`
    return start, end


def events_in_period(dated: tuple[tuple[date, Decimal], ...], start: date, end: date) -> Decimal:
    """How many events are dated inside [start, end] (each measurement records its number of events, 1)."""
    return sum((n for day, n in dated if start <= day <= end), ZERO)
