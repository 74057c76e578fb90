"""The `minhchung` command: a Flask CLI group bound to create_app, with the project's commands."""
from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import FlaskGroup
from flask_migrate import upgrade
from sqlalchemy import select

from checklists import CATALOG_DIR, load_catalog

from .auth.cli import create_unit, create_user, departments_cli, units_cli, users_cli
from .auth.models import Role, Unit, User
from .catalog.cli import catalog_cli
from .catalog.operations import import_catalog
from .cycle.cli import results_cli
from .evidence.cli import register as register_evidence_commands
from .reports.cli import register as register_report_commands
from .reports.forecast_cli import forecast_cli
from .extensions import db

DEMO_UNIT_CODE = "gieng-day"
DEMO_UNIT_NAME = "UBND phường Giếng Đáy"


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
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Set up phường Giếng Đáy with its real 2023 results and demo users, then serve the app."""
    click.echo(f"Data directory: {current_app.config['DATA_DIR']}")
    upgrade()
    unit = db.session.execute(select(Unit).where(Unit.code == DEMO_UNIT_CODE)).scalar_one_or_none()
    if unit is None:
        unit = create_unit(DEMO_UNIT_CODE, DEMO_UNIT_NAME)
    for path in sorted((CATALOG_DIR / DEMO_UNIT_CODE).glob("*.yaml")):
        result = import_catalog(load_catalog(path), unit, source=path.name)
        click.echo(f"Catalog {result.index.code} {result.index.year}: {'imported' if result.index_created else 'up to date'}")
    db.session.flush()
    created = _create_demo_users(unit)
    db.session.commit()
    if created:
        click.echo("\nDemo users (the passwords are shown this once; keep them):")
        for username, role, department, password in created:
            click.echo(f"  {username:<16} {role:<9} {department:<34} {password}")
    else:
        click.echo("\nDemo users exist already (their passwords were printed when they were created). "
                   "Reset one with `minhchung users set-password --username NAME`.")
    if no_serve:
        return
    from werkzeug.serving import run_simple
    click.echo(f"\nMinh Chứng demo: http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


def _create_demo_users(unit: Unit) -> list[tuple[str, str, str, str]]:
    if db.session.execute(select(User).where(User.unit_id == unit.id)).first() is not None:
        return []
    departments = {d.code: d for d in unit.departments}
    focal = departments.get("vp-tk")
    people = [("admin", Role.admin.value, [], "Quản trị hệ thống"),
              ("reviewer", Role.reviewer.value, [focal] if focal else [], "Công chức phụ trách CCHC (kiểm duyệt)")]
    people += [(f"cb-{code}", Role.staff.value, [department], f"Cán bộ {department.name}")
               for code, department in departments.items()]
    created = []
    for username, role, deps, full_name in people:
        password = secrets.token_urlsafe(9)
        create_user(unit, username, password, role, deps, full_name)
        created.append((username, role, ", ".join(d.name for d in deps) or "—", password))
    return created
