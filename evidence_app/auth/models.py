"""Units (wards, communes), their departments and their users."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sqltypes import UTCDateTime, utcnow


class Unit(db.Model):
    """A ward or commune: the boundary of everything a user may see."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Reorganisations (evidence_app/units): the province's unit this one belongs to (its officers reorganise it),
    # its population (a population-weighted baseline), and the days it came into being and ceased to exist (merged
    # into another); unset: it has always been and still is.
    province_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    established_on: Mapped[date | None] = mapped_column(Date)
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    # Other names its documents carry as issuer, one per line ("UBND phường Giếng Đáy", "UBND P. Giếng Đáy"); the
    # pre-check "sai đơn vị" accepts these besides `name` and the forms derived from it.
    other_names: Mapped[str | None] = mapped_column(Text)

    departments: Mapped[list[Department]] = relationship(back_populates="unit", order_by="Department.code")


class Department(db.Model):
    """A department (bộ phận) of a unit; checklist items and criteria are assigned to departments."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))

    unit: Mapped[Unit] = relationship(back_populates="departments")


user_departments = Table(
    "user_departments",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class Role(str, enum.Enum):
    staff = "staff"
    reviewer = "reviewer"
    admin = "admin"
    province = "province"  # a provincial officer: the league table of every unit, nothing inside them


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.staff.value)
    active: Mapped[bool] = mapped_column(default=True)
    # Stored in the session at sign-in and compared on every request (`sessions.py`): raising it ends every session
    # of the user (sign-out, a password change or reset, disabling, a role change).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when an administrator chose the password (a new account, a reset): the user must choose their own before
    # anything else (auth/routes.py `password_change_first`); cleared by their own change.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    departments: Mapped[list[Department]] = relationship(secondary=user_departments, order_by="Department.code")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class LoginFailure(db.Model):
    """A failed sign-in, kept in the database so that throttling holds across every app server and worker."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
