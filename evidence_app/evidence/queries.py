"""Reading documents and evidence inside the signed-in user's unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.models import AuditEvent
from ..catalog.models import ChecklistItem
from ..extensions import db
from ..scoping import one_in_unit_or_404
from .models import Document, Evidence, EvidenceVersion, Review

SHOWN_METADATA = ("number", "issue_date", "sent_date", "issuer", "summary", "period_start", "period_end", "page_ref")


def document_in_unit(document_id: int) -> Document:
    return one_in_unit_or_404(
        select(Document).where(
            Document.id == document_id, Document.unit_id == current_user.unit_id, Document.deleted_at.is_(None)
        )
    )


def evidence_in_unit(evidence_id: int) -> Evidence:
    return one_in_unit_or_404(
        select(Evidence)
        .join(Document)
        .where(Evidence.id == evidence_id, Document.unit_id == current_user.unit_id, Document.deleted_at.is_(None))
    )


def evidence_of_item(item: ChecklistItem, *, newest_first: bool = False) -> list[Evidence]:
    """The documents offered for an item (deleted documents left out), with who uploaded and linked them."""
    order = (Evidence.linked_at.desc(), Evidence.id.desc()) if newest_first else (Evidence.linked_at, Evidence.id)
    statement = (
        select(Evidence)
        .join(Document, Evidence.document_id == Document.id)
        .where(Evidence.item_id == item.id, Document.deleted_at.is_(None))
        .order_by(*order)
        .options(selectinload(Evidence.document).selectinload(Document.uploaded_by), selectinload(Evidence.linked_by))
    )
    return list(db.session.execute(statement).scalars())


def links_of_document(document: Document) -> list[Evidence]:
    """Every item a document is offered for."""
    statement = (
        select(Evidence)
        .where(Evidence.document_id == document.id)
        .order_by(Evidence.id)
        .options(selectinload(Evidence.item), selectinload(Evidence.linked_by))
    )
    return list(db.session.execute(statement).scalars())


def reviews_by_evidence(evidence_ids: list[int]) -> dict[int, list[Review]]:
    """The decisions on these evidence rows (one per version at most), with their reviewers, oldest first."""
    found: dict[int, list[Review]] = {}
    statement = (
        select(Review)
        .where(Review.evidence_id.in_(evidence_ids))
        .order_by(Review.created_at, Review.id)
        .options(selectinload(Review.reviewer))
    )
    for review in db.session.execute(statement).scalars():
        found.setdefault(review.evidence_id, []).append(review)
    return found


def about_document(document_id: int):
    """The condition on audit events that selects a document's own events and those of its links."""
    evidence_ids = select(Evidence.id).where(Evidence.document_id == document_id)
    return ((AuditEvent.object_type == "document") & (AuditEvent.object_id == document_id)) | (
        (AuditEvent.object_type == "evidence") & AuditEvent.object_id.in_(evidence_ids)
    )


def audit_of_document(document: Document) -> list[AuditEvent]:
    """The audit trail of a document and of its links, oldest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.unit_id == current_user.unit_id, about_document(document.id))
        .order_by(AuditEvent.id)
    )
    return list(db.session.execute(statement).scalars())


def what_reviewers_see(document: Document) -> dict:
    """What a decision is taken on, beside the file itself (whose bytes never change): the document's metadata
    and the codes of the items it is offered for. Dates as ISO text (the shape kept in evidence_versions)."""
    shown: dict = {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name in SHOWN_METADATA
        for value in [getattr(document, name)]
    }
    shown["items"] = sorted(
        db.session.execute(
            select(ChecklistItem.code)
            .join(Evidence, Evidence.item_id == ChecklistItem.id)
            .where(Evidence.document_id == document.id)
        ).scalars()
    )
    return shown


def changes_since(evidence: Evidence, version: int) -> list[dict]:
    """What changed in what reviewers see of `evidence` since `version`, one `{"field", "old", "new"}` each (in
    the order of the review page); empty when that version was not kept (before migration 0011, or never was)."""
    then = db.session.execute(
        select(EvidenceVersion.shown).where(
            EvidenceVersion.evidence_id == evidence.id, EvidenceVersion.version == version
        )
    ).scalar_one_or_none()
    if then is None:
        return []
    now = what_reviewers_see(evidence.document)
    return [
        {"field": name, "old": then.get(name), "new": value} for name, value in now.items() if then.get(name) != value
    ]
