"""What was read from a document: one row per document, written by jobs.read_document."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ...sqltypes import UTCDateTime, utcnow


class ReadingStatus(str, enum.Enum):
    pending = "pending"  # queued or being read: the page shows "đang đọc tài liệu…"
    done = "done"
    failed = "failed"  # every attempt failed; the document is unaffected, `error` says why


class DocumentReading(db.Model):
    """The text, proposed metadata and signatures of one document. Never sent anywhere: it stays in the database."""

    __tablename__ = "document_readings"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=ReadingStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[str | None] = mapped_column(String(16))  # text (a PDF's text layer), ocr, office, none
    language: Mapped[str | None] = mapped_column(String(16))  # Tesseract's language data used, or "vie" guessed
    confidence: Mapped[float | None] = mapped_column(Float)  # OCR: mean word confidence 0–100; None for text layers
    pages: Mapped[int | None] = mapped_column(Integer)
    page_confidences: Mapped[list | None] = mapped_column(JSON)  # OCR: one confidence per page
    text: Mapped[str | None] = mapped_column(Text)
    # number, issue_date (ISO), issuer, summary, doc_type, place, signer, signer_position: what the text says,
    # offered to the uploader, never written into the document without them
    proposals: Mapped[dict | None] = mapped_column(JSON)
    signatures: Mapped[list | None] = mapped_column(JSON)  # one dict per signature (signatures.py)
    error: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
