"""`minhchung storage init` and `storage verify`: the store of evidence files, checked against the documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask.cli import AppGroup

from ..files import get_storage, upload_tmp_dir
from .storage_check import check_store

storage_cli = AppGroup("storage", help="Prepare and check the store of evidence files.")


@storage_cli.command("init")
def init_command():
    """Prepare the store named by STORAGE_URL: create the S3 bucket if it is missing (a local store needs nothing)."""
    storage = get_storage()
    create = getattr(storage, "create_bucket_if_missing", None)
    if create is not None:
        create()
    click.echo(f"Storage ready: {storage!r}")


@storage_cli.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--gc", is_flag=True, help="Remove orphaned objects (and stale temporary files) older than the grace period."
)
@click.option(
    "--grace-hours",
    default=24.0,
    show_default=True,
    help="Objects younger than this are never removed (uploads in flight).",
)
def verify_command(as_json: bool, gc: bool, grace_hours: float):
    """Re-hash every stored object; report missing, corrupt and orphaned ones."""
    storage = get_storage()
    check = check_store()
    documents, stored, expected = check.documents, check.stored, check.expected
    missing, corrupt = check.missing, check.corrupt
    cutoff = datetime.now(UTC) - timedelta(hours=grace_hours)
    orphaned, removed = [], []
    for key in sorted(stored - expected.keys()):
        modified = storage.last_modified(key)
        orphaned.append({"key": key, "stored_at": modified.isoformat()})
        if gc and modified < cutoff:
            storage.delete(key)
            removed.append(key)
    stale_temp = _sweep_temp(cutoff.timestamp()) if gc else []
    report = {
        "documents": documents,
        "objects": len(stored),
        "missing": missing,
        "corrupt": corrupt,
        "orphaned": orphaned,
        "removed": removed,
        "temporary_files_removed": stale_temp,
    }
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"{documents} documents, {len(stored)} objects: {len(missing)} missing, {len(corrupt)} corrupt, "
            f"{len(orphaned)} orphaned" + (f", {len(removed)} removed" if gc else "")
        )
        for entry in missing:
            click.echo(f"  missing  {entry['key']} (documents {', '.join(map(str, entry['documents']))})")
        for entry in corrupt:
            click.echo(f"  corrupt  {entry['key']} (documents {', '.join(map(str, entry['documents']))})")
    if missing or corrupt:
        raise SystemExit(1)


def _sweep_temp(older_than: float) -> list[str]:
    """Temporary files of uploads that never finished (a worker killed mid-upload)."""
    removed = []
    directories = [upload_tmp_dir()]
    root = getattr(get_storage(), "root", None)
    if root:
        directories.append(Path(root) / ".tmp")
    for directory in directories:
        for path in Path(directory).glob("*"):
            if path.is_file() and path.stat().st_mtime < older_than:
                path.unlink(missing_ok=True)
                removed.append(str(path))
    return removed
