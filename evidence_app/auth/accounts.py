"""Creating units and users: the rows and their audit events in one place, for the administrators' pages, the
command line and the demo. Like every service, these commit (docs/decisions/0005-commit-policy.md)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..errors import Refused
from ..extensions import db
from . import sessions, throttle
from .models import Department, Unit, User
from .passwords import check_password, hash_password, password_problem

UNIT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
# app.extensions key: functions called when someone else sets a user's password, each returning what it did for
# the audit event. The API registers the revocation of the user's tokens here (auth may not import the API).
ON_PASSWORD_RESET = "minhchung.on_password_reset"
PasswordResetHook = Callable[[User], dict]


class AccountRefused(Refused):
    """A unit or user that cannot be created as asked; `field` names the input at fault."""

    def __init__(self, field: str, message):
        super().__init__(message, field=field)


def create_unit(code: str, name: str) -> Unit:
    if not UNIT_CODE.match(code):
        raise AccountRefused("code", _l("Use lower-case letters, digits and '-' (for example gieng-day)."))
    if db.session.execute(select(Unit.id).where(Unit.code == code)).first() is not None:
        raise AccountRefused("code", _l("This unit exists already."))
    unit = Unit(code=code, name=name.strip())
    db.session.add(unit)
    db.session.flush()
    audit.record(
        "unit.create", unit_id=unit.id, object_type="unit", object_id=unit.id, data={"code": code, "name": unit.name}
    )
    db.session.commit()
    return unit


def create_user(
    unit: Unit,
    username: str,
    *,
    role: str,
    departments: list[Department],
    full_name: str = "",
    email: str | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    actor: User | None = None,
    active: bool = True,
) -> User:
    """A new user of `unit`, with `password` (hashed here) or a `password_hash` computed ahead (the demo). A user
    created by an administrator (`actor`) must change the password at first sign-in; one created on the command
    line or by the demo (no actor) is not asked to."""
    if not USERNAME.match(username):
        raise AccountRefused("username", _l("2–80 letters, digits, '.', '_' or '-'."))
    if db.session.execute(select(User.id).where(User.username == username)).first() is not None:
        raise AccountRefused("username", _l("This username is taken."))
    if password_hash is None:
        problem = password_problem(password or "", username)
        if problem is not None:
            raise AccountRefused("password", problem)
        password_hash = hash_password(password)
    user = User(
        unit=unit,
        username=username,
        password_hash=password_hash,
        role=role,
        departments=departments,
        full_name=full_name.strip(),
        email=email,
        active=active,
        must_change_password=actor is not None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        unit_id=unit.id,
        actor_id=actor.id if actor is not None else None,
        object_type="user",
        object_id=user.id,
        data={"username": username, "role": role, "departments": sorted(d.code for d in departments)},
    )
    db.session.commit()
    return user


def create_department(unit: Unit, code: str, name: str) -> Department:
    if not UNIT_CODE.match(code):
        raise AccountRefused("code", _l("Use lower-case letters, digits and '-' (for example vp-tk)."))
    if any(d.code == code for d in unit.departments):
        raise AccountRefused("code", _l("This department exists already."))
    department = Department(unit=unit, code=code, name=name.strip())
    db.session.add(department)
    db.session.flush()
    audit.record(
        "department.create",
        unit_id=unit.id,
        object_type="department",
        object_id=department.id,
        data={"code": code, "name": department.name},
    )
    db.session.commit()
    return department


def update_user(
    user: User,
    actor: User,
    *,
    full_name: str,
    email: str | None,
    role: str,
    active: bool,
    departments: list[Department],
) -> dict:
    """Change what an administrator may change; the audit event names every change as [before, after]. A change of
    role and disabling end the user's sessions."""
    if user.id == actor.id and (role != actor.role or not active):
        raise AccountRefused("role", _l("You cannot take away your own administrator role or disable yourself."))

    def summary() -> dict:
        return {
            "full_name": user.full_name,
            "email": user.email,
            "role": user.role,
            "active": user.active,
            "departments": sorted(d.code for d in user.departments),
        }

    before = summary()
    user.full_name, user.email = full_name.strip(), email
    user.role, user.active, user.departments = role, active, departments
    after = summary()
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if "role" in changes or "active" in changes:
        sessions.end_every_session(user)
    if changes:
        audit.record(
            "user.role_change" if "role" in changes else "user.update",
            unit_id=user.unit_id,
            actor_id=actor.id,
            object_type="user",
            object_id=user.id,
            data={"username": user.username, **changes},
        )
    db.session.commit()
    return changes


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """A new password set by someone else: an administrator (`user.password_reset`) or the operator on the command
    line (`user.password_set`). It ends the user's sessions, revokes their API tokens (whoever set the password
    may suspect them stolen) and lifts the sign-in throttling of the account. A password an administrator set must
    be changed by its user at the next sign-in; one set on the command line need not."""
    problem = password_problem(password, user.username)
    if problem is not None:
        raise AccountRefused("password", problem)
    user.password_hash = hash_password(password)
    user.must_change_password = actor is not None
    sessions.end_every_session(user)
    data = {"username": user.username, "failures_cleared": throttle.clear(user.username)}
    for hook in current_app.extensions.get(ON_PASSWORD_RESET, []):
        data.update(hook(user))
    audit.record(
        "user.password_reset" if actor is not None else "user.password_set",
        unit_id=user.unit_id,
        actor_id=actor.id if actor is not None else None,
        object_type="user",
        object_id=user.id,
        data=data,
    )
    db.session.commit()


