"""Importing a catalog into a unit: created once, updated in place, never duplicated, evidence never lost,
and a refused import leaves the database as it was."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from checklists import load_catalog
from evidence_app.catalog.models import Area, ChecklistItem, Criterion, Index
from evidence_app.catalog.operations import ImportRefused, import_catalog
from evidence_app.evidence.models import Document, Evidence
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, Department
from tests.helpers import import_file, make_unit, make_user


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Index, Area, Criterion, ChecklistItem, Department, Evidence)
    }


def snapshot() -> list[tuple]:
    rows = db.session.execute(
        select(
            ChecklistItem.id,
            ChecklistItem.code,
            ChecklistItem.title,
            ChecklistItem.due_date,
            Criterion.code,
            Criterion.max_points,
        ).join(Criterion)
    ).all()
    return sorted(tuple(r) for r in rows)


def link_evidence(item: ChecklistItem, user) -> Evidence:
    document = Document(
        unit_id=item.unit_id,
        storage_key="ab/cd/" + "ab" * 32,
        sha256="ab" * 32,
        size=3,
        content_type="application/pdf",
        filename="Báo cáo.pdf",
        uploaded_by_id=user.id,
    )
    evidence = Evidence(document=document, item=item, linked_by_id=user.id)
    db.session.add_all([document, evidence])
    db.session.commit()
    return evidence


def test_import_creates_the_whole_tree(app, catalog_dict, write_catalog):
    unit = make_unit()
    result = import_file(write_catalog(catalog_dict), unit)
    assert result.index_created
    assert result.created == {"departments": 2, "areas": 2, "criteria": 4, "items": 4}
    index = db.session.execute(select(Index)).scalar_one()
    assert (index.code, index.year, index.max_points, index.last_year_score) == ("CCHC", 2024, 20, Decimal("15.84"))
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.1-a")).scalar_one()
    assert item.report_deadline == date(2024, 3, 14) and item.due_date == date(2024, 3, 14)
    assert item.owner_department.code == "vp-tk" and item.criterion.code == "1.1"
    assert item.criterion.points_estimated and item.criterion.department.code == "vp-tk"
    assert db.session.execute(select(AuditEvent.action)).scalars().all()[-1] == "catalog.import"


def test_importing_the_same_file_again_changes_nothing(app, catalog_dict, write_catalog):
    unit = make_unit()
    path = write_catalog(catalog_dict)
    import_file(path, unit)
    before, rows_before = counts(), snapshot()
    result = import_file(path, unit)
    assert not result.index_created
    assert result.created == {"departments": 0, "areas": 0, "criteria": 0, "items": 0}
    assert result.updated == {"areas": 0, "criteria": 0, "items": 0}
    assert counts() == before and snapshot() == rows_before


def test_a_corrected_file_updates_in_place_and_keeps_linked_evidence(app, catalog_dict, write_catalog):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    user = make_user(unit, "cb-vp-tk", departments=["vp-tk"])
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.2-a")).scalar_one()
    evidence = link_evidence(item, user)
    item_id = item.id

    crit = catalog_dict["areas"][0]["criteria"][1]
    crit["title"] = "Tuyên truyền, phổ biến CCHC"
    crit["items"][0]["title"] = "Kế hoạch tuyên truyền CCHC năm 2024"
    crit["items"][0]["due"] = "2024-05-15"
    crit["max_points"], crit["last_year_score"] = 7, 7
    catalog_dict["areas"][0]["criteria"][0]["max_points"] = 5
    catalog_dict["areas"][0]["criteria"][0]["last_year_score"] = 2.5
    result = import_file(write_catalog(catalog_dict), unit)

    assert result.updated == {"areas": 0, "criteria": 2, "items": 1}
    item = db.session.get(ChecklistItem, item_id)
    assert item.title == "Kế hoạch tuyên truyền CCHC năm 2024" and item.due_date == date(2024, 5, 15)
    assert item.criterion.title == "Tuyên truyền, phổ biến CCHC" and item.criterion.max_points == 7
    assert db.session.get(Evidence, evidence.id).item_id == item_id
    assert counts()["ChecklistItem"] == 4


def test_an_item_moved_to_another_criterion_keeps_its_identity(app, catalog_dict, write_catalog):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    moved = catalog_dict["areas"][0]["criteria"][0]["items"].pop(1)
    catalog_dict["areas"][0]["criteria"][1]["items"].append(moved)
    old_id = db.session.execute(select(ChecklistItem.id).where(ChecklistItem.code == moved["code"])).scalar_one()
    import_file(write_catalog(catalog_dict), unit)
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == moved["code"])).scalar_one()
    assert item.id == old_id and item.criterion.code == "1.2"


def test_items_absent_from_the_file_are_removed_when_nothing_is_linked(app, catalog_dict, write_catalog):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    catalog_dict["areas"][0]["criteria"][0]["items"].pop(1)
    result = import_file(write_catalog(catalog_dict), unit)
    assert result.removed["items"] == 1
    assert (
        db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.1-b")).scalar_one_or_none() is None
    )


def test_removing_an_item_with_evidence_is_refused_and_nothing_changes(app, catalog_dict, write_catalog):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    user = make_user(unit, "cb-vp-tk", departments=["vp-tk"])
    link_evidence(
        db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.1-b")).scalar_one(), user
    )
    before, rows_before = counts(), snapshot()
    catalog_dict["areas"][0]["criteria"][0]["items"].pop(1)
    catalog_dict["areas"][0]["criteria"][0]["title"] = "changed"
    with pytest.raises(ImportRefused) as info:
        import_catalog(load_catalog(write_catalog(catalog_dict)), unit)
    db.session.rollback()
    assert "'CCHC-1.1-b' is not in the file but has 1 linked document(s)" in info.value.problems[0]
    assert counts() == before and snapshot() == rows_before


def test_item_codes_are_unique_within_a_unit_across_indices(app, catalog_dict, write_catalog):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    catalog_dict["index"]["year"] = 2025
    before = counts()
    with pytest.raises(ImportRefused) as info:
        import_catalog(load_catalog(write_catalog(catalog_dict)), unit)
    db.session.rollback()
    assert "already belongs to another index" in info.value.problems[0]
    assert counts() == before


def test_two_units_hold_the_same_catalog_independently(app, catalog_dict, write_catalog):
    path = write_catalog(catalog_dict)
    a, b = make_unit("gieng-day"), make_unit("bai-chay", "UBND phường Bãi Cháy")
    import_file(path, a)
    import_file(path, b)
    assert counts()["Index"] == 2 and counts()["ChecklistItem"] == 8 and counts()["Department"] == 4


# ---- through the CLI


def test_cli_import_validate_summary_items(app, runner, catalog_dict, write_catalog):
    make_unit()
    path = write_catalog(catalog_dict)
    result = runner.invoke(args=["catalog", "validate", str(path)])
    assert result.exit_code == 0 and "ok — CCHC 2024, 2 areas, 4 criteria, 4 checklist items" in result.output
    result = runner.invoke(args=["catalog", "import", str(path), "--unit", "gieng-day"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo CCHC 2024 cho đơn vị gieng-day" in result.output
    again = runner.invoke(args=["catalog", "import", str(path), "--unit", "gieng-day"])
    assert (
        "Đã cập nhật CCHC 2024 cho đơn vị gieng-day: tạo mới 0 bộ phận, 0 nội dung, 0 tiêu chí, 0 tài liệu; "
        "cập nhật 0 nội dung, 0 tiêu chí, 0 tài liệu" in again.output
    )

    summary = json.loads(runner.invoke(args=["catalog", "summary", "--unit", "gieng-day", "--json"]).output)
    [index] = summary["indices"]
    assert {k: index[k] for k in ("code", "name", "year", "max_points", "last_year_score")} == {
        "code": "CCHC",
        "name": "Chỉ số cải cách hành chính",
        "year": 2024,
        "max_points": 20,
        "last_year_score": 15.84,
    }
    assert index["areas"] == [
        {"code": "1", "name": "Chỉ đạo, điều hành", "max_points": 12, "last_year_score": 9.5},
        {"code": "2", "name": "Chính quyền số", "max_points": 8, "last_year_score": 6.34},
    ]

    items = json.loads(runner.invoke(args=["catalog", "items", "--unit", "gieng-day", "--json"]).output)
    assert [i["code"] for i in items] == ["CCHC-1.1-a", "CCHC-1.1-b", "CCHC-1.2-a", "CCHC-2.1-a"]
    assert items[0] | {} == items[0] and {k: items[0][k] for k in ("title", "criterion", "owner", "due")} == {
        "title": "Báo cáo CCHC Quý I/2024",
        "criterion": "1.1",
        "owner": "vp-tk",
        "due": "2024-03-14",
    }

    deps = json.loads(runner.invoke(args=["departments", "list", "--unit", "gieng-day", "--json"]).output)
    assert deps == [{"code": "vh-tt", "name": "Văn hoá – Thông tin"}, {"code": "vp-tk", "name": "Văn phòng – Thống kê"}]


def test_cli_bad_catalog_exits_non_zero_and_writes_nothing(app, runner, catalog_dict, write_catalog):
    make_unit()
    catalog_dict["areas"][0]["criteria"][0]["rule"]["type"] = "magic"
    catalog_dict["areas"][1]["max_points"] = 9
    path = write_catalog(catalog_dict)
    before = counts()
    for args in (["catalog", "validate", str(path)], ["catalog", "import", str(path), "--unit", "gieng-day"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert f"{path}: areas[0].criteria[0].rule.type: is 'magic'" in result.output
        assert f"{path}: areas[1].max_points: area 2 has max_points 9 but its criteria add up to 8" in result.output
    assert counts() == before


def test_cli_unknown_unit(app, runner, catalog_dict, write_catalog):
    make_unit()
    result = runner.invoke(args=["catalog", "import", str(write_catalog(catalog_dict)), "--unit", "nowhere"])
    assert result.exit_code == 1
    assert "unit 'nowhere' does not exist; known units: gieng-day" in result.output
    assert "nothing was imported" in result.output
    assert counts()["Index"] == 0 and counts()["Department"] == 0


def test_cli_units_and_users(app, runner, catalog_dict, write_catalog):
    assert (
        runner.invoke(args=["units", "create", "--code", "gieng-day", "--name", "UBND phường Giếng Đáy"]).exit_code == 0
    )
    assert "exists already" in runner.invoke(args=["units", "create", "--code", "gieng-day", "--name", "x"]).output
    runner.invoke(args=["catalog", "import", str(write_catalog(catalog_dict)), "--unit", "gieng-day"])
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "lan",
            "--password",
            "a-long-password",
            "--role",
            "staff",
            "--unit",
            "gieng-day",
            "--department",
            "vp-tk",
            "--department",
            "vh-tt",
        ]
    )
    assert ok.exit_code == 0, ok.output
    from evidence_app.auth.models import User

    user = db.session.execute(select(User).where(User.username == "lan")).scalar_one()
    assert [d.code for d in user.departments] == ["vh-tt", "vp-tk"] and user.password_hash.startswith("$argon2id$")
    bad = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "minh",
            "--password",
            "a-long-password",
            "--unit",
            "gieng-day",
            "--department",
            "cong-an",
        ]
    )
    assert bad.exit_code == 1 and "department(s) cong-an do not exist in unit gieng-day" in bad.output
    assert db.session.execute(select(User).where(User.username == "minh")).scalar_one_or_none() is None
