"""The signed self-assessment dossiers: the file a leader signed, kept as a document, for an index."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..catalog.models import Index
from ..evidence.models import Document
from ..extensions import db
from ..sqltypes import UTCDateTime, utcnow


class SignedDossier(db.Model):
    """A self-assessment dossier (hồ sơ tự đánh giá) of an index as of a day, signed by the unit's leader and
    uploaded as a document (through the upload service, so its bytes are checked and kept like any evidence).
    Each signing adds a row: an earlier signed version stays, the latest one is the dossier of record."""

    __tablename__ = "signed_dossiers"
    id: Mapped[int] = mapped_column(primary_key=True)
    index_id: Mapped[int] = mapped_column(ForeignKey("indices.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)  # the day of the dossier that was signed
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    index: Mapped[Index] = relationship()
    document: Mapped[Document] = relationship()
    uploaded_by: Mapped[User] = relationship()
