"""The administrators' reads inside their unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

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
