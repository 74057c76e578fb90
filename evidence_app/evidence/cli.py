"""`minhchung upload` and `minhchung import`: evidence from the command line, through the same checks as the web."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from .. import clock
from ..auth.models import User
from ..catalog.models import Area, ChecklistItem, Criterion, Index
from ..dates import DAY
from ..extensions import db
from .models import Document
from .operations import METADATA, DocumentFields, UploadRefused, update_document, upload_document
from .reading.models import DocumentReading, ReadingStatus

FILLED_FROM_THE_DOCUMENT = ("number", "issue_date", "issuer", "summary")

IGNORED_FILES = {".ds_store", "thumbs.db", "desktop.ini"}


def _read_here() -> bool:
    """A command reads each new document itself, before it goes on (it has no server thread to leave it to, and
    the details it fills come from the reading); with reading off, nothing is read."""
    if current_app.config["READING_MODE"] == "off":
        return False
    current_app.config["READING_MODE"] = "inline"
    return True


def fill_from_reading(document: Document, user: User) -> list[str]:
    """What the document itself says, where the command was given nothing: its number, date, issuer and summary
    (the names of the fields filled)."""
    reading = db.session.get(DocumentReading, document.id)
    if reading is None or reading.status != ReadingStatus.done.value or not reading.proposals:
        return []
    fields = DocumentFields(**{name: getattr(document, name) for name in METADATA})
    filled = []
    for name in FILLED_FROM_THE_DOCUMENT:
        proposed = reading.proposals.get(name)
        if getattr(fields, name) or not proposed:
            continue
        if name == "issue_date":
            try:
                proposed = date.fromisoformat(proposed)
            except ValueError:
                continue
            if proposed > clock.today():  # a misread year: never a date in the future
                continue
        setattr(fields, name, proposed)
        filled.append(name)
    if filled:
        update_document(document, fields, user)
    return filled


def _user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise click.ClickException(f"user {username!r} does not exist or is disabled")
    return user


@click.command("upload")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--item", "item_code", required=True, help="The checklist item the files prove, e.g. CCHC-1.1-a.")
@click.option("--user", "username", required=True, help="Who uploads (the files are recorded as theirs).")
@click.option("--number", help="Document number (số hiệu).")
@click.option("--date", "issue_date", type=DAY, help="Issue date, DD/MM/YYYY.")
@click.option("--issuer", help="Issuing body.")
@click.option("--summary", help="Summary (trích yếu).")
@click.option("--sent-date", type=DAY, help="For a report: the date it was sent, DD/MM/YYYY.")
@click.option("--period-from", type=DAY, help="Start of the period covered, DD/MM/YYYY.")
@click.option("--period-to", type=DAY, help="End of the period covered, DD/MM/YYYY.")
@click.option("--page-ref", help="The page or section that proves the criterion.")
def upload_command(
    files, item_code, username, number, issue_date, issuer, summary, sent_date, period_from, period_to, page_ref
):
    """Upload FILES as evidence for one checklist item, through the same checks as the web."""
    user = _user(username)
    item = db.session.execute(
        select(ChecklistItem).where(ChecklistItem.unit_id == user.unit_id, ChecklistItem.code == item_code)
    ).scalar_one_or_none()
    if item is None:
        raise click.ClickException(
            f"checklist item {item_code!r} does not exist in unit {user.unit.code} "
            f"(`minhchung catalog items --unit {user.unit.code}` lists them)"
        )
    fields = DocumentFields(
        number=number,
        issue_date=issue_date,
        issuer=issuer,
        summary=summary,
        sent_date=sent_date,
        period_start=period_from,
        period_end=period_to,
        page_ref=page_ref,
    )
    refused = 0
    reading = _read_here()
    for path in files:
        try:
            result = upload_document(path, path.name, user=user, items=[item], fields=DocumentFields(**vars(fields)))
        except UploadRefused as exc:
            refused += 1
            click.echo(f"refused  {path}: {exc.message}", err=True)
            continue
        what = "already uploaded, linked" if result.deduplicated else "uploaded"
        filled = fill_from_reading(result.document, user) if reading and not result.deduplicated else []
        note = f"; from the document: {', '.join(filled)}" if filled else ""
        click.echo(f"{what:<9}{path} → document {result.document.id} ({result.document.sha256[:12]}){note}")
    if refused:
        raise SystemExit(1)


def _targets(unit_id: int):
    """Every way a folder may name where its files belong: item codes, and criteria as INDEX-1.2, INDEX/1.2
    or (when only one index has it) 1.2."""
    items = {
        i.code.lower(): i
        for i in db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == unit_id)).scalars()
    }
    rows = db.session.execute(
        select(Criterion, Index.code)
        .join(Area, Criterion.area_id == Area.id)
        .join(Index, Area.index_id == Index.id)
        .where(Index.unit_id == unit_id)
    ).all()
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
            return (
                None,
                f"folder {name!r} names criterion {found[0].code} of several indices; name the folder INDEX-{found[0].code} (e.g. CCHC-{found[0].code})",
            )
        criterion = found[0]
        if len(criterion.items) == 1:
            return criterion.items[0], None
        codes = ", ".join(i.code for i in criterion.items)
        return (
            None,
            f"criterion {criterion.code} has {len(criterion.items)} checklist items; put the file in a folder named by one of them ({codes})",
        )
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
    reading = _read_here()
    with click.progressbar(
        files, label="Importing", file=sys.stderr, item_show_func=lambda p: p.name[:40] if p else ""
    ) as bar:
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
                if reading:
                    entry["filled"] = fill_from_reading(result.document, user)
                report["imported"].append(entry)
            elif result.new_links:
                report["linked"].append(entry)
            else:
                report["already"].append(entry)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"{len(files)} files: {len(report['imported'])} imported, {len(report['linked'])} already stored and now "
            f"linked to another item, {len(report['already'])} imported before, {len(report['refused'])} refused, "
            f"{len(report['skipped'])} skipped"
        )
        for entry in report["refused"]:
            click.echo(f"  refused  {entry['file']}: {entry['reason']}")
    if report["refused"]:
        raise SystemExit(1)
