"""Each checklist item's state as of the day and its p, the likelihood it is approved in time (SCORING.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..numbers import ONE, ZERO
from .formatting import format_day
from .inputs import Context, ItemStatus

PENDING_STATES = ("waiting", "flagged", "sent_back", "missing", "overdue")
LIKE = {"flagged": "sent_back"}  # a state whose likelihood is another's (forecast.yaml has no band of its own)


@dataclass(slots=True)  # one per item of every index: a slotted class is built ~5× faster than a frozen one
class JudgedItem:
    status: ItemStatus
    state: str  # "approved" | "lost" | one of PENDING_STATES
    p: Decimal  # approved 1, lost 0, pending from the table
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


def judge_item(item: ItemStatus, ctx: Context) -> JudgedItem:
    state, why = _classify(item, ctx.today, ctx.assessment_date)
    if state != "pending":
        return JudgedItem(item, state, ONE if state == "approved" else ZERO, why)
    state, horizon = _pending_state(item, ctx.today), _horizon(item, ctx.assessment_date)
    band = LIKE.get(state, state)
    p = ctx.params.p(band, weeks_between(ctx.today, horizon), ctx.pace(item.owner, band))
    return JudgedItem(item, state, p, None, horizon)


def weeks_between(start: date, end: date) -> Decimal:
    return Decimal(max(0, (end - start).days)) / 7


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
            return "lost", (
                f"{name} gửi muộn (hạn {format_day(deadline, with_year=with_year)}, gửi "
                f"{format_day(sent, with_year=with_year)}) — đã mất, không khắc phục được"
            )
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
        return "flagged" if item.flagged else "waiting"
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
