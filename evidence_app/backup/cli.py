"""`minhchung backup --out DIR` and `minhchung restore DIR` (the order and the folder: docs/production.md)."""

from __future__ import annotations

from pathlib import Path

import click

from . import BackupError, backup, restore


@click.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new or empty folder: the database dump, the files, backup.json.",
)
def backup_command(out: Path) -> None:
    """Back up the database (first) and every file its documents refer to into a new folder."""
    try:
        description = backup(out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    counts = ", ".join(f"{n} {table}" for table, n in description["counts"].items())
    head = description["audit_head"]
    click.echo(
        f"Backed up into {out}: {description['database']} database ({counts}), "
        f"{description['files']['count']} files ({description['files']['bytes']} bytes); "
        f"audit head: {head['events']} events, last {head['last_id']}"
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(folder: Path) -> None:
    """Restore a backup into an EMPTY database and store, then check the files and the audit chain."""
    try:
        result = restore(folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    counts = ", ".join(f"{n} {table}" for table, n in result.description["counts"].items())
    click.echo(f"Restored {folder} (taken {result.description['time']}): {counts}, {result.files} files")
    click.echo("storage verify: " + ("ok" if not result.store_problems else "FAILED"))
    for problem in result.store_problems:
        click.echo(f"  {problem}", err=True)
    click.echo("audit verify: " + ("ok, the chain holds the backup's head" if not result.chain_problems else "FAILED"))
    for problem in result.chain_problems:
        click.echo(f"  {problem}", err=True)
    if not result.ok:
        raise SystemExit(1)
