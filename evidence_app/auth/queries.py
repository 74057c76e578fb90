"""The people and departments of the signed-in user's unit."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .models import Department, Unit, User


def users_of_unit(*, active_only: bool = False) -> list[User]:
    statement = select(User).where(User.unit_id == current_user.unit_id).order_by(User.username)
    if active_only:
        statement = statement.where(User.active)
    return list(db.session.execute(statement).scalars())


def actors_of_unit() -> dict[int, User]:
    """Every user of the unit by id: who did what, in an audit trail."""
    return {u.id: u for u in users_of_unit()}


def departments_of_unit() -> list[Department]:
    statement = select(Department).where(Department.unit_id == current_user.unit_id).order_by(Department.name)
    return list(db.session.execute(statement).scalars())


def user_named(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def unit_with_code(code: str) -> Unit | None:
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
