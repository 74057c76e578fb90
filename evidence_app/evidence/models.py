"""Uploaded documents, their links to checklist items, and the reviewers' decisions on them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..catalog.models import ChecklistItem
from ..extensions import db
from ..history import ChangeLog, append_only
from ..sqltypes import UTCDateTime, utcnow
from .filecheck.kinds import LABELS_BY_CONTENT_TYPE, OFFICE_TEXT_TYPES


class Document(db.Model):
    """One uploaded file and what an appraiser checks on it. The bytes live in storage under `storage_key`;
    the row never holds them."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(400))
    page_count: Mapped[int | None] = mapped_column(Integer)
    thumb_key: Mapped[str | None] = mapped_column(String(200))  # images: a small copy without metadata
    preview_key: Mapped[str | None] = mapped_column(String(200))  # images: a screen-sized copy without metadata
    captured_at: Mapped[datetime | None] = mapped_column(
        DateTime
    )  # a photo's EXIF capture time, as the camera wrote it
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    number: Mapped[str | None] = mapped_column(String(100))  # số hiệu (the dispatch number of a report)
    issue_date: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)  # trích yếu
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    page_ref: Mapped[str | None] = mapped_column(String(200))
    sent_date: Mapped[date | None] = mapped_column(Date)  # when a periodic report was sent: decides timeliness
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the report skips the few deleted

    uploaded_by: Mapped[User] = relationship()
    links: Mapped[list[Evidence]] = relationship(back_populates="document")

    @property
    def is_image(self) -> bool:
        return self.preview_key is not None

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def kind_label(self) -> str:
        """What kind of file it is, as people name it ("PDF", "Word (.docx)"), not its media type."""
        return LABELS_BY_CONTENT_TYPE.get(self.content_type, self.content_type)

    @property
    def is_office_text(self) -> bool:
        """Word and Excel files, previewed as their text and tables (office_previews.py)."""
        return self.content_type in OFFICE_TEXT_TYPES


class EvidenceState(str, enum.Enum):
    submitted = "submitted"
    approved = "approved"
    changes_requested = "changes_requested"


class Evidence(db.Model):
    """A document offered as proof of one checklist item, with the state of its review."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("document_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"), index=True)
    state: Mapped[str] = mapped_column(String(24), default=EvidenceState.submitted.value)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))  # the earlier version sent back
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # What a decision must name: it moves on with every change of what a reviewer sees (the document's metadata
    # and links, evidence/operations.py) and with the decision itself. Compare-and-set on every UPDATE: two
    # writers that read the same version cannot both write (the second one fails).
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    document: Mapped[Document] = relationship(back_populates="links")
    item: Mapped[ChecklistItem] = relationship()
    linked_by: Mapped[User] = relationship()


class DocumentHistory(ChangeLog, db.Model):
    """Undo log of a document's metadata (see evidence_app/history.py): every field an uploader can edit, as it
    was before the edit at `changed_at`. Above all `sent_date`, which decides whether a periodic report was
    sent on time. Written by `update_document`."""

    __tablename__ = "document_history"
    __table_args__ = (Index("ix_document_history_document_id_changed_at", "document_id", "changed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    number: Mapped[str | None] = mapped_column(String(100))
    issue_date: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    page_ref: Mapped[str | None] = mapped_column(String(200))
    sent_date: Mapped[date | None] = mapped_column(Date)


append_only(DocumentHistory)


class EvidenceVersion(db.Model):
    """What a reviewer saw of one version of the evidence (the document's metadata and the items it is offered
    for, `evidence.queries.what_reviewers_see`), kept so that a decision naming an older version can say what
    changed since. Written with every new version of a link awaiting review."""

    __tablename__ = "evidence_versions"
    __table_args__ = (UniqueConstraint("evidence_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    version: Mapped[int] = mapped_column(Integer)
    shown: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


append_only(EvidenceVersion)


# A reviewer's decision sits beside the evidence it decides: one per version, final (reviews.evidence_id is
# unique; docs/decisions/0002-one-review-per-version.md).
class Decision(str, enum.Enum):
    approved = "approved"
    changes_requested = "changes_requested"


class Review(db.Model):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True, unique=True)  # a decision is final
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    decision: Mapped[str] = mapped_column(String(24))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evidence: Mapped[Evidence] = relationship()
    reviewer: Mapped[User] = relationship()
