"""Importing the province's table of scores: columns found by their Vietnamese headers, criteria by code then
title, scores stored per criterion and year, the deviation penalty computed; bad files refused whole."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import yaml
from sqlalchemy import select

from checklists import CATALOG_DIR
from evidence_app.catalog.models import Area, Criterion, Index
from evidence_app.cycle.models import CriterionResult, Proposal, ResultSet
from evidence_app.cycle.operations import ResultsRefused, import_results
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.cycle.sheets import write_csv, write_xlsx
from tests.helpers import import_file, make_unit

HEADER = ["Giải trình / ghi chú", "STT", "Mã", "Tiêu chí", "Điểm tối đa", "Điểm chốt", "Điểm tự chấm", "Điểm thẩm định"]


def seed_rows(path):
    """The ward's 2023 table, from the shipped catalog: every criterion's last-year score as the final and
    appraised score, its loss causes as the appraiser's note; area subtotals and a total, as provinces write."""
    catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = [HEADER]
    for n, area in enumerate(catalog["areas"], start=1):
        rows.append([None, n, area["code"], area["name"], area["max_points"], area.get("last_year_score"), None, None])
        for criterion in area["criteria"]:
            if criterion["rule"]["type"] == "not_applicable":
                continue
            note = "; ".join(c["text"] for c in criterion.get("loss_causes", []))
            score = criterion["last_year_score"]
            rows.append(
                [
                    note or None,
                    None,
                    criterion["code"],
                    criterion["title"],
                    criterion["max_points"],
                    score,
                    score,
                    score,
                ]
            )
    rows.append(
        [
            None,
            None,
            None,
            "Tổng cộng",
            catalog["index"]["max_points"],
            catalog["index"]["last_year"]["score"],
            None,
            None,
        ]
    )
    return catalog, rows


@pytest.fixture
def ward(app):
    unit = make_unit()
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, unit)
    return unit


