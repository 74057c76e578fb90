"""`minhchung audit verify`: walk the hash chain; any altered or removed event breaks it."""

import click
from flask.cli import AppGroup

from . import verify_chain

audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check that no audit event was altered or removed."""
    checked, broken = verify_chain()
    if broken is not None:
        click.echo(
            f"audit trail BROKEN at event {broken}: it or an event before it was altered or removed "
            f"({checked} events intact before it)",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"audit trail intact: {checked} events")
