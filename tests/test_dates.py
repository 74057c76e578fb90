"""A day is read the same way everywhere (evidence_app/dates.py): forms, the API, the command line and files
accept dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy and yyyy-mm-dd, and refuse anything else with the same hint."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from evidence_app.catalog.models import Criterion, Measurement
from evidence_app.dates import as_of_day, parse_day
from evidence_app.extensions import db
from tests.helpers import login


@pytest.mark.parametrize("written", ["14/03/2024", "14.03.2024", "14-03-2024", "2024-03-14", " 14/03/2024 "])
def test_every_accepted_way_of_writing_a_day(written):
    assert parse_day(written) == date(2024, 3, 14)


@pytest.mark.parametrize("written", ["", "31/02/2024", "2024/03/14", "14/3/24x", "hôm qua"])
def test_anything_else_is_not_a_day(written):
    assert parse_day(written) is None


def test_as_of_is_today_when_empty_and_refuses_a_day_out_of_range(app):
    assert (
        as_of_day("") is not None and as_of_day("01/01/1900") is None and as_of_day("15.12.2024") == date(2024, 12, 15)
    )


def test_a_measurement_form_takes_a_day_with_dots_as_the_upload_form_does(ward, client):
    login(client, "reviewer")
    criterion = db.session.execute(select(Criterion).where(Criterion.code == "2.1")).scalar_one()
    response = client.post(
        f"/catalog/criteria/{criterion.id}/measurements",
        data={"numerator": "9", "denominator": "10", "measured_on": "30.09.2024", "source": "Hệ thống một cửa"},
    )
    assert response.status_code == 303
    assert db.session.execute(select(Measurement.measured_on)).scalar_one() == date(2024, 9, 30)


@pytest.mark.parametrize("today", ["10/03/2024", "2024-03-10", "10.03.2024"])
def test_remind_takes_the_same_days_as_the_report(ward, runner, today):
    result = runner.invoke(args=["remind", "--today", today])
    assert result.exit_code == 0, result.output
    assert "CCHC-1.1-a" in result.output and "14/03/2024" in result.output


def test_a_command_refuses_a_day_it_cannot_read_in_one_line(ward, runner):
    result = runner.invoke(args=["remind", "--today", "2024/03/10"])
    assert result.exit_code == 2 and "DD/MM/YYYY" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("written", ["01/01/0001", "9999-12-31", "31.12.1899", "01/01/2101"])
def test_a_day_outside_1900_to_2100_is_a_typing_slip(written):
    """Issue 13, finding 12: such days were accepted and stored."""
    assert parse_day(written) is None