@pytest.mark.parametrize("catalog_file,index_code", [("cchc-2024.yaml", "CCHC"), ("qn-dti-2024.yaml", "QN-DTI")])
def test_the_seed_wards_2023_figures_reproduce_the_catalogs_last_year_scores(
    ward, tmp_path, runner, catalog_file, index_code
):
    catalog, rows = seed_rows(CATALOG_DIR / "gieng-day" / catalog_file)
    sheet = write_xlsx(tmp_path / "ket-qua-2023.xlsx", rows)
    result = runner.invoke(
        args=["results", "import", str(sheet), "--unit", "gieng-day", "--index", index_code, "--year", "2023", "--json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["index"] == f"{index_code} 2024" and plan["dry_run"] is False
    assert plan["last_year_changes"] == [], "the imported figures are the catalog's last-year scores"
    expected = {
        c["code"]: Decimal(str(c["last_year_score"]))
        for a in catalog["areas"]
        for c in a["criteria"]
        if c["rule"]["type"] != "not_applicable"
    }
    stored = dict(
        db.session.execute(
            select(Criterion.code, CriterionResult.final_score).join(
                CriterionResult, CriterionResult.criterion_id == Criterion.id
            )
        ).all()
    )
    assert stored == expected
    result_set = db.session.execute(select(ResultSet)).scalar_one()
    assert result_set.year == 2023 and result_set.deviation_penalty == 0
    published = Decimal(str(catalog["index"]["last_year"]["score"]))
    assert abs(result_set.final_total - published) <= Decimal("0.5")  # the DTI pillars add to 695.9, published 696
    # every criterion that lost points has proposals, from the causes the catalog's authors gave it
    for area in catalog["areas"]:
        for c in area["criteria"]:
            if c["rule"]["type"] == "not_applicable" or c["last_year_score"] == c["max_points"]:
                continue
            causes = set(
                db.session.execute(
                    select(Proposal.cause_type)
                    .join(Criterion)
                    .join(Index, Criterion.index_id == Index.id)
                    .where(Index.code == index_code, Criterion.code == c["code"])
                ).scalars()
            )
            assert causes == {lc["type"] for lc in c.get("loss_causes", [])} or (
                not c.get("loss_causes") and causes == {"missing_evidence"}
            ), c["code"]


def test_columns_in_any_order_criteria_by_title_accents_and_spacing_ignored(app, catalog_dict, write_catalog, tmp_path):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    rows = [
        ["Điểm  thẩm định", "Tiêu chí / Mã", "Điểm tự chấm", "Điểm tối đa", "Điểm chốt", "Ghi chú"],
        [3, "bao cao  CCHC dinh ky", 4, 4, 3, "Báo cáo Quý I quá hạn"],  # matched by title
        ["7,5", "1.2. Tuyên truyền CCHC", "8", "8", None, None],  # code in the title cell
        [6, "2.1", 7, 7.5, 6, "Tỷ lệ số hoá đạt 80%"],
    ]
    plan = import_results(unit, "CCHC", 2024, write_csv(tmp_path / "kq.csv", rows, delimiter=";"))
    db.session.commit()
    got = {r["code"]: (r["self"], r["appraised"], r["final"], r["lost"], r["causes"]) for r in plan.rows}
    # every self-score here is more than 5% above the appraised score, but the 5% rule is on the index's total:
    # no criterion gets a deviation cause of its own (the index does: tests/cycle/test_causes_and_proposals.py)
    assert got == {
        "1.1": (4, 3, 3, 1, ["late_report"]),
        "1.2": (8, 7.5, 7.5, 0.5, ["missing_evidence"]),
        "2.1": (7, 6, 6, 1.5, ["target_not_met"]),
    }
    assert plan.missing == []
    # self 19 against appraised 16.5: more than 5% above → the index's penalty is recorded
    result_set = db.session.execute(select(ResultSet)).scalar_one()
    assert (result_set.self_total, result_set.appraised_total, result_set.final_total) == (
        19,
        Decimal("16.5"),
        Decimal("16.5"),
    )
    assert result_set.deviation_penalty == 1
    assert plan.totals["deviation_penalty"] == 1
    rows_1_1 = db.session.execute(select(CriterionResult).join(Criterion).where(Criterion.code == "1.1")).scalar_one()
    assert rows_1_1.points_lost == 1 and rows_1_1.note == "Báo cáo Quý I quá hạn"
    assert [c["type"] for c in rows_1_1.causes] == ["late_report"]


def test_a_dry_run_shows_every_change_and_writes_nothing(app, catalog_dict, write_catalog, tmp_path, runner):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    rows = [
        ["Mã", "Điểm tối đa", "Điểm thẩm định", "Điểm chốt"],
        ["1.1", 4, 2, 2],
        ["1.2", 8, 8, 8],
        ["2.1", 7.5, 7.5, 7.5],
    ]
    sheet = write_xlsx(tmp_path / "kq.xlsx", rows)
    events = db.session.query(AuditEvent).count()
    result = runner.invoke(
        args=["results", "import", str(sheet), "--unit", unit.code, "--index", "CCHC", "--year", "2024", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "Chạy thử: chưa ghi gì." in result.output
    assert "+ dòng   4  1.1" in result.output and "chốt      2  mất 2  [mã 1]" in result.output
    assert db.session.query(ResultSet).count() == 0 and db.session.query(CriterionResult).count() == 0
    assert db.session.query(AuditEvent).count() == events
    runner.invoke(args=["results", "import", str(sheet), "--unit", unit.code, "--index", "CCHC", "--year", "2024"])
    rows[1] = ["1.1", 4, 3, 3]
    write_xlsx(tmp_path / "kq.xlsx", rows)
    result = runner.invoke(
        args=["results", "import", str(sheet), "--unit", unit.code, "--index", "CCHC", "--year", "2024", "--dry-run"]
    )
    assert "~ dòng   4  1.1" in result.output and "(trước đây tự chấm —, thẩm định 2, chốt 2)" in result.output
    db.session.expire_all()
    assert (
        db.session.execute(
            select(CriterionResult.final_score).join(Criterion).where(Criterion.code == "1.1")
        ).scalar_one()
        == 2
    )


def test_results_become_last_years_scores_of_next_years_rubric(app, catalog_dict, write_catalog, tmp_path):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)  # CCHC 2024, last year (2023) 15.84
    rows = [
        ["Mã", "Điểm tối đa", "Điểm thẩm định", "Điểm chốt", "Giải trình"],
        ["1.1", 4, 2, 2, "Báo cáo năm không nộp"],
        ["1.2", 8, 8, 8, None],
        ["2.1", 7.5, 7.5, 7.5, None],
    ]
    plan = import_results(unit, "CCHC", 2023, write_xlsx(tmp_path / "kq.xlsx", rows))
    db.session.commit()
    assert plan.index == "CCHC 2024" and plan.proposals_target == "CCHC 2024"
    assert {c["code"]: (c["before"], c["after"]) for c in plan.last_year_changes} == {
        "1.1": (1.5, 2),
        "area 1": (9.5, 10),
        "2.1": (6.34, 7.5),
        "area 2": (6.34, 7.5),
        "total": (15.84, 17.5),
    }
    index = db.session.execute(select(Index)).scalar_one()
    assert (index.last_year, index.last_year_score) == (2023, Decimal("17.5"))
    assert db.session.execute(select(Area.last_year_score).where(Area.code == "1")).scalar_one() == 10
    proposals = db.session.execute(select(Proposal)).scalars().all()
    assert [(p.criterion.code, p.cause_type, p.is_report, p.state) for p in proposals] == [
        ("1.1", "late_report", True, "proposed")
    ]
    # the annual report again, titled and due as next year's rubric has it (not a guessed date)
    assert proposals[0].owner_department.code == "vp-tk" and proposals[0].due_date.isoformat() == "2024-12-05"
    assert proposals[0].title == "Báo cáo CCHC năm 2024"
    import_results(unit, "CCHC", 2023, write_xlsx(tmp_path / "kq.xlsx", rows))
    db.session.commit()
    assert db.session.query(Proposal).count() == 1, "running it again proposes nothing twice"


def _refused(unit, path, year=2024) -> list[str]:
    before = (
        db.session.query(ResultSet).count(),
        db.session.query(CriterionResult).count(),
        db.session.query(Proposal).count(),
        db.session.query(AuditEvent).count(),
    )
    with pytest.raises(ResultsRefused) as refused:
        import_results(unit, "CCHC", year, path)
    db.session.rollback()
    after = (
        db.session.query(ResultSet).count(),
        db.session.query(CriterionResult).count(),
        db.session.query(Proposal).count(),
        db.session.query(AuditEvent).count(),
    )
    assert after == before, "nothing written"
    return refused.value.problems


@pytest.fixture
def mini(app, catalog_dict, write_catalog):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    return unit


def test_no_recognisable_header_row(mini, tmp_path):
    path = write_xlsx(tmp_path / "kq.xlsx", [["Cột A", "Cột B"], ["1.1", 3]])
    [problem] = _refused(mini, path)
    assert problem.startswith("kq.xlsx: không tìm thấy dòng tiêu đề cột trong 30 dòng đầu")
    assert "Mã / Tiêu chí" in problem and "Điểm chốt / Điểm thẩm định" in problem


def test_a_score_above_the_maximum_names_the_row(mini, tmp_path):
    path = write_xlsx(tmp_path / "kq.xlsx", [HEADER[2:], ["1.1", "Báo cáo", 4, 3, 3, 3], ["1.2", "x", 8, "8,5", 8, 8]])
    assert _refused(mini, path) == [
        "kq.xlsx, trang tính «Sheet», dòng 5, cột D (Điểm chốt): điểm 8,5 của tiêu chí 1.2 vượt điểm tối đa 8; "
        "sửa điểm trong tệp"
    ]


def test_a_code_that_does_not_exist_and_the_same_criterion_twice(mini, tmp_path):
    path = write_csv(tmp_path / "kq.csv", [["Mã", "Điểm chốt"], ["1.1", 3], ["9.9", 1], ["1.1", 2], ["Tổng", 6]])
    assert _refused(mini, path) == [
        "kq.csv, dòng 3: tiêu chí '9.9' không có trong CCHC 2024; sửa STT, mã hoặc tên tiêu chí",
        "kq.csv, dòng 4: tiêu chí 1.1 đã có ở dòng 2; mỗi tiêu chí chỉ giữ một dòng",
    ]


def test_a_score_that_is_not_a_number_and_a_max_that_differs(mini, tmp_path):
    path = write_csv(tmp_path / "kq.csv", [["Mã", "Điểm tối đa", "Điểm chốt"], ["1.1", 5, "ba"]])
    assert _refused(mini, path) == [
        "kq.csv, dòng 2, cột C (Điểm chốt): 'ba' không phải là số; ghi dạng 15,84 hoặc 15.84",
        "kq.csv, dòng 2: tiêu chí 1.1 chưa có điểm: điền cột C (Điểm chốt)",
    ]
    path = write_csv(tmp_path / "kq.csv", [["Mã", "Điểm tối đa", "Điểm chốt"], ["1.2", 9, 3]])
    assert _refused(mini, path) == [
        "kq.csv, dòng 2, cột B (Điểm tối đa): tiêu chí 1.2 có điểm tối đa 9 trong tệp nhưng 8 trong CCHC 2024; "
        "sửa tệp hoặc bộ tiêu chí"
    ]


def test_a_real_maximum_replaces_an_estimated_one(mini, tmp_path):
    """1.1's 4 points are the unit's estimate: the province's table says 5, and that is shown, then stored."""
    path = write_csv(tmp_path / "kq.csv", [["Mã", "Điểm tối đa", "Điểm chốt"], ["1.1", 5, 3]])
    plan = import_results(mini, "CCHC", 2024, path, dry_run=True)
    assert plan.max_changes == [{"code": "1.1", "title": "Báo cáo CCHC định kỳ", "before": 4, "after": 5}]
    assert db.session.execute(select(Criterion.max_points).where(Criterion.code == "1.1")).scalar_one() == 4
    import_results(mini, "CCHC", 2024, path)
    criterion = db.session.execute(select(Criterion).where(Criterion.code == "1.1")).scalar_one()
    assert (criterion.max_points, criterion.points_estimated) == (5, False)


def test_an_index_that_does_not_exist(mini, tmp_path):
    path = write_csv(tmp_path / "kq.csv", [["Mã", "Điểm chốt"], ["1.1", 3]])
    assert _refused(mini, path, year=2021) == [
        "đơn vị gieng-day chưa có bộ chỉ số CCHC năm 2021 hoặc 2022 để đối chiếu kết quả (hiện có: CCHC 2024); "
        "nhập bộ tiêu chí trước bằng `minhchung catalog import`"
    ]


def test_the_cli_refuses_with_the_rows_and_a_non_zero_exit(mini, tmp_path, runner):
    path = write_csv(tmp_path / "kq.csv", [["Mã", "Điểm chốt"], ["1.1", 30]])
    result = runner.invoke(
        args=["results", "import", str(path), "--unit", "gieng-day", "--index", "CCHC", "--year", "2024"]
    )
    assert result.exit_code == 1
    assert "kq.csv, dòng 2, cột B (Điểm chốt): điểm 30 của tiêu chí 1.1 vượt điểm tối đa 4" in result.output
    assert "kq.csv: chưa nhập gì." in result.output
    assert db.session.query(ResultSet).count() == 0


def test_the_report_shows_last_years_final_score_beside_this_years_expected(app, catalog_dict, write_catalog, tmp_path):
    from tests.helpers import login, make_user

    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    make_user(unit, "admin", role="admin")
    rows = [["Mã", "Điểm chốt"], ["1.1", 2], ["1.2", 8], ["2.1", 7.5]]
    import_results(unit, "CCHC", 2023, write_csv(tmp_path / "kq.csv", rows))
    db.session.commit()
    client = app.test_client()
    login(client, "admin")
    html = client.get("/reports/?as_of=01/06/2024").get_data(as_text=True)
    table = html.split("So với năm trước")[1].split("</table>")[0]
    assert '<td>1. Chỉ đạo, điều hành</td><td class="num">10</td>' in table
    assert '<td>2. Chính quyền số</td><td class="num">7,5</td>' in table
