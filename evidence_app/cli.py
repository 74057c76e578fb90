"""The `minhchung` command: a Flask CLI group bound to create_app (its commands: evidence_app/commands.py).

The group lists and finds its commands without creating the app, so `minhchung --help` is complete whatever the
configuration says and writes nothing (no data directory, no secret key); a command creates the app when it runs.
A configuration that cannot be used is one line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

import click
from flask.cli import FlaskGroup, with_appcontext

from config import ConfigError, config_from_env

from . import create_app
from .commands import COMMANDS, db_cli


def _create_app():
    try:
        config = config_from_env()
        config.ANNOUNCE_START = False  # the start line is for servers (logs.py)
        return create_app(config)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    try:
        click.echo(f"minhchung {version('minhchung')}")
    except PackageNotFoundError:  # run from a checkout that was never installed
        click.echo("minhchung (not installed)")
    ctx.exit()


def _in_app_context(command: click.Command) -> None:
    """Create the app and enter its context when the command runs, not when it is listed or asked for --help."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _in_app_context(sub)
    elif command.callback is not None and not getattr(command.callback, "_in_app_context", False):
        command.callback = with_appcontext(command.callback)
        command.callback._in_app_context = True  # type: ignore[attr-defined]


class MinhChungGroup(FlaskGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(click.Group.list_commands(self, ctx))  # its own: no app is created to list them


main = MinhChungGroup(
    name="minhchung",
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,  # config.py reads the .env of the working directory, for the CLI and servers alike
    set_debug_flag=False,
    help="Minh Chứng: evidence for the CCHC and DTI assessments.",
    params=[
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_print_version,
            help="Print the version and exit.",
        )
    ],
)
for _command in (*COMMANDS, db_cli):
    _in_app_context(_command)
    main.add_command(_command)
