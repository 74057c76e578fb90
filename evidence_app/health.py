"""Probes for whoever runs the app (a load balancer, systemd, Kubernetes): `/healthz` says the process answers,
`/readyz` that it can serve — the database answers, its schema is the one this code expects, the file store
answers. Neither needs a sign-in, sets a cookie or counts against sign-in throttling. The schema check also
runs when a server starts (`require_schema_at_head`): an outdated schema stops it with one clear line instead
of 500s on the new tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storage import StorageError

from .extensions import db
from .files import get_storage

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

bp = Blueprint("health", __name__)


class SchemaBehind(RuntimeError):
    """The database's schema is not the one this code was written for."""


def expected_revision() -> str | None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision() -> str | None:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except SQLAlchemyError:
        db.session.rollback()
        return None  # no alembic_version table: never migrated


def require_schema_at_head() -> None:
    current, head = current_revision(), expected_revision()
    if current != head:
        raise SchemaBehind(
            f"The database schema is at revision {current or 'none (never migrated)'}, this version of Minh Chứng "
            f"needs {head}: run `minhchung db upgrade` (back up first, see docs/production.md), then start again."
        )


def _timed(check: Callable[[], str | None]) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except (SQLAlchemyError, StorageError, SchemaBehind, OSError) as exc:
        detail, ok = str(exc).splitlines()[0][:300], False
    result: dict = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def _database() -> str | None:
    db.session.execute(text("SELECT 1"))
    return None


def _schema() -> str | None:
    require_schema_at_head()
    return f"revision {expected_revision()}"


def _store() -> str | None:
    get_storage().check_ready()
    return None


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _timed(_database)}
    checks["schema"] = _timed(_schema) if checks["database"]["ok"] else {"ok": False, "detail": "no database"}
    checks["store"] = _timed(_store)
    db.session.rollback()  # end the read transaction: a probe holds nothing between calls
    ready = all(c["ok"] for c in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
