"""The administrators' reads inside their unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from ..auth.models import User
from ..scoping import one_in_unit_or_404


def user_in_unit(user_id: int) -> User:
    return one_in_unit_or_404(select(User).where(User.id == user_id, User.unit_id == current_user.unit_id))
