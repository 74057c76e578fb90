"""Logging, configured in the app factory (as in Flask's mega-tutorial): one line per event on stderr, where
gunicorn, systemd or a container collects it, at the level `MINHCHUNG_LOG_LEVEL` names (INFO by default), as
text or, with `MINHCHUNG_LOG_FORMAT=json`, as JSON lines.

- At start a server says its version, which database and which file store it uses (passwords hidden).
- Every request is logged once when it ends: its id, the user, method, path, status and duration. The id is the
  proxy's `X-Request-ID` when it sends a sane one, else a new one; it is returned in `X-Request-ID` and shown on
  error pages, so that a user's screenshot leads to the line.
- Security events are logged at WARNING: failed sign-ins (auth/accounts.py), requests refused for their role
  (403) and sign-ins held by throttling (429)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from importlib.metadata import PackageNotFoundError, version

from flask import Flask, g, request, session
from flask.logging import default_handler
from sqlalchemy.engine import make_url

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
SECURITY_STATUSES = {403: "refused for the role", 429: "held by sign-in throttling"}


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the request's fields when there are."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "request", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def app_version() -> str:
    try:
        return version("minhchung")
    except PackageNotFoundError:  # a checkout that was never installed
        return "unknown"


def request_id() -> str | None:
    """The current request's id (for error pages and log lines), None outside a request."""
    return g.get("request_id") if request else None


def init_app(app: Flask) -> None:
    _init_request_log(app)
    if app.testing:
        return  # pytest captures the app's records itself
    level = logging.getLevelName(str(app.config.get("LOG_LEVEL", "INFO")).upper())
    app.logger.removeHandler(default_handler)
    handler = logging.StreamHandler(sys.stderr)
    json_lines = str(app.config.get("LOG_FORMAT", "text")).lower() == "json"
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(FORMAT))
    app.logger.addHandler(handler)
    app.logger.setLevel(level if isinstance(level, int) else logging.INFO)
    if not app.config.get("ANNOUNCE_START", True):
        return  # a command of `minhchung`: its own output says what it did
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    app.logger.info(
        "Minh Chứng %s (%s): database %s, files %s",
        app_version(),
        app.config.get("ENV_NAME"),
        database,
        app.config["STORAGE_URL"],  # a storage URL holds no credentials (storage/__init__.py refuses them)
    )


def _init_request_log(app: Flask) -> None:
    app.jinja_env.globals["request_id"] = request_id

    @app.before_request
    def start_the_clock():
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        g.request_started = time.perf_counter()

    @app.after_request
    def log_the_request(response):
        started = g.get("request_started")
        if started is None:  # refused before the clock started (another before_request answered first)
            g.request_id = g.get("request_id") or uuid.uuid4().hex[:16]
        response.headers[REQUEST_ID_HEADER] = g.request_id
        user = session.get("_user_id") or "-"  # as Flask-Login keeps it; loading the user could renew a session
        fields = {
            "request_id": g.request_id,
            "user": user,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        }
        level = logging.DEBUG if request.path.startswith("/static/") else logging.INFO
        text = "{request_id} {user} {method} {path} {status} {ms} ms".format(**fields)
        if response.status_code in SECURITY_STATUSES:
            level, text = logging.WARNING, f"{text} ({SECURITY_STATUSES[response.status_code]})"
        app.logger.log(level, text, extra={"request": fields})
        return response
