"""Every command of `minhchung`, registered from one list (`COMMANDS`) by the app factory; and `minhchung demo`."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask_migrate import current, downgrade, upgrade

from . import clock
from .api.cli import tokens_cli
from .audit.cli import audit_cli
from .auth.cli import departments_cli, units_cli, users_cli
from .backup.cli import backup_command, restore_command
from .catalog.cli import catalog_cli
from .cycle.catalog_cli import export_command as catalog_export_command
from .cycle.catalog_cli import import_command as catalog_import_command
from .cycle.cli import results_cli
from .dates import DAY
from .evidence.cli import import_command as documents_import_command
from .evidence.cli import upload_command
from .evidence.reading.cli import reading_cli
from .evidence.remind import remind_command
from .evidence.storage_cli import storage_cli
from .reports.cli import league_command, pack_command, report_command, selfassessment_command
from .reports.forecast_cli import forecast_cli
from .units.cli import COMMANDS as UNITS_COMMANDS


def register_commands(app) -> None:
    """Every command of `minhchung`, registered from this one list."""
    for command in COMMANDS:
        app.cli.add_command(command)


# `catalog import` and `catalog export` carry a cycle forward: they live with the cycle, in the catalog group.
catalog_cli.add_command(catalog_import_command)
catalog_cli.add_command(catalog_export_command)
# Merging, splitting and renaming units live with the reorganisation (evidence_app/units), in the units group.
for _command in UNITS_COMMANDS:
    units_cli.add_command(_command)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare everything, then exit instead of serving.")
@click.option(
    "--today", type=DAY, help="The demo's day (default: today in Vietnam); the served app runs on that day too."
)
def demo_command(host: str, port: int, no_serve: bool, today: date | None) -> None:
    """Set up phường Giếng Đáy (its real 2023 results) and three more wards in a live cycle, then serve the app."""
    from .demo import prepare_demo

    if today:
        current_app.config["TODAY"] = today
    click.echo(f"Data directory: {current_app.config['DATA_DIR']}")
    upgrade()
    result = prepare_demo(clock.today())
    for code, year, assessment in result.indices:
        state = "imported" if result.created else "up to date"
        click.echo(f"Catalog {code} {year}: {state} (assessment {assessment:%d/%m/%Y})")
    if result.created:
        click.echo(f"\nTen weeks of history up to {result.today:%d/%m/%Y}:")
        for code, name, behaviour in result.wards:
            n = result.counts.get(code, {})
            click.echo(f"  {name:<24} {behaviour}: {n.get('uploads', 0)} uploads, {n.get('decisions', 0)} decisions")
        click.echo("\nDemo users (the passwords are shown this once; keep them):")
        for user in result.users:
            click.echo(f"  {user.username:<18} {user.role:<9} {user.departments:<34} {user.password}")
    else:
        click.echo(
            "\nDemo users exist already (their passwords were printed when they were created). "
            "Reset one with `minhchung users set-password --username NAME`."
        )
        if result.indices and max(day for _, _, day in result.indices) < result.today:
            click.echo(
                "This demo's cycle is over: for a live one, run `minhchung demo` in an empty folder "
                "(or with MINHCHUNG_DATA_DIR set to an empty directory)."
            )
    if no_serve:
        return
    from werkzeug.serving import run_simple

    click.echo(f"\nMinh Chứng demo: http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


@click.group("db")
def db_cli() -> None:
    """The database's schema: its Alembic migrations (back up first, docs/production.md)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade_command(revision: str) -> None:
    """Create the schema, or bring it to REVISION (default: the latest)."""
    upgrade(revision=revision)


@db_cli.command("current")
def db_current_command() -> None:
    """Print the schema's revision."""
    current()


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade_command(revision: str) -> None:
    """Take the schema back to REVISION (e.g. 0011); a newer version of the app then refuses to start."""
    downgrade(revision=revision)


COMMANDS = (
    units_cli,
    departments_cli,
    users_cli,
    tokens_cli,  # accounts
    catalog_cli,
    results_cli,  # rubrics and the cycle
    upload_command,
    documents_import_command,
    remind_command,
    reading_cli,  # evidence
    report_command,
    pack_command,
    league_command,
    selfassessment_command,
    forecast_cli,  # the report
    audit_cli,
    storage_cli,
    backup_command,
    restore_command,
    demo_command,  # operations
)
