"""The official score table as provinces publish it: title rows, a two-row merged header, the STT column as the
tree (I, II… areas; 1, 2… criteria; a, b sub-criteria), a "Tổng cộng" row, another sheet before it; imported into
the demo ward, whose catalogs are estimated ("Các tiêu chí còn lại"), the table's criteria replace the estimate."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from checklists import CATALOG_DIR
from checklists.score_tables import Sheet, find_score_table, read_tree, sum_problems
from evidence_app.catalog.models import Area, ChecklistItem, Criterion, Index
from evidence_app.cycle.models import CriterionResult, ResultSet
from evidence_app.cycle.operations import RESULT_COLUMNS, RESULT_REQUIRED, ResultsRefused, import_results
from evidence_app.evidence.models import Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.evidence import corpus
from tests.helpers import import_file, login, make_unit, make_user

# STT, title, max, self, appraised, note: areas I and II of the ward's CCHC table of 2023
ROWS = [
    ["I", "Công tác chỉ đạo, điều hành CCHC", 17, 15, 12.5, None],
    [1, "Kế hoạch CCHC", 3, 3, 3, None],
    ["a", "Ban hành kế hoạch CCHC đúng thời hạn", 1, 1, 1, None],
    ["b", "Mức độ thực hiện kế hoạch CCHC", 2, 2, 2, None],
    [2, "Báo cáo CCHC định kỳ (Quý I, 6 tháng, 9 tháng, năm)", 4, 4, 3, "Báo cáo Quý I quá hạn"],
    [3, "Báo cáo thực hiện Nghị quyết 05-NQ/TU gửi đúng hạn", 1, 1, 0, "Không nộp báo cáo"],
    [4, "Tuyên truyền CCHC có minh chứng hình thức phối hợp", 2, 2, 1.5, None],
    [5, "Kiểm tra công tác CCHC", 4, 3, 3, None],
    [6, "Thực hiện nhiệm vụ được giao", 3, 2, 2, None],
    ["II", "Cải cách thể chế", 8, 8, 7.5, None],
    [1, "Theo dõi tình hình thi hành pháp luật", 2, 2, 2, None],
    [2, "Rà soát, hệ thống hoá văn bản quy phạm pháp luật", 1, 1, 1, None],
    [3, "Tổ chức phổ biến, giáo dục pháp luật", 3, 3, 3, None],
    [4, "Đánh giá chuẩn tiếp cận pháp luật", 1, 1, 1, None],
    [5, "Kiểm tra, xử lý văn bản", 1, 1, 0.5, None],
]
TOTAL = ["Tổng cộng", 25, 23, 20]


def province_table(path, rows=ROWS, total=TOTAL):
    """The layout provinces publish: a notes sheet first; then three title rows, a header on two rows (STT,
    title, maximum and note merged down; "Kết quả" merged over the self and appraised scores), a row of column
    numbers, the tree, the total."""
    book = Workbook()
    notes = book.active
    notes.title = "Hướng dẫn"
    notes.append(["Bảng điểm kèm theo Quyết định chấm điểm; xem trang tính thứ hai."])
    notes.append(["Điểm", "được làm tròn đến 2 chữ số thập phân"])
    sheet = book.create_sheet("P. Giếng Đáy")
    sheet.append(["UBND THÀNH PHỐ HẠ LONG"])
    sheet.append(["BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023"])
    sheet.append(["(Kèm theo Quyết định số 1234/QĐ-UBND ngày 15/02/2024)"])
    for r in (1, 2, 3):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
    sheet.append(["STT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Kết quả", None, "Giải trình"])
    sheet.append([None, None, None, "Điểm tự đánh giá", "Điểm thẩm định", None])
    for column in (1, 2, 3, 6):
        sheet.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    sheet.merge_cells(start_row=4, start_column=4, end_row=4, end_column=5)
    sheet.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"])
    for row in rows:
        sheet.append(row)
    sheet.append([None, *total])
    sheet.append([None, "Ghi chú: điểm làm tròn đến hai chữ số thập phân"])
    sheet.append([None, None, None, "NGƯỜI LẬP BIỂU", None, "CHỦ TỊCH"])
    book.save(path)
    return path


@pytest.fixture
def ward(app):
    unit = make_unit()
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, unit)
    make_user(unit, "admin", role="admin")
    make_user(unit, "cb-vp-tk", departments=["vp-tk"])
    return unit


def criteria(area_code: str) -> dict[str, tuple[str, Decimal, str, bool]]:
    return {
        c.code: (c.title, c.max_points, c.rule_type, c.points_estimated)
        for c in db.session.execute(
            select(Criterion)
            .join(Area, Criterion.area_id == Area.id)
            .join(Index, Criterion.index_id == Index.id)
            .where(Index.code == "CCHC", Area.code == area_code)
        ).scalars()
    }


def test_the_header_the_tree_and_the_totals_are_read_from_the_provinces_layout(app, tmp_path):
    from checklists.score_tables import read_sheets

    sheets = read_sheets(province_table(tmp_path / "kq.xlsx"), None, lambda m, **v: m % v)
    assert [s.name for s in sheets] == ["Hướng dẫn", "P. Giếng Đáy"]
    assert find_score_table(sheets[0], RESULT_COLUMNS, RESULT_REQUIRED) is None
    table = find_score_table(sheets[1], RESULT_COLUMNS, RESULT_REQUIRED)
    assert table.header_rows == (4, 5)
    assert table.columns == {
        "stt": (0, "STT"),
        "title": (1, "Lĩnh vực/Tiêu chí/Tiêu chí thành phần"),
        "max": (2, "Điểm tối đa"),
        "self": (3, "Kết quả / Điểm tự đánh giá"),
        "appraised": (4, "Kết quả / Điểm thẩm định"),
        "note": (5, "Giải trình"),
    }
    read_tree(table)
    assert [(r.number, r.code, r.parent) for r in table.rows[:16]] == [
        (7, "1", None),
        (8, "1.1", "1"),
        (9, "1.1.1", "1.1"),
        (10, "1.1.2", "1.1"),
        (11, "1.2", "1"),
        (12, "1.3", "1"),
        (13, "1.4", "1"),
        (14, "1.5", "1"),
        (15, "1.6", "1"),
        (16, "2", None),
        (17, "2.1", "2"),
        (18, "2.2", "2"),
        (19, "2.3", "2"),
        (20, "2.4", "2"),
        (21, "2.5", "2"),
        (22, None, None),
    ]
    assert table.rows[15].total
    assert [(r.code, r.total) for r in table.rows[16:]] == [(None, False), (None, False)]  # a note, the signatures
    assert sum_problems(table, lambda m, **v: m % v) == []


def test_a_total_that_is_not_the_sum_of_its_rows_is_reported_with_its_sheet_row_and_column(app, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][4] = 13  # area I appraised: its criteria add to 12.5
    sheet = province_table(tmp_path / "kq.xlsx", rows, ["Tổng cộng", 25, 23, 21])
    from checklists.score_tables import read_sheets

    table = find_score_table(read_sheets(sheet, None, lambda m, **v: m % v)[1], RESULT_COLUMNS, RESULT_REQUIRED)
    read_tree(table)
    assert sum_problems(table, lambda m, **v: m % v) == [
        "sheet P. Giếng Đáy, row 7, column E (Kết quả / Điểm thẩm định): the total 13 is not the sum of the 6 rows "
        "under it (12,5); check those rows' scores",
        "sheet P. Giếng Đáy, row 22, column E (Kết quả / Điểm thẩm định): the total 21 is not the sum of the 2 rows "
        "under it (20,5); check those rows' scores",
    ]


def test_a_total_written_rounded_is_the_sum_to_its_precision(app, tmp_path):
    """The province writes 696 for pillars adding to 695.9: the total is checked to the precision written."""
    sheet = Sheet("kq", [["STT", "Tiêu chí", "Điểm thẩm định"], [1, "A", 300.4], [2, "B", 395.5], [None, "Tổng", 696]])
    table = find_score_table(sheet, RESULT_COLUMNS, RESULT_REQUIRED)
    read_tree(table)
    assert sum_problems(table, lambda m, **v: m % v) == []


def _link(ward, tmp_path, item_code: str):
    staff = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == item_code)).scalar_one()
    from evidence_app.models import User

    user = db.session.execute(select(User).where(User.username == "cb-vp-tk")).scalar_one()
    return upload_document(
        corpus.pdf(tmp_path, f"{item_code}.pdf"), f"{item_code}.pdf", user=user, items=[staff], fields=DocumentFields()
    ).document


def test_the_table_replaces_the_estimated_rubric_in_a_dry_run_then_for_real(ward, tmp_path, runner):
    sheet = province_table(tmp_path / "ket-qua-2023.xlsx")
    kept = _link(ward, tmp_path, "CCHC-1.1-a")  # on a criterion the table names: it stays
    moved = _link(ward, tmp_path, "CCHC-1.4-a")  # on the block of remaining criteria, which the table replaces
    before = criteria("1")
    events = db.session.query(AuditEvent).count()

    result = runner.invoke(
        args=["results", "import", str(sheet), "--unit", "gieng-day", "--index", "CCHC", "--year", "2023", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Kết quả năm 2023 đối chiếu với CCHC 2024: 12 tiêu chí, đọc từ trang tính «P. Giếng Đáy»" in out
    assert "Bỏ qua trang tính «Hướng dẫn»: không có dòng tiêu đề cột" in out
    assert re.search(r"\+ dòng  11  1\.2 .*\[tên 0,95\]", out), out  # matched by title, renumbered 1.1 → 1.2
    assert re.search(r"\+ dòng  17  2\.1 .*\[mã và tên 1\]", out), out
    assert re.search(r"\+ dòng  20  2\.4 .*\[mã và tên 0,9\d\]", out), out  # "Đánh giá (phường đạt) chuẩn…"
    assert re.search(r"\+ dòng  14  1\.5 .*\[tiêu chí mới 1\]", out), out
    assert "Bộ tiêu chí ước tính của CCHC 2024 được thay bằng các tiêu chí trong bảng điểm:" in out
    assert "  - 1.4 Các tiêu chí còn lại (tối đa 13)" in out and "  - 2.5 Các tiêu chí còn lại (tối đa 4)" in out
    assert "  + 1.1.1 Ban hành kế hoạch CCHC đúng thời hạn (tối đa 1, dòng 9)" in out
    assert "  ~ 1.1 → 1.2 Báo cáo CCHC định kỳ (Quý I, 6 tháng, 9 tháng, năm)" in out
    assert "Điểm tối đa của 1.2: 2 (ước tính) → 4 (theo bảng điểm)" in out
    assert "  ~ 2.4 Đánh giá chuẩn tiếp cận pháp luật" in out  # the table's wording
    assert "đầu mục CCHC-1.4-a (cùng các tài liệu đã gắn) chuyển từ «Các tiêu chí còn lại» sang" in out
    assert "Điểm năm trước của CCHC 2024 nội dung 1: 14 → 12,5" in out
    assert "late_report" not in out and "missing_evidence" not in out, "causes in words, not their keys"
    assert "Chạy thử: chưa ghi gì." in out
    db.session.expire_all()
    assert criteria("1") == before and db.session.query(ResultSet).count() == 0
    assert db.session.query(AuditEvent).count() == events

    result = runner.invoke(
        args=["results", "import", str(sheet), "--unit", "gieng-day", "--index", "CCHC", "--year", "2023", "--json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["sheet"] == "P. Giếng Đáy" and plan["sum_warnings"] == []
    # every criterion row read: the leaves of the tree (1.1 is the subtotal of a and b)
    assert [r["row"] for r in plan["rows"]] == [9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21]
    db.session.expire_all()
    area_1 = criteria("1")
    assert {code: (title, points) for code, (title, points, _r, _e) in area_1.items()} == {
        "1.1.1": ("Ban hành kế hoạch CCHC đúng thời hạn", 1),
        "1.1.2": ("Mức độ thực hiện kế hoạch CCHC", 2),
        "1.2": ("Báo cáo CCHC định kỳ (Quý I, 6 tháng, 9 tháng, năm)", 4),
        "1.3": ("Báo cáo thực hiện Nghị quyết 05-NQ/TU gửi đúng hạn", 1),
        "1.4": ("Tuyên truyền CCHC có minh chứng hình thức phối hợp", 2),
        "1.5": ("Kiểm tra công tác CCHC", 4),
        "1.6": ("Thực hiện nhiệm vụ được giao", 3),
    }
    assert not any(rule == "remainder" or estimated for _t, _p, rule, estimated in area_1.values())
    assert sum(p for _t, p, _r, _e in area_1.values()) == 17
    assert "remainder" not in {rule for _t, _p, rule, _e in criteria("2").values()}
    assert criteria("2")["2.4"][0] == "Đánh giá chuẩn tiếp cận pháp luật"
    assert any(rule == "remainder" for _t, _p, rule, _e in criteria("3").values()), "areas not in the table stay"
    # the evidence stays linked: on the persisting criterion (renumbered), and on the moved item
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.1-a")).scalar_one()
    assert item.criterion.code == "1.2"
    assert db.session.execute(select(Evidence.item_id).where(Evidence.document_id == kept.id)).scalar_one() == item.id
    moved_item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.4-a")).scalar_one()
    assert moved_item.criterion.area.code == "1" and moved_item.criterion.rule_type != "remainder"
    assert db.session.execute(select(Evidence.item_id).where(Evidence.document_id == moved.id)).scalar_one() == (
        moved_item.id
    )
    # the scores are stored per criterion, and become last year's scores of the (same) 2024 rubric
    finals = dict(
        db.session.execute(
            select(Criterion.code, CriterionResult.final_score).join(
                CriterionResult, CriterionResult.criterion_id == Criterion.id
            )
        ).all()
    )
    assert finals["1.2"] == 3 and finals["1.1.1"] == 1 and finals["2.5"] == Decimal("0.5")
    result_set = db.session.execute(select(ResultSet)).scalar_one()
    assert (result_set.final_total, result_set.published_total, result_set.self_total) == (20, 20, 23)
    last_year = select(Criterion.last_year_score).join(Index, Criterion.index_id == Index.id)
    assert db.session.execute(last_year.where(Index.code == "CCHC", Criterion.code == "1.5")).scalar_one() == 3
    actions = [a for (a,) in db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).all()]
    assert actions[-2:] == ["results.rubric", "results.import"]

    again = runner.invoke(
        args=["results", "import", str(sheet), "--unit", "gieng-day", "--index", "CCHC", "--year", "2023", "--json"]
    )
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["rubric"] is None, "importing the same table again changes no criterion"


def test_a_wrong_total_is_reported_in_the_dry_run(ward, tmp_path, runner):
    rows = [list(r) for r in ROWS]
    rows[9][4] = 8  # area II appraised: its criteria add to 7.5
    sheet = province_table(tmp_path / "kq.xlsx", rows)
    result = runner.invoke(
        args=["results", "import", str(sheet), "--unit", "gieng-day", "--index", "CCHC", "--year", "2023", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "Cảnh báo: kq.xlsx, trang tính «P. Giếng Đáy», dòng 16, cột E (Kết quả / Điểm thẩm định): tổng 8 không "
        "bằng tổng 5 dòng bên dưới (7,5); kiểm tra điểm các dòng đó" in result.output
    )


def test_a_bad_row_refuses_the_whole_table_naming_the_sheet_row_and_column_in_vietnamese(ward, tmp_path, runner):
    rows = [list(r) for r in ROWS]
    rows[7][4] = 5  # "Kiểm tra công tác CCHC", maximum 4
    rows[8][2] = "ba"
    sheet = province_table(tmp_path / "kq.xlsx", rows)
    with pytest.raises(ResultsRefused) as refused:
        import_results(ward, "CCHC", 2023, sheet)
    db.session.rollback()
    assert refused.value.problems == [
        "kq.xlsx, trang tính «P. Giếng Đáy», dòng 14, cột E (Kết quả / Điểm thẩm định): điểm 5 của tiêu chí 1.5 "
        "vượt điểm tối đa 4; sửa điểm trong tệp",
        "kq.xlsx, trang tính «P. Giếng Đáy», dòng 15, cột C (Điểm tối đa): 'ba' không phải là số; ghi dạng 15,84 "
        "hoặc 15.84",
    ]
    rows[8][2] = None
    with pytest.raises(ResultsRefused) as refused:
        import_results(ward, "CCHC", 2023, province_table(tmp_path / "kq.xlsx", rows))
    db.session.rollback()
    assert refused.value.problems[1:] == [
        "kq.xlsx, trang tính «P. Giếng Đáy», dòng 15: 1.6 Thực hiện nhiệm vụ được giao là tiêu chí mới của bộ tiêu "
        "chí: điền điểm tối đa (cột Điểm tối đa)",
    ]
    assert any(r == "remainder" for _t, _p, r, _e in criteria("1").values()), "nothing written"
    result = runner.invoke(
        args=["results", "import", str(sheet), "--unit", "gieng-day", "--index", "CCHC", "--year", "2023"]
    )
    assert result.exit_code == 1 and "kq.xlsx: chưa nhập gì." in result.output


def test_the_page_shows_the_pairs_and_the_replaced_rubric_then_applies_it(ward, tmp_path, client):
    from tests.cycle.test_proposal_pages import csrf

    sheet = province_table(tmp_path / "ket-qua-2023.xlsx")
    login(client, "admin")
    token = csrf(client, "/admin/results")
    with open(sheet, "rb") as f:
        page = client.post(
            "/admin/results",
            data={"csrf_token": token, "index_code": "CCHC", "year": "2023", "file": (f, "ket-qua-2023.xlsx")},
            content_type="multipart/form-data",
        )
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "Đọc từ trang tính «P. Giếng Đáy»." in html
    assert "Bỏ qua trang tính «Hướng dẫn»" in html
    assert "Bộ tiêu chí ước tính của CCHC 2024 được thay bằng các tiêu chí trong bảng điểm:" in html
    assert "thêm: 1.5 Kiểm tra công tác CCHC (tối đa 4, dòng 14)" in html
    assert "đổi mã: 1.1 → 1.2 Báo cáo CCHC định kỳ" in html and "đổi tên: 2.4 Đánh giá chuẩn tiếp cận" in html
    assert '<td class="small">tên (0,95)</td>' in html and "tiêu chí mới (1)" in html
    assert db.session.query(ResultSet).count() == 0, "the upload is a dry run"
    apply = dict(
        re.findall(
            r'<input id="(?:\w+)" name="(\w+)" type="hidden" value="([^"]*)"',
            html.split('action="/admin/results/apply"')[1].split("</form>")[0],
        )
    )
    assert client.post("/admin/results/apply", data=apply).status_code == 303
    db.session.expire_all()
    assert db.session.query(CriterionResult).count() == 12
    assert "1.1.1" in criteria("1") and "1.4" in criteria("1") and criteria("1")["1.4"][2] != "remainder"


def test_the_page_refuses_a_table_without_a_header_in_vietnamese(ward, tmp_path, client):
    from tests.cycle.test_proposal_pages import csrf

    book = Workbook()
    book.active.append(["Cột A", "Cột B"])
    book.save(tmp_path / "kq.xlsx")
    login(client, "admin")
    token = csrf(client, "/admin/results")
    with open(tmp_path / "kq.xlsx", "rb") as f:
        page = client.post(
            "/admin/results",
            data={"csrf_token": token, "index_code": "CCHC", "year": "2023", "file": (f, "kq.xlsx")},
            content_type="multipart/form-data",
        )
    assert page.status_code == 422
    assert "kq.xlsx: không tìm thấy dòng tiêu đề cột trong 30 dòng đầu của trang tính nào" in page.get_data(
        as_text=True
    )


def test_a_two_row_header_without_merged_cells_and_a_total_in_the_stt_column(app):
    """As a CSV carries it: "Kết quả" alone on the first row, the scores' names under it, the other headers
    above empty cells; "Tổng cộng" written in the STT column."""
    sheet = Sheet(
        "kq.csv",
        [
            ["STT", "Tiêu chí", "Điểm tối đa", "Kết quả", None],
            [None, None, None, "Điểm tự chấm", "Điểm thẩm định"],
            ["I", "Chỉ đạo", 3, 3, 2],
            [1, "Báo cáo", 1, 1, 0],
            [2, "Kế hoạch", 2, 2, 2],
            ["Tổng cộng", None, 3, 3, 2],
        ],
    )
    table = find_score_table(sheet, RESULT_COLUMNS, RESULT_REQUIRED)
    assert table.header_rows == (1, 2)
    assert {k: h for k, (_c, h) in table.columns.items()} == {
        "stt": "STT",
        "title": "Tiêu chí",
        "max": "Điểm tối đa",
        "self": "Kết quả / Điểm tự chấm",
        "appraised": "Điểm thẩm định",  # without a merged cell, "Kết quả" is above its first column only
    }
    read_tree(table)
    assert [(r.code, r.total) for r in table.rows] == [("1", False), ("1.1", False), ("1.2", False), (None, True)]
    assert sum_problems(table, lambda m, **v: m % v) == []


def test_of_two_sheets_that_match_the_one_matching_more_rows_is_read_and_the_other_is_named(ward, tmp_path):
    path = province_table(tmp_path / "kq.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(path)
    other = book.create_sheet("P. Bãi Cháy")
    other.append(["STT", "Tiêu chí", "Điểm tối đa", "Điểm thẩm định"])
    other.append(["I", "Công tác chỉ đạo, điều hành CCHC", 17, 16])
    other.append([2, "Báo cáo CCHC định kỳ (Quý I, 6 tháng, 9 tháng, năm)", 4, 4])
    book.save(path)
    plan = import_results(ward, "CCHC", 2023, path, dry_run=True)
    assert plan.sheet == "P. Giếng Đáy" and len(plan.rows) == 12
    assert plan.skipped_sheets == [
        "trang tính «Hướng dẫn»: không có dòng tiêu đề cột (Tiêu chí, Điểm thẩm định…)",
        "trang tính «P. Bãi Cháy»: 1 dòng khớp, ít hơn trang tính «P. Giếng Đáy» (12); nếu đó là bảng của bộ chỉ số "
        "hoặc đơn vị khác, nhập riêng",
    ]


def test_stt_written_with_words_and_bullets(app):
    sheet = Sheet(
        "kq.csv",
        [
            ["STT", "Tiêu chí", "Điểm thẩm định"],
            ["Phần II", "Cải cách thể chế", 3],
            ["1.", "Theo dõi thi hành pháp luật", 3],
            ["a)", "Kế hoạch", 1],
            ["b)", "Báo cáo", 2],
            [2, "Rà soát văn bản", 0],
            ["2.1", "Kế hoạch rà soát", 0],
            ["-", "Danh mục văn bản", 0],
        ],
    )
    table = find_score_table(sheet, RESULT_COLUMNS, RESULT_REQUIRED)
    read_tree(table)
    assert [r.code for r in table.rows] == ["2", "2.1", "2.1.1", "2.1.2", "2.2", "2.2.1", "2.2.1.1"]
    assert [r.parent for r in table.rows] == [None, "2", "2.1", "2.1", "2", "2.2", "2.2.1"]


def test_a_dti_table_numbered_without_roman_numerals_replaces_the_pillars_block(ward, tmp_path):
    """QN-DTI as a CSV: pillars numbered 5, criteria 5.1…, a code column absent; pillar 5's block of remaining
    criteria (20 points) is replaced by the table's 5.5 and 5.6, the estimated 20-point criteria get real maxima."""
    from tests.cycle.sheets import write_csv

    rows = [
        ["STT", "Chỉ số", "Điểm tối đa", "Điểm tự đánh giá", "Điểm thẩm định"],
        [5, "An toàn thông tin mạng", 100, 40, 20],
        ["5.1", "Công chức chuyên trách CNTT, chuyển đổi số", 15, 10, 0],
        ["5.2", "Hồ sơ đề xuất cấp độ an toàn hệ thống thông tin được phê duyệt", 25, 10, 0],
        ["5.3", "Phòng, chống mã độc trên máy tính của phường", 20, 10, 10],
        ["5.4", "Phương án ứng cứu sự cố an toàn thông tin mạng", 20, 0, 0],
        ["5.5", "Sao lưu dữ liệu định kỳ", 10, 5, 5],
        ["5.6", "Kiểm tra, đánh giá an toàn thông tin", 10, 5, 5],
        [None, "Tổng điểm", 100, 40, 20],
    ]
    plan = import_results(ward, "QN-DTI", 2023, write_csv(tmp_path / "dti.csv", rows))
    assert [(r["code"], r["match"]) for r in plan.rows] == [
        ("5.1", "code and title"),
        ("5.2", "code and title"),
        ("5.3", "code and title"),
        ("5.4", "code and title"),
        ("5.5", "new"),
        ("5.6", "new"),
    ]
    assert plan.sum_warnings == [] and plan.skipped_sheets == []
    assert [c["code"] for c in plan.rubric["removed"]] == ["5.5"] and plan.rubric["removed"][0]["remainder"]
    pillar = {
        c.code: (c.max_points, c.rule_type, c.points_estimated)
        for c in db.session.execute(
            select(Criterion)
            .join(Area, Criterion.area_id == Area.id)
            .join(Index, Criterion.index_id == Index.id)
            .where(Index.code == "QN-DTI", Area.code == "5")
        ).scalars()
    }
    assert pillar == {
        "5.1": (15, "tiered", False),
        "5.2": (25, "binary", False),
        "5.3": (20, "percentage_tiers", False),
        "5.4": (20, "binary", False),
        "5.5": (10, "binary", False),
        "5.6": (10, "binary", False),
    }
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "QN-DTI-5.5-a")).scalar_one()
    assert item.criterion.area.code == "5" and item.criterion.rule_type != "remainder", "moved to a real criterion"
    assert {m["item"] for m in plan.rubric["moved_items"]} == {"QN-DTI-5.5-a"}
