"""The official results of an assessment, and the checklist items proposed from the points they lost."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Department, User
from ..catalog.models import ChecklistItem, Criterion, Index
from ..extensions import db
from ..sqltypes import Points, UTCDateTime, utcnow


class ResultSet(db.Model):
    """The province's table of scores for one index and year, as imported (totals and the deviation penalty
    are computed from the rows, never typed)."""

    __tablename__ = "result_sets"
    __table_args__ = (UniqueConstraint("index_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    index_id: Mapped[int] = mapped_column(
        ForeignKey("indices.id", ondelete="CASCADE"), index=True
    )  # whose criteria the rows matched
    year: Mapped[int] = mapped_column(Integer)  # the year assessed
    source: Mapped[str | None] = mapped_column(String(300))
    self_total: Mapped[Decimal | None] = mapped_column(Points)
    appraised_total: Mapped[Decimal | None] = mapped_column(Points)
    final_total: Mapped[Decimal] = mapped_column(Points)  # the sum of the criteria's final scores
    published_total: Mapped[Decimal | None] = mapped_column(Points)  # the file's total row (rounded by the province)
    deviation_penalty: Mapped[Decimal] = mapped_column(Points, default=Decimal(0))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    index: Mapped[Index] = relationship()
    rows: Mapped[list[CriterionResult]] = relationship(
        back_populates="result_set", cascade="all, delete-orphan", order_by="CriterionResult.position"
    )


class CriterionResult(db.Model):
    """One criterion's scores in a result set, the appraiser's note and the causes read from it (which an
    administrator may correct: `causes` items are {"type", "text", "corrected"})."""

    __tablename__ = "criterion_results"
    __table_args__ = (UniqueConstraint("result_set_id", "criterion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    result_set_id: Mapped[int] = mapped_column(ForeignKey("result_sets.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    max_points: Mapped[Decimal] = mapped_column(Points)
    self_score: Mapped[Decimal | None] = mapped_column(Points)
    appraised_score: Mapped[Decimal | None] = mapped_column(Points)
    final_score: Mapped[Decimal] = mapped_column(Points)
    note: Mapped[str | None] = mapped_column(Text)
    causes: Mapped[list] = mapped_column(JSON, default=list)

    result_set: Mapped[ResultSet] = relationship(back_populates="rows")
    criterion: Mapped[Criterion] = relationship()

    @property
    def points_lost(self) -> Decimal:
        return max(self.max_points - self.final_score, Decimal(0))


class ProposalState(str, enum.Enum):
    proposed = "proposed"
    accepted = "accepted"
    discarded = "discarded"


class Proposal(db.Model):
    """A checklist item proposed for a criterion from a cause of last year's lost points. It becomes a real
    checklist item only when accepted. `key` is what it asks for (cause type, template, the document's title):
    a second run proposes nothing twice, whatever was decided on the first proposal, and the proposals of
    several criteria with one key and one owner are one proposal serving them all (operations.merge_proposals).
    A cause of the whole index (the self-score deviation) has no result row (`criterion_result` None)."""

    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("criterion_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), index=True)
    criterion_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("criterion_results.id", ondelete="SET NULL"), index=True
    )
    key: Mapped[str] = mapped_column(String(200))
    cause_type: Mapped[str] = mapped_column(String(32))
    cause_text: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text)
    checks: Mapped[str] = mapped_column(Text)
    owner_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    is_report: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default=ProposalState.proposed.value)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_items.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    criterion: Mapped[Criterion] = relationship()
    criterion_result: Mapped[CriterionResult | None] = relationship()
    owner_department: Mapped[Department | None] = relationship()
    item: Mapped[ChecklistItem | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
