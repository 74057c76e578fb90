"""The submission pack of a cycle as of a day: per index of the cycle (CCHC-2024/, QN-DTI-2024/…) one folder per
criterion with the documents approved by the end of that day, under their original names; the leader's signed
self-assessment dossier; a manifest (CSV and JSON) with each document's number, date, summary and page, and each
criterion's self-score and giải trình as they stood that day; and the report. Written as a stream — never the whole
ZIP in memory — into a file that is complete before anyone receives it."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.models import Unit, User
from ..catalog.models import Area, ChecklistItem, Criterion, Index
from ..cells import csv_cell
from ..evidence.models import Decision, Document, Evidence, Review
from ..evidence.operations import DocumentFields, metadata_as_of
from ..evidence.reading.models import DocumentReading, ReadingStatus
from ..extensions import db
from ..files import get_storage
from .exports import to_html, to_json, to_xlsx
from .models import SignedDossier
from .queries import end_of_day, self_assessments

CHUNK = 1024 * 1024
MANIFEST_COLUMNS = [
    "file",
    "index",
    "year",
    "criterion",
    "item",
    "number",
    "issue_date",
    "summary",
    "page_ref",
    "self_score",
    "explanation",
    "sha256",
    "size",
    "approver",
    "approved_at",
    "signatures",
]
# What the manifest says of each digital signature read from a document (evidence/reading/signatures.py).
SIGNATURE_KEYS = ("signer", "organisation", "signed_at", "intact", "modified_after", "chain")
SIGNED_DOSSIER_FOLDER = "ho-so-tu-danh-gia-da-ky"  # beside the criteria's folders of its index


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


class NoCycle(LookupError):
    """The unit has no index for the year asked."""


def cycle_indices(unit: Unit, as_of: date, year: int | None = None) -> list[Index]:
    """The indices of the cycle a day belongs to, one per index code: the given year's; without a year, the
    earliest whose assessment is on or after the day (the cycle under way), or else the latest (closed)."""
    indices = db.session.execute(
        select(Index).where(Index.unit_id == unit.id).order_by(Index.code, Index.year)
    ).scalars()
    by_code: dict[str, list[Index]] = {}
    for index in indices:
        by_code.setdefault(index.code, []).append(index)
    chosen = []
    for years in by_code.values():
        if year is not None:
            chosen.extend(i for i in years if i.year == year)
        else:
            chosen.append(next((i for i in years if i.assessment_date >= as_of), years[-1]))
    if year is not None and not chosen:
        raise NoCycle(year)
    return chosen


@dataclass
class PackEntry:
    """One approved document of a criterion, as the pack holds it: its path in the ZIP and its metadata as they
    stood at the end of the pack's day."""

    path: str
    document: Document
    fields: DocumentFields
    index: Index
    criterion_id: int
    criterion_code: str
    item_code: str
    approver: User
    approved_at: datetime


def pack_entries(indices: list[Index], as_of: date) -> list[PackEntry]:
    """Every document approved by the end of `as_of` for a criterion of `indices`, in criterion order, each with
    the path it has in the pack (`CCHC-2024/1.3/Kế hoạch.pdf`): the one naming rule of the pack and of the
    self-assessment dossier that points into it."""
    cutoff = end_of_day(as_of)
    by_id = {index.id: index for index in indices}
    rows = db.session.execute(
        select(Evidence, Criterion.id, Criterion.code, Criterion.index_id, ChecklistItem.code, Review)
        .join(ChecklistItem, Evidence.item_id == ChecklistItem.id)
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .join(Document, Evidence.document_id == Document.id)
        .join(Area, Criterion.area_id == Area.id)
        .join(Review, (Review.evidence_id == Evidence.id) & (Review.decision == Decision.approved.value))
        .where(Criterion.index_id.in_(by_id), Review.created_at < cutoff, Document.deleted_at.is_(None))
        .order_by(Criterion.index_id, Area.position, Criterion.position, ChecklistItem.position, Evidence.id)
        .options(joinedload(Evidence.document), joinedload(Review.reviewer))
    ).all()
    taken: set[str] = set()
    order = {index.id: n for n, index in enumerate(sorted(indices, key=lambda i: (i.code, i.year)))}
    rows.sort(key=lambda row: order[row[3]])  # stable: the criterion order inside each index stays
    return [
        PackEntry(
            path=_unique(f"{cycle_folder(by_id[index_id])}/{criterion_code}", evidence.document.filename, taken),
            document=evidence.document,
            fields=metadata_as_of(evidence.document, cutoff),
            index=by_id[index_id],
            criterion_id=criterion_id,
            criterion_code=criterion_code,
            item_code=item_code,
            approver=review.reviewer,
            approved_at=review.created_at,
        )
        for evidence, criterion_id, criterion_code, index_id, item_code, review in rows
    ]


def cycle_folder(index: Index) -> str:
    return f"{index.code}-{index.year}"


def signed_dossiers(indices: list[Index], as_of: date | None = None) -> list[SignedDossier]:
    """The signed dossiers of `indices` uploaded by the end of `as_of` (by now without it), oldest first."""
    statement = (
        select(SignedDossier)
        .join(Document, SignedDossier.document_id == Document.id)
        .where(SignedDossier.index_id.in_([i.id for i in indices]), Document.deleted_at.is_(None))
        .order_by(SignedDossier.uploaded_at, SignedDossier.id)
        .options(joinedload(SignedDossier.document), joinedload(SignedDossier.index))
    )
    if as_of is not None:
        statement = statement.where(SignedDossier.uploaded_at < end_of_day(as_of))
    return list(db.session.execute(statement).scalars())


