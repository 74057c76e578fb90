"""`minhchung units|departments|users …`: the accounts of a deployment."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from .accounts import (
    AccountRefused,
    create_department,
    create_unit,
    create_user,
    set_active,
    set_password,
    unlock,
)
from .lookups import unit_or_fail, user_or_fail
from .models import Role, Unit, User

units_cli = AppGroup("units", help="Units (wards, communes) of this deployment.")
departments_cli = AppGroup("departments", help="Departments of a unit.")
users_cli = AppGroup("users", help="User accounts.")


@units_cli.command("create")
@click.option("--code", required=True, help="Short code, lower-case letters, digits and '-' (e.g. gieng-day).")
@click.option("--name", required=True, help="Full name, e.g. 'UBND phường Giếng Đáy'.")
def units_create(code: str, name: str) -> None:
    """Create a unit."""
    try:
        create_unit(code, name)
    except AccountRefused as refused:
        raise click.ClickException(f"--code {code!r}: {refused.english}") from None
    click.echo(f"unit {code} created")


@units_cli.command("list")
def units_list() -> None:
    """List the units."""
    for unit in db.session.execute(select(Unit).order_by(Unit.code)).scalars():
        click.echo(f"{unit.code:<20} {unit.name}")


@departments_cli.command("list")
@click.option("--unit", "unit_code", required=True)
@click.option("--json", "as_json", is_flag=True)
def departments_list(unit_code: str, as_json: bool) -> None:
    """List a unit's departments (code and name)."""
    unit = unit_or_fail(unit_code)
    rows = [{"code": d.code, "name": d.name} for d in unit.departments]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            click.echo(f"{row['code']:<12} {row['name']}")


@departments_cli.command("create")
@click.option("--unit", "unit_code", required=True)
@click.option("--code", required=True)
@click.option("--name", required=True)
def departments_create(unit_code: str, code: str, name: str) -> None:
    """Create a department in a unit."""
    unit = unit_or_fail(unit_code)
    try:
        create_department(unit, code, name)
    except AccountRefused as refused:
        raise click.ClickException(f"--code {code!r}: {refused.english}") from None
    click.echo(f"department {code} created in unit {unit.code}")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted for when omitted.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.staff.value, show_default=True)
@click.option("--unit", "unit_code", required=True)
@click.option(
    "--department",
    "department_codes",
    multiple=True,
    help="A department code; repeat it, or separate codes with commas, for several.",
)
@click.option("--name", "full_name", default="", help="The person's full name.")
def users_create(
    username: str, password: str, role: str, unit_code: str, department_codes: tuple[str, ...], full_name: str
) -> None:
    """Create a user in a unit."""
    unit = unit_or_fail(unit_code)
    codes = [c.strip() for value in department_codes for c in value.split(",") if c.strip()]
    by_code = {d.code: d for d in unit.departments}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise click.ClickException(
            f"department(s) {', '.join(unknown)} do not exist in unit {unit.code}; "
            f"known: {', '.join(by_code) or '(none)'}"
        )
    try:
        create_user(
            unit, username, role=role, departments=[by_code[c] for c in codes], full_name=full_name, password=password
        )
    except AccountRefused as refused:
        value = f" {username!r}" if refused.field == "username" else ""
        raise click.ClickException(f"--{refused.field}{value}: {refused.english}") from None
    click.echo(f"user {username} ({role}) created in unit {unit.code}")


@users_cli.command("set-password")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted for when omitted.")
def users_set_password(username: str, password: str) -> None:
    """Set a user's password (e.g. a demo user whose printed password was lost): it signs the user out everywhere,
    revokes their API tokens and unlocks their sign-in."""
    user = user_or_fail(username)
    try:
        set_password(user, password)
    except AccountRefused as refused:
        raise click.ClickException(f"--password: {refused.english}") from None
    click.echo(f"password of {username} set")


@users_cli.command("unlock")
@click.option("--username", required=True)
def users_unlock(username: str) -> None:
    """Let a user held after too many failed sign-ins try again at once."""
    user = user_or_fail(username)
    cleared = unlock(user)
    click.echo(f"sign-in of {username} unlocked ({cleared} failed sign-in(s) forgotten)")


@users_cli.command("list")
@click.option("--unit", "unit_code", help="Only the users of this unit (its code).")
@click.option("--json", "as_json", is_flag=True)
def users_list(unit_code: str | None, as_json: bool) -> None:
    """Every user: username, role, unit, departments, whether the account is active."""
    query = select(User).join(Unit, User.unit_id == Unit.id).order_by(Unit.code, User.username)
    if unit_code:
        query = query.where(User.unit_id == unit_or_fail(unit_code).id)
    rows = [
        {
            "username": u.username,
            "role": u.role,
            "unit": u.unit.code,
            "departments": sorted(d.code for d in u.departments),
            "active": u.active,
        }
        for u in db.session.execute(query).scalars()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = "" if r["active"] else "  (disabled)"
        click.echo(f"{r['username']:<20} {r['role']:<9} {r['unit']:<16} {','.join(r['departments'])}{state}")


@users_cli.command("disable")
@click.option("--username", required=True)
def users_disable(username: str) -> None:
    """Stop a user from signing in (their sessions end; their documents and decisions stay)."""
    changed = set_active(user_or_fail(username), False)
    click.echo(f"user {username} disabled" if changed else f"user {username} was disabled already")


@users_cli.command("enable")
@click.option("--username", required=True)
def users_enable(username: str) -> None:
    """Let a disabled user sign in again."""
    changed = set_active(user_or_fail(username), True)
    click.echo(f"user {username} enabled" if changed else f"user {username} was active already")
