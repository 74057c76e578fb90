"""`minhchung upload`, `minhchung import` and `minhchung storage verify`."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..auth.models import User
from ..catalog.models import Area, ChecklistItem, Criterion, Index
from ..extensions import db
from ..files import get_storage, upload_tmp_dir
from .models import Document
from .operations import DocumentFields, UploadRefused, upload_document

storage_cli = AppGroup("storage", help="Prepare and check the store of evidence files.")
IGNORED_FILES = {".ds_store", "thumbs.db", "desktop.ini"}


def _user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise click.ClickException(f"user {username!r} does not exist or is disabled")
    return user


def _day(value: str | None, option: str):
    if not value:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise click.BadParameter(f"{value!r} is not a date: write it as DD/MM/YYYY (e.g. 14/03/2024)", param_hint=option)


@click.command("upload")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--item", "item_code", required=True, help="The checklist item the files prove, e.g. CCHC-1.1-a.")
@click.option("--user", "username", required=True, help="Who uploads (the files are recorded as theirs).")
@click.option("--number", help="Document number (số hiệu).")
@click.option("--date", "issue_date", help="Issue date, DD/MM/YYYY.")
@click.option("--issuer", help="Issuing body.")
@click.option("--summary", help="Summary (trích yếu).")
@click.option("--sent-date", help="For a report: the date it was sent, DD/MM/YYYY.")
@click.option("--period-from", help="Start of the period covered, DD/MM/YYYY.")
@click.option("--period-to", help="End of the period covered, DD/MM/YYYY.")
@click.option("--page-ref", help="The page or section that proves the criterion.")
def upload_command(files, item_code, username, number, issue_date, issuer, summary, sent_date, period_from, period_to, page_ref):
    """Upload FILES as evidence for one checklist item, through the same checks as the web."""
    user = _user(username)
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == user.unit_id,
                                                          ChecklistItem.code == item_code)).scalar_one_or_none()
    if item is None:
        raise click.ClickException(f"checklist item {item_code!r} does not exist in unit {user.unit.code} "
                                   f"(`minhchung catalog items --unit {user.unit.code}` lists them)")
    fields = DocumentFields(number=number, issue_date=_day(issue_date, "--date"), issuer=issuer, summary=summary,
                            sent_date=_day(sent_date, "--sent-date"), period_start=_day(period_from, "--period-from"),
                            period_end=_day(period_to, "--period-to"), page_ref=page_ref)
    refused = 0
    for path in files:
        try:
            result = upload_document(path, path.name, user=user, items=[item], fields=DocumentFields(**vars(fields)))
        except UploadRefused as exc:
            refused += 1
            click.echo(f"refused  {path}: {exc.message}", err=True)
            continue
        what = "already uploaded, linked" if result.deduplicated else "uploaded"
        click.echo(f"{what:<9}{path} → document {result.document.id} ({result.document.sha256[:12]})")
    if refused:
        raise SystemExit(1)


def _targets(unit_id: int):
    """Every way a folder may name where its files belong: item codes, and criteria as INDEX-1.2, INDEX/1.2
    or (when only one index has it) 1.2."""
    items = {i.code.lower(): i for i in db.session.execute(
        select(ChecklistItem).where(ChecklistItem.unit_id == unit_id)).scalars()}
    rows = db.session.execute(select(Criterion, Index.code).join(Area, Criterion.area_id == Area.id)
                              .join(Index, Area.index_id == Index.id).where(Index.unit_id == unit_id)).all()
    criteria: dict[str, list[Criterion]] = {}
    for criterion, index_code in rows:
        criteria.setdefault(f"{index_code}-{criterion.code}".lower(), []).append(criterion)
        criteria.setdefault(f"{index_code}/{criterion.code}".lower(), []).append(criterion)
        criteria.setdefault(criterion.code.lower(), []).append(criterion)
    return items, criteria


def _target_for(parts: list[str], items, criteria) -> tuple[ChecklistItem | None, str | None]:
    lowered = [p.lower() for p in parts]
    for part in reversed(lowered):
        if part in items:
            return items[part], None
    names = [f"{a}/{b}" for a, b in zip(lowered, lowered[1:])] + lowered
    for name in reversed(names):
        found = criteria.get(name)
        if not found:
            continue
        if len(found) > 1:
            return None, f"folder {name!r} names criterion {found[0].code} of several indices; name the folder INDEX-{found[0].code} (e.g. CCHC-{found[0].code})"
        criterion = found[0]
        if len(criterion.items) == 1:
            return criterion.items[0], None
        codes = ", ".join(i.code for i in criterion.items)
        return None, f"criterion {criterion.code} has {len(criterion.items)} checklist items; put the file in a folder named by one of them ({codes})"
    return None, "not in a folder named by a checklist item (e.g. CCHC-1.1-a) or a criterion code (e.g. CCHC-1.1)"


@click.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True)
@click.option("--user", "username", required=True, help="Who the files are recorded as uploaded by.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_command(directory: Path, unit_code: str, username: str, as_json: bool):
    """Import a folder tree of existing evidence: sub-folders named by criterion or checklist-item code.
    Running it again imports nothing twice."""
    user = _user(username)
    if user.unit.code != unit_code:
        raise click.ClickException(f"user {username!r} belongs to unit {user.unit.code}, not {unit_code}")
    items, criteria = _targets(user.unit_id)
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.is_symlink())
    report = {"imported": [], "linked": [], "already": [], "refused": [], "skipped": []}
    with click.progressbar(files, label="Importing", file=sys.stderr,
                           item_show_func=lambda p: p.name[:40] if p else "") as bar:
        for path in bar:
            relative = path.relative_to(directory)
            if path.name.lower() in IGNORED_FILES or any(p.startswith(".") for p in relative.parts):
                report["skipped"].append({"file": str(relative), "reason": "system or hidden file"})
                continue
            item, problem = _target_for(list(relative.parts[:-1]), items, criteria)
            if item is None:
                report["refused"].append({"file": str(relative), "reason": problem})
                continue
            try:
                result = upload_document(path, path.name, user=user, items=[item], fields=DocumentFields())
            except UploadRefused as exc:
                report["refused"].append({"file": str(relative), "reason": str(exc.message)})
                continue
            entry = {"file": str(relative), "item": item.code, "document": result.document.id}
            if not result.deduplicated:
                report["imported"].append(entry)
            elif result.new_links:
                report["linked"].append(entry)
            else:
                report["already"].append(entry)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{len(files)} files: {len(report['imported'])} imported, {len(report['linked'])} already stored and now "
                   f"linked to another item, {len(report['already'])} imported before, {len(report['refused'])} refused, "
                   f"{len(report['skipped'])} skipped")
        for entry in report["refused"]:
            click.echo(f"  refused  {entry['file']}: {entry['reason']}")
    if report["refused"]:
        raise SystemExit(1)


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
@click.option("--gc", is_flag=True, help="Remove orphaned objects (and stale temporary files) older than the grace period.")
@click.option("--grace-hours", default=24.0, show_default=True, help="Objects younger than this are never removed (uploads in flight).")
def verify_command(as_json: bool, gc: bool, grace_hours: float):
    """Re-hash every stored object; report missing, corrupt and orphaned ones."""
    storage = get_storage()
    expected: dict[str, list[int]] = {}
    documents = 0
    for doc_id, key, thumb, preview in db.session.execute(
            select(Document.id, Document.storage_key, Document.thumb_key, Document.preview_key)):
        documents += 1
        for k in (key, thumb, preview):
            if k:
                expected.setdefault(k, []).append(doc_id)
    stored = set(storage.iter_keys())
    missing = [{"key": k, "documents": ids} for k, ids in sorted(expected.items()) if k not in stored]
    corrupt = []
    for key in sorted(stored & expected.keys()):
        actual = storage.sha256_of(key)
        if actual != key.rsplit("/", 1)[-1]:  # the key is the hash of the bytes it must hold
            corrupt.append({"key": key, "documents": expected[key], "sha256": actual})
    cutoff = datetime.now(timezone.utc) - timedelta(hours=grace_hours)
    orphaned, removed = [], []
    for key in sorted(stored - expected.keys()):
        modified = storage.last_modified(key)
        orphaned.append({"key": key, "stored_at": modified.isoformat()})
        if gc and modified < cutoff:
            storage.delete(key)
            removed.append(key)
    stale_temp = _sweep_temp(cutoff.timestamp()) if gc else []
    report = {"documents": documents, "objects": len(stored), "missing": missing, "corrupt": corrupt,
              "orphaned": orphaned, "removed": removed, "temporary_files_removed": stale_temp}
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{documents} documents, {len(stored)} objects: {len(missing)} missing, {len(corrupt)} corrupt, "
                   f"{len(orphaned)} orphaned" + (f", {len(removed)} removed" if gc else ""))
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


def register(app) -> None:
    from ..audit.cli import audit_cli
    from .remind import remind_command

    app.cli.add_command(audit_cli)
    app.cli.add_command(remind_command)
    app.cli.add_command(upload_command)
    app.cli.add_command(import_command)
    app.cli.add_command(storage_cli)


__all__ = ["register"]
