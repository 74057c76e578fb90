"""The signed self-assessment dossiers (the file a leader signed, kept as a document, for an index) and the league
table's rows kept between requests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String
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


class LeagueRow(db.Model):
    """An index's row of the league table on a day, kept between requests (reports/league_cache.py): valid while
    its unit's audit trail and the code that computed it are as they were (`mark`, `version`). Derived data, not a
    record: it is rewritten or dropped at will and never audited."""

    __tablename__ = "league_cache"
    index_id: Mapped[int] = mapped_column(ForeignKey("indices.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    mark: Mapped[str] = mapped_column(String(48))
    version: Mapped[str] = mapped_column(String(16))
    row: Mapped[dict] = mapped_column(JSON)


class KeptReport(db.Model):
    """A unit's report (its indices) on a day, kept between requests like the league rows (reports/league_cache.py):
    valid while the unit's audit trail and the code that computed it are as they were. Derived data, not a record."""

    __tablename__ = "report_cache"
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    mark: Mapped[str] = mapped_column(String(48))
    version: Mapped[str] = mapped_column(String(16))
    indices: Mapped[list] = mapped_column(JSON)
