"""Logging, configured in the app factory (as in Flask's mega-tutorial): one line per event on stderr, where
gunicorn, systemd or a container collects it, at the level `MINHCHUNG_LOG_LEVEL` names (INFO by default).
At start a server says which database and file store it uses (passwords hidden)."""

from __future__ import annotations

import logging
import sys

from flask.logging import default_handler
from sqlalchemy.engine import make_url

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def init_app(app) -> None:
    if app.testing:
        return  # pytest captures the app's records itself
    level = logging.getLevelName(str(app.config.get("LOG_LEVEL", "INFO")).upper())
    app.logger.removeHandler(default_handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    app.logger.addHandler(handler)
    app.logger.setLevel(level if isinstance(level, int) else logging.INFO)
    if not app.config.get("ANNOUNCE_START", True):
        return  # a command of `minhchung`: its own output says what it did
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    app.logger.info(
        "Minh Chứng (%s): database %s, files %s",
        app.config.get("ENV_NAME"),
        database,
        app.config["STORAGE_URL"],  # a storage URL holds no credentials (storage/__init__.py refuses them)
    )