def latest_signed_dossiers(indices: list[Index], as_of: date) -> list[SignedDossier]:
    """Per index, the latest dossier signed and uploaded by the end of `as_of` (none if none was)."""
    latest = {row.index_id: row for row in signed_dossiers(indices, as_of)}
    return [latest[i.id] for i in indices if i.id in latest]


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


def _num(value) -> float | None:
    return None if value is None else float(value)


def signatures_read(documents: list[Document]) -> dict[int, list[dict]]:
    """Per document whose reading is done, the signatures found in it (an empty list: none); a document not read,
    still being read or whose reading failed is absent, so that the manifest says "not known" rather than "none"."""
    ids = {document.id for document in documents}
    if not ids:
        return {}
    rows = db.session.execute(
        select(DocumentReading.document_id, DocumentReading.signatures).where(
            DocumentReading.document_id.in_(ids), DocumentReading.status == ReadingStatus.done.value
        )
    ).all()
    return {
        document_id: [{key: signature.get(key) for key in SIGNATURE_KEYS} for signature in signatures or []]
        for document_id, signatures in rows
    }


def signatures_cell(signatures: list[dict] | None) -> str:
    """The manifest CSV's one cell for a document's signatures: "" not read, "none", or one
    "signer | organisation | signed_at | intact | unmodified | chain" per signature, separated by "; "."""
    if signatures is None:
        return ""
    if not signatures:
        return "none"
    return "; ".join(
        " | ".join(
            [
                s["signer"] or "?",
                s["organisation"] or "",
                s["signed_at"] or "",
                "intact" if s["intact"] else "NOT INTACT",
                "MODIFIED AFTER SIGNING" if s["modified_after"] else "unmodified",
                f"chain {s['chain']}",
            ]
        )
        for s in signatures
    )


def iter_pack(unit: Unit, report: dict, indices: list[Index]) -> Iterator[bytes]:
    """The pack of `indices` (one cycle: see `cycle_indices`) as of the report's day."""
    as_of = date.fromisoformat(report["as_of"])
    storage = get_storage()
    sink = _Sink()
    entries = pack_entries(indices, as_of)
    standing = self_assessments([i.id for i in indices], end_of_day(as_of))
    manifest = []
    taken = {entry.path.casefold() for entry in entries}
    signed = [
        (_unique(f"{cycle_folder(row.index)}/{SIGNED_DOSSIER_FOLDER}", row.document.filename, taken), row.document)
        for row in latest_signed_dossiers(indices, as_of)
    ]
    signatures = signatures_read([entry.document for entry in entries] + [document for _, document in signed])
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        files = [(entry.path, entry.document) for entry in entries] + signed
        for name, document in files:
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
            yield sink.take()
        for entry in entries:
            assessed = standing.get(entry.criterion_id)
            manifest.append(
                {
                    "file": entry.path,
                    "index": entry.index.code,
                    "year": entry.index.year,
                    "criterion": entry.criterion_code,
                    "item": entry.item_code,
                    "number": entry.fields.number,
                    "issue_date": entry.fields.issue_date.isoformat() if entry.fields.issue_date else None,
                    "summary": entry.fields.summary,
                    "page_ref": entry.fields.page_ref,
                    "self_score": None if assessed is None else _num(assessed.score),
                    "explanation": None if assessed is None else assessed.explanation,
                    "sha256": entry.document.sha256,
                    "size": entry.document.size,
                    "approver": entry.approver.display_name,
                    "approved_at": entry.approved_at.isoformat(),
                    "signatures": signatures.get(entry.document.id),  # None: not read (yet)
                }
            )
        criteria = db.session.execute(
            select(Criterion.id, Criterion.code, Criterion.title, Criterion.max_points, Index.code, Index.year)
            .join(Index, Criterion.index_id == Index.id)
            .join(Area, Criterion.area_id == Area.id)
            .where(Index.id.in_([i.id for i in indices]))
            .order_by(Index.code, Index.year, Area.position, Criterion.position)
        ).all()
        table = io.StringIO()
        writer = csv.DictWriter(table, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(
            {key: csv_cell(signatures_cell(value) if key == "signatures" else value) for key, value in row.items()}
            for row in manifest
        )
        archive.writestr("manifest.csv", "\ufeff" + table.getvalue())
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "unit": unit.code,
                    "as_of": report["as_of"],
                    "cycle": [{"index": i.code, "year": i.year, "folder": cycle_folder(i)} for i in indices],
                    # the audit chain's head, as in the report: an anchor for `minhchung audit verify --anchor`
                    "audit_head": report["audit_head"],
                    "files": manifest,
                    "self_assessment": [
                        {
                            "index": index_code,
                            "year": year,
                            "criterion": code,
                            "title": title,
                            "max": _num(max_points),
                            "self_score": _num(standing[cid].score) if cid in standing else None,
                            "explanation": standing[cid].explanation if cid in standing else None,
                        }
                        for cid, code, title, max_points, index_code, year in criteria
                    ],
                    "signed_dossiers": [name for name, _ in signed],
                    "signed_dossier_signatures": {name: signatures.get(document.id) for name, document in signed},
                },
                ensure_ascii=False,
                indent=2,
            ),
        )
        archive.writestr("bao-cao.json", to_json(report))
        archive.writestr("bao-cao.xlsx", to_xlsx(report))
        archive.writestr("bao-cao.html", to_html(report))
    yield sink.take()


def build_pack(unit: Unit, report: dict, indices: list[Index], directory: Path) -> IO[bytes]:
    """The whole pack in a temporary file in `directory` (gone once closed), read from its start.

    Built before the answer begins: a store failing midway is an error page (HTTP 503), never a broken ZIP after
    HTTP 200, and a slow client only keeps a finished file open, not the building of it."""
    file = tempfile.TemporaryFile(dir=directory, prefix="pack-")
    try:
        for chunk in iter_pack(unit, report, indices):
            file.write(chunk)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file
