"""The shipped QN-DTI catalog's measures as a ward enters them (issue 15): tổ công nghệ số cộng đồng per
population, the Ban chỉ đạo's meetings one by one with their minutes, a tier chosen by its label. Each refusal
names its field in Vietnamese and writes nothing; the report reads what was entered."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from checklists import CATALOG_DIR
from evidence_app.catalog.models import Criterion, Index, Measurement
from evidence_app.extensions import db
from evidence_app.reports.build import build_report
from tests.helpers import import_file, login, make_unit, make_user


@pytest.fixture
def dti(app):
    unit = make_unit()
    import_file(CATALOG_DIR / "gieng-day" / "qn-dti-2024.yaml", unit)
    make_user(unit, "reviewer", role="reviewer")
    make_user(unit, "cb-vh-tt", departments=["vh-tt"])
    return unit


def criterion(code):
    return db.session.execute(
        select(Criterion)
        .join(Index, Criterion.index_id == Index.id)
        .where(Index.code == "QN-DTI", Criterion.code == code)
    ).scalar_one()


def post(client, code, **form):
    return client.post(f"/catalog/criteria/{criterion(code).id}/measurements", data=form)


def reasons(unit, code):
    """The report's reasons for a criterion on 01/10/2024, the measurements entered as on that morning (a report
    reads what was entered by its day, and at the latest on the assessment date)."""
    for m in db.session.execute(select(Measurement)).scalars():
        m.entered_at = datetime(2024, 10, 1, 2, tzinfo=UTC)
    db.session.commit()
    [index] = build_report(unit, date(2024, 10, 1))["indices"]
    return next(c for c in index["criteria"] if c["code"] == code)["reasons"]


def test_teams_per_population_are_entered_as_a_count_and_a_population(dti, client):
    login(client, "cb-vh-tt")  # the department responsible for 1.1
    page = client.get(f"/catalog/criteria/{criterion('1.1').id}").get_data(as_text=True)
    assert "Theo số dân: đạt 1 tổ/1.000 dân được điểm tối đa" in page
    assert "Số dân (b)" in page and "ví dụ: 18000 dân" in page
    response = post(
        client, "1.1", numerator="12", denominator="18000", measured_on="30/09/2024", source="Công an phường"
    )
    assert response.status_code == 303
    page = client.get(f"/catalog/criteria/{criterion('1.1').id}").get_data(as_text=True)
    assert "tổ/1.000 dân" in page and "0,67" in page
    assert "12 tổ / 18.000 dân = 0,67 tổ/1.000 dân (đo 30/09); mục tiêu 1 tổ/1.000 dân" in reasons(dti, "1.1")


def test_more_teams_than_neighbourhoods_is_accepted_but_a_rate_needs_its_population(dti, client):
    login(client, "reviewer")
    response = post(client, "1.1", numerator="12", denominator="", measured_on="30/09/2024", source="Danh sách")
    assert response.status_code == 422
    assert "Nhập số dân (b): chỉ tiêu tính theo số lượng trên số dân." in response.get_data(as_text=True)
    assert db.session.query(Measurement).count() == 0
    # a count above its base is a rate, not a share: 30 tổ for 20 khu phố
    assert (
        post(client, "1.1", numerator="30", denominator="20", measured_on="30/09/2024", source="Danh sách").status_code
        == 303
    )


def test_meetings_are_entered_one_by_one_and_only_those_of_the_period_count(dti, client):
    login(client, "reviewer")
    page = client.get(f"/catalog/criteria/{criterion('1.2').id}").get_data(as_text=True)
    assert "Các cuộc họp đã tổ chức" in page and "Ngày họp" in page and "Biên bản (số, ngày)" in page
    assert "quyết định thành lập, kiện toàn Ban chỉ đạo không phải một cuộc họp" in page
    for day, minutes in (("22/03/2024", "Biên bản 01/BB-BCĐ"), ("21/06/2024", "Biên bản 02/BB-BCĐ")):
        assert post(client, "1.2", numerator="1", measured_on=day, source=minutes).status_code == 303
    last_year = post(client, "1.2", numerator="1", measured_on="20/12/2023", source="Biên bản 09/BB-BCĐ")
    assert last_year.status_code == 422
    assert "ngoài kỳ được tính, từ 01/01/2024 đến 31/12/2024: sẽ không được tính" in last_year.get_data(as_text=True)
    again = post(client, "1.2", numerator="1", measured_on="21/06/2024", source="Biên bản 02/BB-BCĐ")
    assert again.status_code == 422 and "chỉ tính một lần" in again.get_data(as_text=True)
    no_minutes = post(client, "1.2", numerator="1", measured_on="23/09/2024", source=" ")
    assert no_minutes.status_code == 422 and "Ghi biên bản của cuộc họp này" in no_minutes.get_data(as_text=True)
    with_total = post(client, "1.2", numerator="1", denominator="4", measured_on="23/09/2024", source="Biên bản 03")
    assert with_total.status_code == 422 and "Để trống ô tổng số" in with_total.get_data(as_text=True)
    assert db.session.query(Measurement).count() == 2
    assert (
        "2 cuộc họp Ban chỉ đạo chuyển đổi số trong kỳ 01/01/2024–31/12/2024 (gần nhất 21/06) so với mức 4"
    ) in reasons(dti, "1.2")


def test_a_qualitative_tier_is_chosen_by_its_label_not_typed(dti, client):
    login(client, "reviewer")
    page = client.get(f"/catalog/criteria/{criterion('5.1').id}").get_data(as_text=True)
    assert '<select id="m-numerator" name="numerator">' in page
    assert '<option value="2">Có công chức kiêm nhiệm, đạt chuẩn kỹ năng ứng dụng CNTT cơ bản</option>' in page
    wrong = post(client, "5.1", numerator="4", measured_on="12/09/2024", source="Quyết định phân công")
    assert wrong.status_code == 422 and "Chọn một trong các mức." in wrong.get_data(as_text=True)
    assert (
        post(client, "5.1", numerator="2", measured_on="12/09/2024", source="Quyết định phân công").status_code == 303
    )
    page = client.get(f"/catalog/criteria/{criterion('5.1').id}").get_data(as_text=True)
    assert "<td>Có công chức kiêm nhiệm, đạt chuẩn kỹ năng ứng dụng CNTT cơ bản</td>" in page


def test_a_measured_tier_is_placed_by_the_percent(dti, client):
    login(client, "reviewer")
    page = client.get(f"/catalog/criteria/{criterion('6.3').id}").get_data(as_text=True)
    assert "Theo mức của giá trị đo: ≥ 80: Đạt từ 80% trở lên = 8" in page
    assert (
        post(
            client, "6.3", numerator="620", denominator="1000", measured_on="30/09/2024", source="Cổng DVC"
        ).status_code
        == 303
    )
    assert "Giá trị đo 62% (đo 30/09): mức đạt Đạt từ 50% đến dưới 80%" in reasons(dti, "6.3")
