"""Measurements of ratio criteria and self-scores: entered with numerator, denominator, date and source;
bad input gets a clear message next to the field and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from evidence_app.catalog.models import Criterion, Measurement, SelfScore
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.helpers import login


def criterion(code):
    return db.session.execute(select(Criterion).where(Criterion.code == code)).scalar_one()


def test_record_a_measurement(ward, client):
    login(client, "reviewer")
    c = criterion("2.1")
    response = client.post(
        f"/catalog/criteria/{c.id}/measurements",
        data={"numerator": "991", "denominator": "1000", "measured_on": "30/09/2024", "source": "Hệ thống một cửa"},
    )
    assert response.status_code == 303
    m = db.session.execute(select(Measurement)).scalar_one()
    assert (m.numerator, m.denominator, str(m.measured_on), m.percent) == (991, 1000, "2024-09-30", Decimal("99.1"))
    page = client.get(f"/catalog/criteria/{c.id}").get_data(as_text=True)
    assert "99,1" in page and "Hệ thống một cửa" in page
    assert (
        db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc())).scalars().first()
        == "measurement.add"
    )


@pytest.mark.parametrize(
    "form, field, message",
    [
        ({"numerator": "5", "denominator": "0"}, "denominator", "phải lớn hơn 0"),
        ({"numerator": "12", "denominator": "10"}, "numerator", "không thể lớn hơn tổng"),
        ({"numerator": "abc", "denominator": "10"}, "numerator", "Nhập một số"),
        ({"numerator": "-1", "denominator": "10"}, "numerator", "không thể là số âm"),
        ({"numerator": "1", "denominator": "10", "measured_on": "31/02/2024"}, "measured_on", "dd/mm/yyyy"),
        ({"numerator": "1", "denominator": "10", "measured_on": "01/01/2099"}, "measured_on", "tương lai"),
        ({"numerator": "1", "denominator": "10", "source": " "}, "source", "số liệu lấy từ đâu"),
    ],
)
def test_bad_measurements_are_refused_and_nothing_is_written(ward, client, form, field, message):
    login(client, "reviewer")
    c = criterion("2.1")
    data = {"measured_on": "30/09/2024", "source": "Hệ thống", **form}
    response = client.post(f"/catalog/criteria/{c.id}/measurements", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page, page[page.find('class="error"') - 300 :][:600]
    assert f'id="m-{field}"' in page[: page.find(message)], "the message stands next to its field"
    assert db.session.query(Measurement).count() == 0


def test_only_the_department_reviewers_and_admins_enter_figures(ward, client):
    c = criterion("2.1")  # no responsible department in the small catalog
    login(client, "cb-vh-tt")
    assert client.post(f"/catalog/criteria/{c.id}/measurements", data={"numerator": "1"}).status_code == 403
    assert client.post(f"/catalog/criteria/{c.id}/self-score", data={"score": "1"}).status_code == 403


def test_self_score_within_the_maximum(ward, client):
    login(client, "reviewer")
    c = criterion("1.1")
    response = client.post(f"/catalog/criteria/{c.id}/self-score", data={"score": "4,5"})
    assert response.status_code == 422 and "từ 0 đến điểm tối đa, 4" in response.get_data(as_text=True)
    assert db.session.query(SelfScore).count() == 0
    assert (
        client.post(
            f"/catalog/criteria/{c.id}/self-score", data={"score": "3,5", "note": "Thiếu báo cáo Quý I"}
        ).status_code
        == 303
    )
    assert client.post(f"/catalog/criteria/{c.id}/self-score", data={"score": "3"}).status_code == 303
    [score] = db.session.execute(select(SelfScore)).scalars().all()
    assert score.score == 3 and score.round == 1


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"numerator": "0", "denominator": "0,0004"}, "denominator", "3"),  # was stored as 0
        ({"numerator": "9999999,9999", "denominator": ""}, "numerator", "3"),  # was a 500
        ({"numerator": "1", "denominator": "10", "source": "x" * 4001}, "source", "4000"),
    ],
)
def test_figures_the_database_cannot_hold_are_refused_not_truncated(ward, client, form, field, message):
    """Issue 13, findings 10 and 12."""
    login(client, "reviewer")
    c = criterion("2.1")
    response = client.post(
        f"/catalog/criteria/{c.id}/measurements", data={"measured_on": "30/09/2024", "source": "Hệ thống", **form}
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.execute(select(Measurement)).first() is None
