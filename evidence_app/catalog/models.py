"""The rubric of a unit as stored: Index → Area → Criterion → ChecklistItem, with measurements and self-scores."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy import Index as TableIndex
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Department, Unit, User
from ..extensions import db
from ..history import ChangeLog, append_only
from ..sqltypes import Points, UTCDateTime, utcnow

if TYPE_CHECKING:
    from ..evidence.models import Evidence


class Index(db.Model):
    """One rubric for one year in one unit (CCHC 2024, QN-DTI 2024)."""

    __tablename__ = "indices"
    __table_args__ = (UniqueConstraint("unit_id", "code", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[Decimal] = mapped_column(Points)
    assessment_date: Mapped[date] = mapped_column(Date)
    deviation_threshold_percent: Mapped[Decimal] = mapped_column(Points)
    deviation_penalty_points: Mapped[Decimal] = mapped_column(Points)
    deviation_source: Mapped[str | None] = mapped_column(Text)  # without a source, no penalty is applied
    last_year: Mapped[int | None] = mapped_column(Integer)
    last_year_score: Mapped[Decimal | None] = mapped_column(Points)
    last_year_note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    areas: Mapped[list[Area]] = relationship(
        back_populates="index", order_by="Area.position", cascade="all, delete-orphan"
    )


class Area(db.Model):
    """A content area (nội dung, CCHC) or pillar (trục, DTI)."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("index_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    index_id: Mapped[int] = mapped_column(ForeignKey("indices.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    max_points: Mapped[Decimal] = mapped_column(Points)
    last_year_score: Mapped[Decimal | None] = mapped_column(Points)
    loss_causes: Mapped[list] = mapped_column(JSON, default=list)

    index: Mapped[Index] = relationship(back_populates="areas")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="area", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    @property
    def points_lost_last_year(self) -> Decimal | None:
        return None if self.last_year_score is None else self.max_points - self.last_year_score


class Criterion(db.Model):
    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("index_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    index_id: Mapped[int] = mapped_column(ForeignKey("indices.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    max_points: Mapped[Decimal] = mapped_column(Points)
    rule_type: Mapped[str] = mapped_column(String(32))
    rule_params: Mapped[dict] = mapped_column(JSON, default=dict)
    last_year_score: Mapped[Decimal | None] = mapped_column(Points)
    # how last year's score was obtained when it is not last year's own figure ("đã quy đổi …", a former code)
    last_year_note: Mapped[str | None] = mapped_column(Text)
    points_estimated: Mapped[bool] = mapped_column(default=False)
    loss_causes: Mapped[list] = mapped_column(JSON, default=list)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)

    area: Mapped[Area] = relationship(back_populates="criteria")
    department: Mapped[Department | None] = relationship()
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="criterion", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_component(self) -> bool:
        """A tiêu chí thành phần: a criterion's part, three levels deep in the rubric's numbering (4.22.11)."""
        return self.code.count(".") >= 2

    @property
    def applicable(self) -> bool:
        return self.rule_type != "not_applicable"

    @property
    def points_lost_last_year(self) -> Decimal | None:
        return None if self.last_year_score is None else self.max_points - self.last_year_score


class ChecklistItem(db.Model):
    """A document that must exist for a criterion: who provides it, by when, and what the appraiser checks."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    checks: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    owner_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    weight: Mapped[Decimal] = mapped_column(Points, default=Decimal(1))
    report_period: Mapped[str | None] = mapped_column(String(100))
    report_deadline: Mapped[date | None] = mapped_column(Date)  # the sending deadline (hạn gửi)
    report_cutoff: Mapped[date | None] = mapped_column(Date)  # the data cut-off (ngày chốt số liệu)
    report_source: Mapped[str | None] = mapped_column(Text)  # number and article of the document setting them
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # the person who provides it
    # What the pre-checks compare a document with (evidence/reading/prechecks.py): it must carry a digital
    # signature; it must have at least this many pages.
    requires_signature: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    min_pages: Mapped[int | None] = mapped_column(Integer)
    # "catalog" (from the rubric file: removed when the file drops it) or "proposal" (accepted from the results)
    origin: Mapped[str] = mapped_column(String(16), default="catalog", server_default="catalog")

    criterion: Mapped[Criterion] = relationship(back_populates="items")
    owner_department: Mapped[Department] = relationship()
    assignee: Mapped[User | None] = relationship()
    # Read-only, and named by string: the evidence package sits above the catalog and owns the link.
    evidence_links: Mapped[list[Evidence]] = relationship("Evidence", viewonly=True)

    @property
    def is_periodic_report(self) -> bool:
        return self.report_deadline is not None


class Measurement(db.Model):
    """The value of a ratio criterion on a date (e.g. 123 surveyed / 1000 transactions = 12.3%), with its source."""

    __tablename__ = "measurements"
    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    measured_on: Mapped[date] = mapped_column(Date)
    numerator: Mapped[Decimal] = mapped_column(Points)
    denominator: Mapped[Decimal | None] = mapped_column(Points)
    source: Mapped[str] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criterion: Mapped[Criterion] = relationship()
    entered_by: Mapped[User | None] = relationship()

    @property
    def percent(self) -> Decimal | None:
        if self.denominator in (None, 0):
            return None
        return self.numerator * 100 / self.denominator


class SelfScore(db.Model):
    """The unit's own score for a criterion in an assessment round (đợt)."""

    __tablename__ = "self_scores"
    __table_args__ = (UniqueConstraint("criterion_id", "round"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    score: Mapped[Decimal] = mapped_column(Points)
    note: Mapped[str | None] = mapped_column(Text)
    # giải trình: why the unit gives itself this score, as the self-assessment dossier shows it to the appraisers
    explanation: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criterion: Mapped[Criterion] = relationship()


class AssignmentHistory(ChangeLog, db.Model):
    """Undo log of an item's assignment (see evidence_app/history.py): the owner department and the person as
    they were before the change at `changed_at`. Written by catalog.assignments (the admin page, a rubric
    import that moves an item to another department)."""

    __tablename__ = "assignment_history"
    __table_args__ = (TableIndex("ix_assignment_history_item_id_changed_at", "item_id", "changed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id", ondelete="CASCADE"))
    owner_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SelfScoreHistory(ChangeLog, db.Model):
    """Undo log of self-scores (see evidence_app/history.py): the score, note, explanation (giải trình) and author
    before the change at `changed_at`; `score` NULL when the change created the self-score. Written by
    `set_self_score`."""

    __tablename__ = "self_score_history"
    __table_args__ = (TableIndex("ix_self_score_history_self_score_id_changed_at", "self_score_id", "changed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    self_score_id: Mapped[int] = mapped_column(ForeignKey("self_scores.id"))
    score: Mapped[Decimal | None] = mapped_column(Points)
    note: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


append_only(AssignmentHistory)
append_only(SelfScoreHistory)
