"""What the pages and the API show of a document's reading: its state, the metadata proposed where it differs from
what was typed, its signatures in words, and the failed pre-checks per item."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from ...auth.models import Unit
from ...catalog.models import ChecklistItem, Criterion, Index
from ...dates import show_day
from ...extensions import db
from ..models import Document, Evidence, Review
from .models import DocumentReading, ReadingStatus
from .prechecks import Precheck, fold, prechecks, signature_summary

PROPOSED = {  # the proposals an uploader can take into the document's metadata, in the form's order
    "number": _l("Document number"),
    "issue_date": _l("Issue date"),
    "issuer": _l("Issued by"),
    "summary": _l("Summary"),
}


@dataclass
class Proposal:
    name: str
    label: str
    proposed: str  # as shown (a date as dd/mm/yyyy)
    value: str  # as the form takes it (a date as yyyy-mm-dd)
    typed: str  # what the document says now, as shown ("" if nothing)


@dataclass
class ReadingView:
    status: str  # pending, done, failed
    method: str | None = None
    confidence: float | None = None
    pages: int | None = None
    error: str | None = None
    signatures: list[str] = field(default_factory=list)  # one line each
    unsigned_pdf: bool = False  # a PDF read and found without any digital signature
    proposals: list[Proposal] = field(default_factory=list)  # where the document says something else than typed
    details: dict[str, str] = field(default_factory=dict)  # type, place, signer as read (shown, not proposed)
    prechecks: dict[int, list[Precheck]] = field(default_factory=dict)  # by evidence id

    @property
    def pending(self) -> bool:
        return self.status == ReadingStatus.pending.value

    def edit_args(self, document: Document, metadata: tuple[str, ...]) -> dict[str, str]:
        """The edit form's query, filled with what the document says now and the proposals over it: the form
        opens with them for the uploader to check, correct and save (a proposal is never stored unseen)."""
        args = {}
        for name in metadata:
            value = getattr(document, name)
            if value is not None:
                args[name] = value.isoformat() if isinstance(value, date) else str(value)
        args.update({p.name: p.value for p in self.proposals})
        return args

    @property
    def failed_prechecks(self) -> list[Precheck]:
        seen: dict[str, Precheck] = {}
        for found in self.prechecks.values():
            for check in found:
                seen.setdefault(check.code, check)
        return list(seen.values())


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return ""
    if name == "issue_date":
        return show_day(value if isinstance(value, date) else date.fromisoformat(value))
    return str(value)


def index_years(links: list[Evidence]) -> dict[int, int]:
    """The assessment year of each linked item (its index's year), by item id."""
    criterion_index = {link.item_id: link.item.criterion.index_id for link in links}
    years = dict(
        db.session.execute(db.select(Index.id, Index.year).where(Index.id.in_(set(criterion_index.values())))).all()
    )
    return {item_id: years[index_id] for item_id, index_id in criterion_index.items()}


def reading_view(document: Document, links: list[Evidence]) -> ReadingView | None:
    """None when the document was never given to reading (reading switched off)."""
    reading = db.session.get(DocumentReading, document.id)
    if reading is None:
        return None
    view = ReadingView(
        status=reading.status,
        method=reading.method,
        confidence=reading.confidence,
        pages=reading.pages,
        error=reading.error,
    )
    if reading.status != ReadingStatus.done.value:
        return view
    view.signatures = signature_summary(reading)
    view.unsigned_pdf = document.is_pdf and not reading.signatures
    proposals = reading.proposals or {}
    for name, label in PROPOSED.items():
        proposed = proposals.get(name)
        if not proposed:
            continue
        typed = _shown(name, getattr(document, name))
        shown = _shown(name, proposed)
        if fold(shown) != fold(typed):  # the same but for accents or case (OCR drops them): what was typed stands
            view.proposals.append(Proposal(name, str(label), shown, str(proposed), typed))
    for name, label in (
        ("doc_type", _l("Document type")),
        ("place", _l("Place of issue")),
        ("signer", _l("Signed by")),
    ):
        if proposals.get(name):
            position = proposals.get("signer_position") if name == "signer" else None
            view.details[str(label)] = f"{proposals[name]}{f' ({position})' if position else ''}"
    view.prechecks = prechecks_of_links(links)
    return view


def prechecks_of_links(links: list[Evidence], cutoff: datetime | None = None) -> dict[int, list[Precheck]]:
    """The failed pre-checks of each link (by evidence id; links without any are left out), in a few queries:
    for the review queue, the item page and the report (`cutoff`: only what had been read by then)."""
    if not links:
        return {}
    read = db.select(DocumentReading).where(DocumentReading.document_id.in_({link.document_id for link in links}))
    if cutoff is not None:
        read = read.where(DocumentReading.read_at < cutoff)
    readings = {r.document_id: r for r in db.session.execute(read).scalars()}
    units = {
        u.id: u
        for u in db.session.execute(
            db.select(Unit).where(Unit.id.in_({link.document.unit_id for link in links}))
        ).scalars()
    }
    years = index_years(links)
    found = {}
    for link in links:
        checks = prechecks(
            link.document, readings.get(link.document_id), link.item, units[link.document.unit_id], years[link.item_id]
        )
        if checks:
            found[link.id] = checks
    return found


def flagged_items(index_ids: list[int], cutoff: datetime) -> set[int]:
    """The items of these indices whose every version awaiting review at `cutoff` failed a pre-check (read by
    then): the report counts them at risk, like a document sent back, until a reviewer decides. Only documents
    already read are loaded, so a unit without readings costs one empty query."""
    reviewed = db.select(Review.id).where(Review.evidence_id == Evidence.id, Review.created_at < cutoff)
    links = (
        db.session.execute(
            db.select(Evidence)
            .join(Document, Evidence.document_id == Document.id)
            .join(ChecklistItem, Evidence.item_id == ChecklistItem.id)
            .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
            .join(DocumentReading, DocumentReading.document_id == Document.id)
            .where(
                Criterion.index_id.in_(index_ids),
                Evidence.linked_at < cutoff,
                ~reviewed.exists(),
                or_(Document.deleted_at.is_(None), Document.deleted_at >= cutoff),
                DocumentReading.status == ReadingStatus.done.value,
                DocumentReading.read_at < cutoff,
            )
            .options(selectinload(Evidence.document), selectinload(Evidence.item))
        )
        .scalars()
        .all()
    )
    if not links:
        return set()
    found = prechecks_of_links(list(links), cutoff)
    undecided = _all_undecided(index_ids, cutoff, {link.item_id for link in links})
    flagged = defaultdict(list)
    for link in links:
        flagged[link.item_id].append(link.id in found)
    return {item_id for item_id, checks in flagged.items() if all(checks) and len(checks) == undecided[item_id]}


def _all_undecided(index_ids: list[int], cutoff: datetime, item_ids: set[int]) -> dict[int, int]:
    """How many versions await review at `cutoff` per item, read or not (an unread one is not flagged)."""
    reviewed = db.select(Review.id).where(Review.evidence_id == Evidence.id, Review.created_at < cutoff)
    rows = db.session.execute(
        db.select(Evidence.item_id, func.count())
        .join(Document, Evidence.document_id == Document.id)
        .where(
            Evidence.item_id.in_(item_ids),
            Evidence.linked_at < cutoff,
            ~reviewed.exists(),
            or_(Document.deleted_at.is_(None), Document.deleted_at >= cutoff),
        )
        .group_by(Evidence.item_id)
    ).all()
    return dict(rows)
