"""The `minhchung` command: a Flask CLI group bound to create_app (its commands: evidence_app/commands.py)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from config import config_from_env

from . import create_app


def _create_app():
    config = config_from_env()
    config.ANNOUNCE_START = False  # the start line is for servers (logs.py)
    return create_app(config)


main = FlaskGroup(
    name="minhchung",
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=True,
    help="Minh Chứng: evidence for the CCHC and DTI assessments.",
)
