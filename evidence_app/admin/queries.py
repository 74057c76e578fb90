"""The administrators' reads inside their unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_login import current_user
from sqlalchemy import func, select

from .. import clock
from ..audit.models import AuditEvent
from ..auth.models import User
from ..extensions import db
from ..scoping import one_in_unit_or_404


def user_in_unit(user_id: int) -> User:
    return one_in_unit_or_404(select(User).where(User.id == user_id, User.unit_id == current_user.unit_id))


def about_user(user_id: int):
    """The condition on audit events that selects what a user did and what was done to their account."""
    return (AuditEvent.actor_id == user_id) | ((AuditEvent.object_type == "user") & (AuditEvent.object_id == user_id))


def audit_events(*conditions, limit: int = 500) -> list[AuditEvent]:
    """The unit's audit events that meet `conditions`, the latest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.unit_id == current_user.unit_id, *conditions)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(statement).scalars())


PER_PAGE = 50


@dataclass
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def _start_of(day: date) -> datetime:
    """Midnight of `day` where the unit is: the trail's days are the unit's days."""
    return datetime.combine(day, time(), tzinfo=clock.zone())


def audit_page(
    *conditions,
    action: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
) -> AuditPage:
    """One page of the unit's audit events that meet the filters, the latest first (`until` is included)."""
    where = [AuditEvent.unit_id == current_user.unit_id, *conditions]
    if action:
        where.append(AuditEvent.action == action)
    if object_type:
        where.append(AuditEvent.object_type == object_type)
    if object_id is not None:
        where.append(AuditEvent.object_id == object_id)
    if since is not None:
        where.append(AuditEvent.occurred_at >= _start_of(since))
    if until is not None:
        where.append(AuditEvent.occurred_at < _start_of(until + timedelta(days=1)))
    total = db.session.execute(select(func.count()).select_from(AuditEvent).where(*where)).scalar_one()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    statement = (
        select(AuditEvent).where(*where).order_by(AuditEvent.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    )
    return AuditPage(list(db.session.execute(statement).scalars()), total, page, pages)
