"""The submission pack: one folder per criterion with its approved documents under their original names, a
manifest (CSV and JSON) and the report, written as a stream — never the whole ZIP in memory — into a file that is
complete before anyone receives it."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.models import Unit, User
from ..catalog.models import ChecklistItem, Criterion, Index
from ..cells import csv_cell
from ..evidence.models import Decision, Document, Evidence, EvidenceState, Review
from ..extensions import db
from ..files import get_storage
from .exports import to_html, to_json, to_xlsx

CHUNK = 1024 * 1024
MANIFEST_COLUMNS = ["file", "sha256", "size", "number", "issue_date", "approver", "approved_at"]


class _Sink(io.RawIOBase):
    """Where zipfile writes; the generator hands out what accumulated after each piece."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def approved_documents(unit: Unit) -> list[tuple[str, Document, User, datetime]]:
    """(folder, document, approver, approved at) for every approved link of the unit, in criterion order."""
    rows = db.session.execute(
        select(Evidence, Criterion.code, Index.code, Review)
        .join(ChecklistItem, Evidence.item_id == ChecklistItem.id)
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .join(Index, Criterion.index_id == Index.id)
        .join(Document, Evidence.document_id == Document.id)
        .join(Review, (Review.evidence_id == Evidence.id) & (Review.decision == Decision.approved.value))
        .where(Index.unit_id == unit.id, Evidence.state == EvidenceState.approved.value, Document.deleted_at.is_(None))
        .order_by(Index.code, Index.year, Criterion.position, ChecklistItem.position, Evidence.id)
        .options(joinedload(Evidence.document), joinedload(Review.reviewer))
    ).all()
    return [
        (f"{index_code}-{criterion_code}", evidence.document, review.reviewer, review.created_at)
        for evidence, criterion_code, index_code, review in rows
    ]


# Names Windows cannot open, whatever the extension (a ward unzips the pack on a Windows PC).
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}


def _unique(folder: str, filename: str, taken: set[str]) -> str:
    """A name for the file in the pack that Windows can open, and unique in its folder whatever the case
    (`Case.pdf` beside `case.pdf` would overwrite one another when unzipped on Windows)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    stem = stem.rstrip(". ") or "tai-lieu"  # Windows drops trailing dots and spaces
    if stem.casefold() in WINDOWS_RESERVED:
        stem += "_"
    candidate, n = f"{folder}/{stem}{dot}{ext}", 2
    while candidate.casefold() in taken:
        candidate = f"{folder}/{stem} ({n}){dot}{ext}"
        n += 1
    taken.add(candidate.casefold())
    return candidate


def iter_pack(unit: Unit, report: dict) -> Iterator[bytes]:
    storage = get_storage()
    sink = _Sink()
    manifest = []
    taken: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for folder, document, approver, approved_at in approved_documents(unit):
            name = _unique(folder, document.filename, taken)
            info = zipfile.ZipInfo(name, date_time=document.uploaded_at.timetuple()[:6])
            info.compress_type = (
                zipfile.ZIP_STORED
                if document.content_type.startswith(("image/", "application/pdf"))
                else zipfile.ZIP_DEFLATED
            )
            with (
                storage.open(document.storage_key) as source,
                archive.open(info, "w", force_zip64=document.size > 2**31) as target,
            ):
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield sink.take()
            manifest.append(
                {
                    "file": name,
                    "sha256": document.sha256,
                    "size": document.size,
                    "number": document.number,
                    "issue_date": document.issue_date.isoformat() if document.issue_date else None,
                    "approver": approver.display_name,
                    "approved_at": approved_at.isoformat(),
                }
            )
            yield sink.take()
        table = io.StringIO()
        writer = csv.DictWriter(table, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in manifest)
        archive.writestr("manifest.csv", "\ufeff" + table.getvalue())
        archive.writestr(
            "manifest.json",
            json.dumps(
                # the audit chain's head, as in the report: an anchor for `minhchung audit verify --anchor`
                {"unit": unit.code, "audit_head": report["audit_head"], "files": manifest},
                ensure_ascii=False,
                indent=2,
            ),
        )
        archive.writestr("bao-cao.json", to_json(report))
        archive.writestr("bao-cao.xlsx", to_xlsx(report))
        archive.writestr("bao-cao.html", to_html(report))
    yield sink.take()


def build_pack(unit: Unit, report: dict, directory: Path) -> IO[bytes]:
    """The whole pack in a temporary file in `directory` (gone once closed), read from its start.

    Built before the answer begins: a store failing midway is an error page (HTTP 503), never a broken ZIP after
    HTTP 200, and a slow client only keeps a finished file open, not the building of it."""
    file = tempfile.TemporaryFile(dir=directory, prefix="pack-")
    try:
        for chunk in iter_pack(unit, report):
            file.write(chunk)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file