def change_own_password(user: User, current: str, new: str, address: str) -> None:
    """The signed-in user's own change: their current password first (a wrong one counts as a failed sign-in, so
    that a session left open is no way to guess it), then the one rule for new passwords. Every other session of
    the user ends (the caller keeps the current one: `sessions.keep_this_session`)."""
    hold = throttle.hold(user.username, address)
    if hold is not None:
        raise AccountRefused(
            "current_password",
            _l("Too many wrong passwords. Try again in %(minutes)s minute(s).", minutes=hold.minutes),
        )
    if not check_password(user, current):
        record_failed_sign_in(user.username, address, user)
        raise AccountRefused("current_password", _l("This is not your current password."))
    problem = password_problem(new, user.username)
    if problem is not None:
        raise AccountRefused("new_password", problem)
    if check_password(user, new):
        raise AccountRefused("new_password", _l("Choose a password other than your current one."))
    user.password_hash = hash_password(new)
    user.must_change_password = False
    sessions.end_every_session(user)
    audit.record("user.password_change", unit_id=user.unit_id, actor_id=user.id, object_type="user", object_id=user.id)
    db.session.commit()


def set_active(user: User, active: bool) -> bool:
    """Disable or enable an account from the command line (the admin page goes through update_user); disabling
    ends its sessions. Returns whether anything changed (nothing is recorded when it did not)."""
    if user.active == active:
        return False
    user.active = active
    if not active:
        sessions.end_every_session(user)
    audit.record(
        "user.enable" if active else "user.disable",
        unit_id=user.unit_id,
        object_type="user",
        object_id=user.id,
        data={"username": user.username},
    )
    db.session.commit()
    return True


def unlock(user: User, *, actor: User | None = None) -> int:
    """Lift the sign-in throttling of `user`'s account (an administrator's page or the command line); returns
    the number of failed sign-ins forgotten."""
    cleared = throttle.clear(user.username)
    audit.record(
        "user.unlock",
        unit_id=user.unit_id,
        actor_id=actor.id if actor is not None else None,
        object_type="user",
        object_id=user.id,
        data={"username": user.username, "failures_cleared": cleared},
    )
    db.session.commit()
    return cleared


def record_sign_out(user: User) -> None:
    """Signing out ends every session of the user, a saved copy of this one's cookie included."""
    sessions.end_every_session(user)
    audit.record("auth.logout", unit_id=user.unit_id, actor_id=user.id, object_type="user", object_id=user.id)
    db.session.commit()


def record_sign_in(user: User, address: str) -> None:
    throttle.clear(user.username, address)
    audit.record("auth.login", unit_id=user.unit_id, actor_id=user.id, object_type="user", object_id=user.id)
    db.session.commit()


def record_failed_sign_in(username: str, address: str, user: User | None) -> None:
    """A wrong password, an unknown or a disabled account: counted for throttling, audited and logged."""
    current_app.logger.warning("sign-in failed for %r from %s", username[:80], address)
    throttle.record_failure(username, address)
    audit.record(
        "auth.login_failed",
        unit_id=user.unit_id if user else None,
        object_type="user",
        object_id=user.id if user else None,
        data={"username": username[:80], "address": address},
    )
    db.session.commit()
