"""The model: exact decimal points, timezone-aware timestamps, uniqueness, optimistic locking of evidence,
and the hash-chained audit trail — on SQLite and PostgreSQL alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from evidence_app.catalog.models import Area, ChecklistItem, Criterion, Index, Measurement, SelfScore
from evidence_app.evidence.models import Document, Evidence
from evidence_app.extensions import db
from evidence_app.models import Department, Review, Unit, User
from tests.helpers import make_unit, make_user


def test_points_are_exact_decimals(ward):
    index = db.session.execute(select(Index)).scalar_one()
    assert index.last_year_score == Decimal("15.84") and str(index.max_points) == "20"
    area = db.session.execute(select(Area).where(Area.code == "2")).scalar_one()
    assert str(area.last_year_score) == "6.34"
    total = sum((a.last_year_score for a in index.areas), Decimal(0))
    assert total == Decimal("15.84"), "no float rounding on the way through the database"
    criterion = db.session.execute(select(Criterion).where(Criterion.code == "2.2")).scalar_one()
    assert criterion.max_points == Decimal("0.5") and not criterion.applicable


def test_timestamps_are_timezone_aware(ward):
    unit = db.session.execute(select(Unit)).scalar_one()
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).created_at.tzinfo is not None


def test_department_codes_are_unique_within_a_unit_only(ward):
    other = make_unit("bai-chay", "Bãi Cháy")
    db.session.add(Department(unit=other, code="vp-tk", name="VP"))
    db.session.commit()
    db.session.add(Department(unit=ward, code="vp-tk", name="again"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_measurement_percent_and_self_score(ward):
    criterion = db.session.execute(select(Criterion).where(Criterion.code == "2.1")).scalar_one()
    m = Measurement(
        criterion=criterion,
        measured_on=ward.created_at.date(),
        numerator=Decimal(123),
        denominator=Decimal(1000),
        source="Hệ thống một cửa điện tử",
    )
    db.session.add_all([m, SelfScore(criterion=criterion, round=1, score=Decimal("7.25"))])
    db.session.commit()
    assert m.percent == Decimal("12.3")
    db.session.add(SelfScore(criterion=criterion, round=1, score=Decimal(7)))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_reviewers_deciding_one_evidence_the_second_fails(app, ward):
    staff, reviewer = (
        db.session.execute(select(User).where(User.username == name)).scalar_one() for name in ("cb-vp-tk", "reviewer2")
    )
    item = db.session.execute(select(ChecklistItem)).scalars().first()
    document = Document(
        unit_id=ward.id,
        storage_key="ab/cd/" + "ab" * 32,
        sha256="ab" * 32,
        size=10,
        content_type="application/pdf",
        filename="Đơn đề nghị.pdf",
        uploaded_by_id=staff.id,
    )
    evidence = Evidence(document=document, item=item, linked_by_id=staff.id)
    db.session.add_all([document, evidence])
    db.session.commit()
    assert evidence.version == 1

    # a second reviewer's session changes the row first
    other = db.session.session_factory()
    other_evidence = other.get(Evidence, evidence.id)
    other_evidence.state = "approved"
    other.add(Review(evidence=other_evidence, reviewer_id=reviewer.id, decision="approved"))
    other.commit()
    other.close()

    evidence.state = "changes_requested"
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Evidence, evidence.id).state == "approved"


def test_user_departments_and_roles(ward):
    user = make_user(ward, "lan", role="reviewer", departments=["vp-tk", "vh-tt"])
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.username == "lan")).scalar_one()
    assert [d.code for d in user.departments] == ["vh-tt", "vp-tk"] and user.role == "reviewer"
    assert user.is_active and user.unit.code == "gieng-day"
