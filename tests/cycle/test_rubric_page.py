"""The page /admin/rubric: next year's rubric checked first (the diff, each criterion that moved, each last-year
score carried and how, in Vietnamese), then imported; administrators only."""

from __future__ import annotations

import re

from sqlalchemy import select

from checklists import CATALOG_DIR
from evidence_app.catalog.models import Index
from evidence_app.extensions import db
from tests.cycle.test_carry_scores import NEXT_YEAR, last_years_results, rubric
from tests.helpers import import_file, login, make_user


def csrf(client, url):
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))
    return found.group(1) if found else ""


def test_next_years_rubric_is_checked_then_imported_with_its_carried_scores(app, tmp_path):
    from tests.helpers import make_unit

    unit = make_unit()
    last_years_results(unit, tmp_path)
    make_user(unit, "admin", role="admin")
    client = app.test_client()
    login(client, "admin")
    data = rubric(2025, NEXT_YEAR).encode("utf-8")
    response = client.post(
        "/admin/rubric",
        data={"csrf_token": csrf(client, "/admin/rubric"), "file": (__import__("io").BytesIO(data), "cchc-2025.yaml")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "So với CCHC 2024" in html
    assert "Chuyển sang mã khác (tìm theo tên tiêu chí) (4)" in html
    assert "1.2 (nội dung 1) → 1.1 (nội dung 1): «Tuyên truyền CCHC»" in html
    assert "Điểm năm trước chuyển từ kết quả năm 2024" in html
    assert "1.1: 0,5/2 → 0,5/2 (Năm 2024: tiêu chí 1.2 (nội dung 1))" in html
    assert db.session.execute(select(Index).where(Index.year == 2025)).first() is None, "a dry run writes nothing"
    form = html.split("Nhập bộ tiêu chí này")[0].rsplit("<form", 1)[1]
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form))
    assert fields["filename"] == "cchc-2025.yaml"
    response = client.post("/admin/rubric", data=fields)
    assert response.status_code == 303
    index = db.session.execute(select(Index).where(Index.year == 2025)).scalar_one()
    assert index.last_year_score == __import__("decimal").Decimal("90.45")


def test_a_bad_rubric_names_the_place_and_writes_nothing(app, tmp_path):
    from tests.helpers import make_unit

    unit = make_unit()
    import_file(CATALOG_DIR / "gieng-day" / "cchc-2024.yaml", unit)
    make_user(unit, "admin", role="admin")
    client = app.test_client()
    login(client, "admin")
    text = rubric(2025, NEXT_YEAR).replace("rule: {type: binary}", "rule: {type: magic}", 1)
    response = client.post(
        "/admin/rubric",
        data={"file": (__import__("io").BytesIO(text.encode()), "cchc-2025.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Chưa nhập gì:" in html and "areas[0].criteria[0].rule.type" in html
    assert db.session.execute(select(Index).where(Index.year == 2025)).first() is None


def test_only_administrators_may_import_a_rubric(app, tmp_path):
    from tests.helpers import make_unit

    unit = make_unit()
    import_file(CATALOG_DIR / "gieng-day" / "cchc-2024.yaml", unit)
    make_user(unit, "staff", role="staff")
    client = app.test_client()
    login(client, "staff")
    assert client.get("/admin/rubric").status_code == 403
    assert client.post("/admin/rubric", data={}).status_code == 403


def test_the_pages_show_a_reports_cut_off_and_source_and_how_last_years_score_was_obtained(app, tmp_path):
    from evidence_app.catalog.models import ChecklistItem, Criterion
    from tests.helpers import make_unit

    unit = make_unit()
    import_file(CATALOG_DIR / "gieng-day" / "cchc-2024.yaml", unit)
    make_user(unit, "admin", role="admin")
    client = app.test_client()
    login(client, "admin")
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.1-c")).scalar_one()
    html = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "Ngày chốt số liệu</dt><dd>14/09/2024" in html
    assert "Căn cứ các mốc thời gian" in html and "Nghị định 09/2019/NĐ-CP" in html and "Hạn gửi chưa xác nhận" in html
    api = client.get(f"/api/v1/items/{item.id}").get_json()
    assert (api["report_cutoff"], api["report_deadline"]) == ("2024-09-14", "2024-09-14")
    assert "Điều 12" in api["report_source"]

    import_rubric_2025 = rubric(2025, NEXT_YEAR)
    from checklists import parse_catalog
    from evidence_app.cycle.carry import import_rubric

    other = make_unit("bai-chay", "UBND phường Bãi Cháy")
    last_years_results(other, tmp_path)
    import_rubric(parse_catalog(import_rubric_2025), other, source="cchc-2025.yaml")
    make_user(other, "admin2", role="admin")
    client = app.test_client()
    login(client, "admin2")
    moved = db.session.execute(
        select(Criterion).join(Index).where(Index.unit_id == other.id, Index.year == 2025, Criterion.code == "1.1")
    ).scalar_one()
    html = client.get(f"/catalog/criteria/{moved.id}").get_data(as_text=True)
    assert "Năm 2024: tiêu chí 1.2 (nội dung 1)" in html
