"""The `minhchung` command: a Flask CLI group bound to create_app, with the project's commands."""
from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import FlaskGroup
from flask_migrate import upgrade

from . import clock
from .auth.cli import departments_cli, units_cli, users_cli
from .catalog.cli import catalog_cli
from .cycle.cli import results_cli
from .evidence.cli import register as register_evidence_commands
from .reports.cli import register as register_report_commands
from .reports.forecast_cli import forecast_cli


def _create_app():
    from . import create_app
    return create_app()


main = FlaskGroup(name="minhchung", create_app=_create_app, add_version_option=False, load_dotenv=True,
                  help="Minh Chứng: evidence for the CCHC and DTI assessments.")


def register_commands(app) -> None:
    for group in (catalog_cli, units_cli, departments_cli, users_cli, results_cli, forecast_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
    register_evidence_commands(app)
    register_report_commands(app)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare everything, then exit instead of serving.")
@click.option("--today", "today_text", metavar="DD/MM/YYYY",
              help="The demo's day (default: today in Vietnam); the served app runs on that day too.")
def demo_command(host: str, port: int, no_serve: bool, today_text: str | None) -> None:
    """Set up phường Giếng Đáy (its real 2023 results) and three more wards in a live cycle, then serve the app."""
    from .demo import prepare_demo

    if today_text:
        try:
            current_app.config["TODAY"] = datetime.strptime(today_text.strip(), "%d/%m/%Y").date()
        except ValueError:
            raise click.BadParameter(f"{today_text!r} is not a date: write it as DD/MM/YYYY, e.g. 10/11/2026",
                                     param_hint="--today") from None
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
        click.echo("\nDemo users exist already (their passwords were printed when they were created). "
                   "Reset one with `minhchung users set-password --username NAME`.")
        if result.indices and max(day for _, _, day in result.indices) < result.today:
            click.echo("This demo's cycle is over: for a live one, run `minhchung demo` in an empty folder "
                       "(or with MINHCHUNG_DATA_DIR set to an empty directory).")
    if no_serve:
        return
    from werkzeug.serving import run_simple
    click.echo(f"\nMinh Chứng demo: http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, current_app._get_current_object(), threaded=True)
