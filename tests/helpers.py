"""Small builders shared by the tests."""

from __future__ import annotations

from checklists import load_catalog
from evidence_app.auth import hash_password
from evidence_app.auth.models import Department, Unit, User
from evidence_app.catalog.operations import import_catalog
from evidence_app.extensions import db

PASSWORD = "correct horse battery"


def make_unit(code="gieng-day", name="UBND phường Giếng Đáy") -> Unit:
    unit = Unit(code=code, name=name)
    db.session.add(unit)
    db.session.commit()
    return unit


def make_user(unit: Unit, username: str, role: str = "staff", departments: list[str] = ()) -> User:
    deps = [d for d in db.session.query(Department).filter_by(unit_id=unit.id) if d.code in departments]
    user = User(unit=unit, username=username, password_hash=hash_password(PASSWORD), role=role, departments=deps)
    db.session.add(user)
    db.session.commit()
    return user


def import_file(path, unit: Unit):
    result = import_catalog(load_catalog(path), unit, source=str(path))
    db.session.commit()
    return result


def login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def drop_audit_guard() -> None:
    """What someone with full control of the database could do before tampering with the audit trail."""
    import sqlalchemy as sa

    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"))
    else:
        db.session.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        db.session.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
    db.session.commit()
