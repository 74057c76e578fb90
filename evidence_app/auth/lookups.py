"""Finding a unit or a user named on the command line, or failing with a message that says what exists."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..extensions import db
from .models import Unit, User


class NotFound(click.ClickException):
    """A unit or user named on the command line does not exist: one line, exit status 2 (a usage error)."""

    exit_code = 2


def known_units_text() -> str:
    known = db.session.execute(select(Unit.code).order_by(Unit.code)).scalars().all()
    return ", ".join(known) or "(none: create one with `minhchung units create`)"


def unit_or_fail(code: str | None) -> Unit:
    """The unit with this code; with no code, the deployment's only unit (several: --unit is needed)."""
    if code is None:
        units = db.session.execute(select(Unit).order_by(Unit.code).limit(2)).scalars().all()
        if len(units) == 1:
            return units[0]
        raise click.UsageError(f"--unit is needed: known units: {known_units_text()}")
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None:
        raise NotFound(f"unit {code!r} does not exist; known units: {known_units_text()}")
    return unit


def units_or_all(code: str | None) -> list[Unit]:
    """The unit with this code, or every unit when no code is given."""
    if code is not None:
        return [unit_or_fail(code)]
    return list(db.session.execute(select(Unit).order_by(Unit.code)).scalars())


def user_or_fail(username: str, unit: Unit | None = None) -> User:
    statement = select(User).where(User.username == username)
    if unit is not None:
        statement = statement.where(User.unit_id == unit.id)
    user = db.session.execute(statement).scalar_one_or_none()
    if user is None:
        where = f" in unit {unit.code!r}" if unit is not None else ""
        raise NotFound(f"user {username!r} does not exist{where}")
    return user
