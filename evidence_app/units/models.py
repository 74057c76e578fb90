"""A reorganisation of units (merge, split, rename), the lineage it leaves between units, and the combined
last-year baselines of the units it made."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Unit
from ..extensions import db
from ..sqltypes import Points, UTCDateTime, utcnow


class ChangeKind(str, enum.Enum):
    merge = "merge"  # the predecessors cease on the day; their successor carries them (and may have existed)
    split = "split"  # a new unit carved out of one that goes on
    rename = "rename"  # the same unit under a new name


class BaselineMethod(str, enum.Enum):
    """How the province combines last year's scores of merged units (its rule, chosen on the command or page)."""

    mean = "mean"
    weighted = "weighted"  # by population
    own = "own"  # the new unit's own score (its own catalog's), nothing combined


class UnitChange(db.Model):
    """One reorganisation, effective from `effective_on` (the boundaries of that day and after)."""

    __tablename__ = "unit_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the merged, new or renamed unit
    effective_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(16))  # merges and splits: the baseline method
    old_name: Mapped[str | None] = mapped_column(String(200))  # renames: the name before the day
    new_name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    links: Mapped[list[UnitLineage]] = relationship(back_populates="change", order_by="UnitLineage.id")


class UnitLineage(db.Model):
    """An edge of the lineage: `predecessor` went (wholly, for a merge; in part, for a split) into `successor`.
    A unit that absorbs others is its own predecessor in the merge (it is one of the parts); `weight` is the
    part's weight in the merged unit's figures (its population for a weighted merge, else 1)."""

    __tablename__ = "unit_lineage"
    __table_args__ = (UniqueConstraint("change_id", "predecessor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("unit_changes.id"), index=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    weight: Mapped[Decimal] = mapped_column(Points, default=Decimal(1))

    change: Mapped[UnitChange] = relationship(back_populates="links")
    predecessor: Mapped[Unit] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Unit] = relationship(foreign_keys=[successor_id])


class UnitBaseline(db.Model):
    """Last year's score of a merged (or split-off) unit for one index and year, combined from its parts' by
    the change's method; `parts` keeps each part's code, score, its source and weight."""

    __tablename__ = "unit_baselines"
    __table_args__ = (UniqueConstraint("unit_id", "index_code", "index_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("unit_changes.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    index_code: Mapped[str] = mapped_column(String(32))
    index_year: Mapped[int] = mapped_column(Integer)
    score: Mapped[Decimal | None] = mapped_column(Points)
    parts: Mapped[list] = mapped_column(JSON, default=list)
