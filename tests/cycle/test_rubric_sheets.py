"""The rubric as the province's spreadsheet: imported through the same validation (messages name the row),
exported again as XLSX or YAML; next year's rubric carried with its diff, history and documents."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from checklists import CATALOG_DIR, CatalogError
from checklists.sheets import IndexInfo, load_rubric_sheet
from evidence_app.catalog.models import ChecklistItem, Criterion, Index
from evidence_app.cycle.models import Proposal
from evidence_app.cycle.operations import import_results
from evidence_app.evidence.models import Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from tests.cycle.sheets import write_csv, write_xlsx
from tests.evidence import corpus
from tests.helpers import import_file, make_unit, make_user

HEADER = [
    "STT",
    "Mã",
    "Tiêu chí / Chỉ tiêu",
    "Nhóm",
    "Điểm tối đa",
    "Cách tính điểm",
    "Tài liệu kiểm chứng",
    "Phụ trách",
    "Hạn xử lý",
]
INFO = IndexInfo("CCHC", "Chỉ số CCHC", 2025, __import__("datetime").date(2025, 12, 15))


def criteria_of(unit_code: str, year: int) -> dict:
    rows = db.session.execute(
        select(Criterion)
        .join(Index, Criterion.index_id == Index.id)
        .join(Index.unit)
        .where(Index.year == year)
        .where(Index.unit.has(code=unit_code))
    ).scalars()
    return {c.code: (c.title, c.area.code, c.max_points, c.last_year_score, c.rule_type, c.rule_params) for c in rows}


def test_the_seed_rubric_exported_as_xlsx_imports_again_the_same(app, runner, tmp_path):
    import_file(CATALOG_DIR / "gieng-day" / "cchc-2024.yaml", make_unit("gieng-day"))
    make_unit("bai-chay", "UBND phường Bãi Cháy")
    out = tmp_path / "cchc-2024.xlsx"
    assert (
        runner.invoke(
            args=[
                "catalog",
                "export",
                "--unit",
                "gieng-day",
                "--index",
                "CCHC",
                "--year",
                "2024",
                "--format",
                "xlsx",
                "--out",
                str(out),
            ]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        args=[
            "catalog",
            "import",
            str(out),
            "--unit",
            "bai-chay",
            "--index",
            "CCHC",
            "--year",
            "2024",
            "--assessment-date",
            "15/12/2024",
        ]
    )
    assert result.exit_code == 0, result.output
    assert criteria_of("bai-chay", 2024) == criteria_of("gieng-day", 2024)
    summaries = [
        json.loads(runner.invoke(args=["catalog", "summary", "--unit", u, "--json"]).output)["indices"][0]
        for u in ("gieng-day", "bai-chay")
    ]
    assert summaries[0]["areas"] == summaries[1]["areas"] and summaries[0]["max_points"] == summaries[1]["max_points"]
    again = runner.invoke(
        args=["catalog", "import", str(out), "--unit", "bai-chay", "--index", "CCHC", "--year", "2024"]
    )
    assert (
        "tạo mới 0 bộ phận, 0 nội dung, 0 tiêu chí, 0 tài liệu; cập nhật 0 nội dung, 0 tiêu chí, 0 tài liệu"
        in again.output
    )


def test_the_yaml_export_imports_again_without_a_change(app, runner, tmp_path):
    unit = make_unit()
    import_file(CATALOG_DIR / "gieng-day" / "qn-dti-2024.yaml", unit)
    out = tmp_path / "dti.yaml"
    runner.invoke(
        args=[
            "catalog",
            "export",
            "--unit",
            unit.code,
            "--index",
            "QN-DTI",
            "--year",
            "2024",
            "--format",
            "yaml",
            "--out",
            str(out),
        ]
    )
    result = runner.invoke(args=["catalog", "import", str(out), "--unit", unit.code])
    assert "cập nhật 0 nội dung, 0 tiêu chí, 0 tài liệu; xoá 0 nội dung, 0 tiêu chí, 0 tài liệu" in result.output, (
        result.output
    )


def test_codes_give_the_tree_names_give_the_departments(tmp_path):
    rows = [
        HEADER,
        [1, "1", "Chỉ đạo, điều hành", None, 3, None, None, None, None],
        [None, "1.1", "Báo cáo định kỳ", None, 2, None, None, None, None],  # a group: its points are its children's
        [
            None,
            "1.1.1",
            "Báo cáo Quý I",
            "Chỉ đạo, điều hành",
            1,
            "Trừ 0,5 điểm mỗi vi phạm",
            "Báo cáo Quý I\nẢnh gửi",
            "Văn phòng - Thống kê",
            "15/03/2025",
        ],
        [
            None,
            "1.1.2",
            "Báo cáo năm",
            None,
            1,
            "Có: đủ điểm; Không: 0 điểm",
            "Báo cáo năm",
            "Văn phòng – Thống kê",
            "05/12/2025",
        ],
        [None, "1.2", "Tỷ lệ khảo sát", None, 1, "Tỷ lệ: đủ điểm khi đạt 15%", None, "Một cửa", None],
    ]
    catalog = load_rubric_sheet(
        write_xlsx(tmp_path / "r.xlsx", rows), INFO, departments={"Văn phòng – Thống kê": "vp-tk"}
    )
    [area] = catalog.areas
    assert [(c.code, c.max_points, c.rule.type, c.department) for c in area.criteria] == [
        ("1.1.1", 1, "deduction", "vp-tk"),
        ("1.1.2", 1, "binary", "vp-tk"),
        ("1.2", 1, "ratio", "mot-cua"),
    ]
    assert [(i.code, i.title, i.due.isoformat()) for i in area.criteria[0].items] == [
        ("CCHC-2025-1.1.1-a", "Báo cáo Quý I", "2025-03-15"),
        ("CCHC-2025-1.1.1-b", "Ảnh gửi", "2025-03-15"),
    ]
    assert area.criteria[2].items[0].due.isoformat() == "2025-12-15", "no deadline: the assessment date"
    assert {d.code: d.name for d in catalog.departments} == {"vp-tk": "Văn phòng - Thống kê", "mot-cua": "Một cửa"}


def _problems(tmp_path, rows) -> list[str]:
    with pytest.raises(CatalogError) as refused:
        load_rubric_sheet(write_csv(tmp_path / "r.csv", rows), INFO)
    return [str(p) for p in refused.value.problems]


def test_bad_sheets_name_the_row_and_column(tmp_path):
    assert _problems(tmp_path, [["Cột", "Khác"], ["1.1", 2]])[0].startswith(
        "no header row found in the first 30 rows: expected a row with the columns Mã · Tiêu chí / Chỉ tiêu · Điểm tối đa"
    )
    rows = [
        HEADER,
        [1, "1", "Chỉ đạo", None, 3, None, None, None, None],
        [None, "1.1", "Báo cáo", None, 2, None, None, "vp-tk", "32/13/2025"],
        [None, "1.2", "Tuyên truyền", None, "hai", None, None, "vp-tk", None],
        [None, "1.2", "Lặp", None, 1, None, None, "vp-tk", None],
    ]
    assert _problems(tmp_path, rows) == [
        "row 5, column 'Mã': '1.2' is used twice (also on row 4); codes are unique",
        "row 3, column 'Hạn xử lý': '32/13/2025' is not a date such as 15/12/2025",
        "row 4, column 'Điểm tối đa': 'hai' is not a number",
    ]
    rows = [
        HEADER,
        [1, "1", "Chỉ đạo", None, 3, None, None, None, None],
        [None, "1.1", "Báo cáo", None, 2, "Trừ 0,5 điểm mỗi vi phạm", None, "vp-tk", None],
        [None, "1.2", None, None, 0, None, None, "vp-tk", None],
    ]
    assert _problems(tmp_path, rows) == [
        "row 4, column 'Tiêu chí / Chỉ tiêu': is missing: expected a text",
        "row 4, column 'Điểm tối đa': is 0: expected a number above 0",
    ]
    rows = [
        HEADER,
        [1, "1", "Chỉ đạo", None, 5, None, None, None, None],
        [None, "1.1", "Báo cáo", None, 2, None, None, "vp-tk", None],
    ]
    assert _problems(tmp_path, rows) == [
        "row 2, column 'Điểm tối đa': area 1 has max_points 5 but its criteria add up to 2 (1.1: 2); make them equal"
    ]


NEXT_YEAR = [
    HEADER,
    [1, "1", "Chỉ đạo, điều hành", None, 13, None, None, None, None],
    [
        None,
        "1.1",
        "Báo cáo CCHC định kỳ",
        None,
        4,
        "Trừ 1,25 điểm mỗi vi phạm",
        "Báo cáo CCHC Quý I/2024\nBáo cáo năm",
        "Văn phòng – Thống kê",
        "14/03/2025",
    ],
    [None, "1.2", "Ứng dụng CNTT trong tuyên truyền", None, 8, None, "Kế hoạch", "Văn hoá – Thông tin", "30/04/2025"],
    [
        None,
        "1.3",
        "Sáng kiến CCHC",
        None,
        1,
        None,
        "Quyết định công nhận sáng kiến",
        "Văn phòng – Thống kê",
        "30/10/2025",
    ],
    [2, "2", "Chính quyền số", None, 7, None, None, None, None],
    [
        None,
        "2.1",
        "Tỷ lệ số hoá hồ sơ",
        None,
        7,
        "Theo tỷ lệ đạt: ≥100%: 100% điểm; ≥90%: 50% điểm",
        "Thống kê số hoá",
        "Văn phòng – Thống kê",
        "30/11/2025",
    ],
]


@pytest.fixture
def last_year(app, catalog_dict, write_catalog, tmp_path):
    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)  # CCHC 2024
    staff = make_user(unit, "cb", departments=["vp-tk"])
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.1-a")).scalar_one()
    still_valid = upload_document(
        corpus.jpeg(tmp_path, "a.jpg"), "a.jpg", user=staff, items=[item], fields=DocumentFields()
    )
    expired = upload_document(
        corpus.jpeg(tmp_path, "b.jpg", size=(300, 100)), "b.jpg", user=staff, items=[item], fields=DocumentFields()
    )
    expired.document.period_end = __import__("datetime").date(2024, 12, 31)
    for link in still_valid.new_links + expired.new_links:
        link.state = "approved"
    results = write_xlsx(
        tmp_path / "kq-2024.xlsx",
        [
            ["Mã", "Điểm tự chấm", "Điểm thẩm định", "Điểm chốt", "Ghi chú"],
            ["1.1", 4, 2.75, 2.75, "Báo cáo Quý III quá hạn"],
            ["1.2", 8, 8, 8, None],
            ["2.1", 7.5, 6, 6, "Số hoá đạt 92%"],
        ],
    )
    import_results(unit, "CCHC", 2024, results)
    db.session.commit()
    return unit, write_xlsx(tmp_path / "cchc-2025.xlsx", NEXT_YEAR)


def test_next_years_rubric_diff_dry_run_writes_nothing(last_year, runner):
    unit, sheet = last_year
    result = runner.invoke(
        args=["catalog", "import", str(sheet), "--unit", unit.code, "--index", "CCHC", "--year", "2025", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "So với CCHC 2024: thêm 1, bỏ 1, chuyển 0, đổi nghĩa mã 1, đổi điểm 1" in result.output
    assert "  thêm: 1.3 Sáng kiến CCHC" in result.output
    assert "  bỏ: 2.2 Tiêu chí không áp dụng" in result.output
    assert "  mã đổi nghĩa: 1.2: «Tuyên truyền CCHC» (1) → «Ứng dụng CNTT trong tuyên truyền» (1)" in result.output
    assert "  điểm tối đa: 2.1: 7.5 → 7" in result.output
    assert "Chạy thử: chưa ghi gì." in result.output
    assert db.session.execute(select(Index).where(Index.year == 2025)).first() is None


def test_next_years_rubric_keeps_the_history_of_persisting_codes(last_year, runner):
    unit, sheet = last_year
    result = runner.invoke(
        args=[
            "catalog",
            "import",
            str(sheet),
            "--unit",
            unit.code,
            "--index",
            "CCHC",
            "--year",
            "2025",
            "--relink-as",
            "cb",
        ]
    )
    assert result.exit_code == 0, result.output
    new = db.session.execute(select(Index).where(Index.year == 2025)).scalar_one()
    assert (new.name, new.assessment_date.isoformat(), new.last_year, new.last_year_score) == (
        "Chỉ số cải cách hành chính",
        "2025-12-15",
        2024,
        Decimal("16.75"),
    )
    c = {x.code: x for x in db.session.execute(select(Criterion).where(Criterion.index_id == new.id)).scalars()}
    # 2.1's maximum went from 7.5 to 7: its 6 points are converted (× 7/7,5) and marked so
    assert (c["1.1"].last_year_score, c["2.1"].last_year_score) == (Decimal("2.75"), Decimal("5.6"))
    assert c["1.1"].last_year_note is None
    assert c["2.1"].last_year_note == "Đã quy đổi: 6/7,5 điểm × 7/7,5 (hệ số 0,9333) = 5,6/7"
    assert c["1.2"].last_year_score is None, "re-pointed: another criterion, no history"
    assert c["1.3"].last_year_score is None
    assert c["1.1"].loss_causes == [{"type": "late_report", "text": "Báo cáo Quý III quá hạn"}]
    assert [t["type"] for t in c["2.1"].loss_causes] == ["target_not_met"]
    proposals = db.session.execute(select(Proposal.cause_type, Criterion.code).join(Criterion)).all()
    # the self-score deviation (19.5 against 16.75 in all) is the index's: one proposal, not one per criterion
    assert sorted(proposals) == [
        ("late_report", "1.1"),
        ("self_score_deviation", "1.1"),
        ("target_not_met", "2.1"),
        ("target_not_met", "2.1"),
    ]
    assert (
        "Đã chuyển từ kết quả năm 2024: 2 điểm năm trước, trong đó 1 điểm đã quy đổi theo điểm tối đa mới; "
        "nguyên nhân mất điểm của 2 tiêu chí; đề xuất 4 tài liệu" in result.output
    )
    assert "Tài liệu còn hiệu lực, đề nghị gắn lại: 1" in result.output
    assert "  a.jpg → CCHC-2025-1.1-a" in result.output and "b.jpg" not in result.output
    relinked = db.session.execute(
        select(Evidence).join(ChecklistItem).where(ChecklistItem.code == "CCHC-2025-1.1-a")
    ).scalar_one()
    assert relinked.state == "submitted" and relinked.document.filename == "a.jpg"
    again = runner.invoke(
        args=["catalog", "import", str(sheet), "--unit", unit.code, "--index", "CCHC", "--year", "2025"]
    )
    assert "cập nhật 0 nội dung, 0 tiêu chí, 0 tài liệu" in again.output and "So với" not in again.output, again.output
    assert "Tài liệu còn hiệu lực" not in again.output, "already relinked"
    assert db.session.query(Proposal).count() == 4


def test_next_years_rubric_with_an_unknown_relinking_user_writes_nothing(last_year, runner):
    unit, sheet = last_year
    result = runner.invoke(
        args=[
            "catalog",
            "import",
            str(sheet),
            "--unit",
            unit.code,
            "--index",
            "CCHC",
            "--year",
            "2025",
            "--relink-as",
            "nobody",
        ]
    )
    assert result.exit_code != 0 and "user 'nobody' does not exist in unit 'gieng-day'" in result.output
    db.session.rollback()
    assert db.session.execute(select(Index).where(Index.year == 2025)).first() is None, "one transaction: no index"
    assert db.session.query(Proposal).count() == 0
