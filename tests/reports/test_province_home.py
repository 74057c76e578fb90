"""The province's home (issue 14): the league table, each unit a link to its report (the province's officers
only: anyone else reaches only their own unit's), and the table as a spreadsheet."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.helpers import login, make_unit, make_user


@pytest.fixture
def province(ward, app, catalog_dict, write_catalog):
    from tests.helpers import import_file

    other = make_unit("bai-chay", "UBND phường Bãi Cháy")
    import_file(write_catalog(catalog_dict, "other.yaml"), other)
    make_user(make_unit("quang-ninh", "UBND tỉnh Quảng Ninh"), "tinh", role="province")
    client = app.test_client()
    login(client, "tinh")
    return client


def test_the_league_table_links_to_each_units_report(province):
    page = province.get("/reports/province?as_of=2024-06-01").get_data(as_text=True)
    assert '<a href="/reports/units/bai-chay/?as_of=2024-06-01">UBND phường Bãi Cháy</a>' in page
    assert 'href="/reports/province.xlsx?as_of=2024-06-01"' in page
    report = province.get("/reports/units/bai-chay/?as_of=2024-06-01")
    assert report.status_code == 200
    text = report.get_data(as_text=True)
    assert "Báo cáo mức độ đầy đủ minh chứng — UBND phường Bãi Cháy" in text or "UBND phường Bãi Cháy" in text
    assert 'href="/reports/units/bai-chay/download?format=xlsx&amp;as_of=2024-06-01"' in text
    assert "/catalog/" not in text, "no links into the unit's catalog pages, which are the unit's own"
    download = province.get("/reports/units/bai-chay/download?format=json&as_of=2024-06-01")
    assert download.status_code == 200 and download.json["unit"]["code"] == "bai-chay"
    assert province.get("/reports/units/no-such-unit/").status_code == 404


def test_another_units_report_is_not_found_for_its_neighbours(province, app):
    staff = app.test_client()
    login(staff, "cb-vp-tk")
    assert staff.get("/reports/units/bai-chay/").status_code == 404
    assert staff.get("/reports/units/bai-chay/download?format=csv").status_code == 404
    assert staff.get("/reports/units/gieng-day/").status_code == 200, "one's own unit"
    assert staff.get("/reports/province.xlsx").status_code == 403


def test_the_league_table_as_a_spreadsheet(province):
    response = province.get("/reports/province.xlsx?as_of=2024-06-01")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="bang-xep-hang-2024-06-01.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]][:4] == ["Hạng", "Mã đơn vị", "Đơn vị", "Điểm dự kiến"]
    units = {sheet.cell(row, 2).value for row in (3, 4)}
    assert units == {"gieng-day", "bai-chay"}
    assert isinstance(sheet.cell(3, 4).value, (int, float)), "a number, not text"
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:H4"
