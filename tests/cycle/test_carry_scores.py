"""Last year's score carried into next year's rubric where a criterion changed code, moved to another area or
changed its maximum: the tester's case was area 1 at 2,5/17 "last year" (really 14,5) and a total of 57,45
against a published 90,45. Scores move with their criterion (found by its title without accents), are converted
to a new maximum and marked so, and the totals add up to the published one."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from checklists import parse_catalog
from evidence_app.catalog.models import Criterion, Index
from evidence_app.cycle.carry import carried_score, import_rubric
from evidence_app.cycle.catalog_cli import import_lines
from evidence_app.cycle.operations import import_results
from evidence_app.extensions import db
from tests.cycle.sheets import write_xlsx
from tests.helpers import make_unit

D = Decimal


def rubric(year: int, areas: list[tuple[str, str, list[tuple[str, str, float]]]]) -> str:
    """A small CCHC catalog: areas of (code, name, criteria of (code, title, max))."""
    lines = [
        "format: 1",
        "departments: [{code: vp-tk, name: Văn phòng – Thống kê}]",
        "index:",
        f"  {{code: CCHC, name: Chỉ số CCHC, year: {year}, max_points: {sum(m for a in areas for _c, _t, m in a[2])}, "
        f"assessment_date: {year}-12-15}}",
        "areas:",
    ]
    for code, name, criteria in areas:
        total = sum(m for _c, _t, m in criteria)
        lines += [f'  - code: "{code}"', f"    name: {name}", f"    max_points: {total}", "    criteria:"]
        for c, title, m in criteria:
            lines.append(
                f'      - {{code: "{c}", title: "{title}", max_points: {m}, rule: {{type: binary}}, '
                f'items: [{{code: CCHC-{year}-{c}-a, title: "Tài liệu {c}", checks: Ký số, owner: vp-tk, '
                f"due: {year}-11-30}}]}}"
            )
    return "\n".join(lines) + "\n"


LAST_YEAR = [
    (
        "1",
        "Chỉ đạo, điều hành",
        [("1.1", "Báo cáo CCHC định kỳ", 2), ("1.2", "Tuyên truyền CCHC", 2), ("1.3", "Các tiêu chí còn lại", 13)],
    ),
    ("2", "Thủ tục hành chính", [("2.1", "Kiểm soát thủ tục hành chính", 40), ("2.2", "Số hoá hồ sơ", 43)]),
]
# 2025: 1.1 and 1.2 swap codes; "Số hoá hồ sơ" becomes 2.1, "Kiểm soát thủ tục" 2.2 and its title loses
# its accents and gains spaces in the province's file
NEXT_YEAR = [
    (
        "1",
        "Chỉ đạo, điều hành",
        [("1.1", "Tuyên truyền CCHC", 2), ("1.2", "Báo cáo CCHC định kỳ", 2), ("1.3", "Các tiêu chí còn lại", 13)],
    ),
    ("2", "Thủ tục hành chính", [("2.1", "Số hoá hồ sơ", 43), ("2.2", "Kiem soat  thu tuc hanh chinh", 40)]),
]


def last_years_results(unit, tmp_path):
    import_rubric(parse_catalog(rubric(2024, LAST_YEAR)), unit, source="cchc-2024.yaml")
    sheet = write_xlsx(
        tmp_path / "kq-2024.xlsx",
        [
            ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm thẩm định", "Điểm chốt"],
            ["1.1", "Báo cáo CCHC định kỳ", 2, 1, 1],
            ["1.2", "Tuyên truyền CCHC", 2, 0.5, 0.5],
            ["1.3", "Các tiêu chí còn lại", 13, 13, 13],
            ["2.1", "Kiểm soát thủ tục hành chính", 40, 36, 36],
            ["2.2", "Số hoá hồ sơ", 43, 39.95, 39.95],
            [None, "Tổng cộng", 100, 90.45, 90.45],
        ],
    )
    import_results(unit, "CCHC", 2024, sheet)
    db.session.commit()


def stored(year: int) -> tuple[Index, dict[str, Criterion]]:
    index = db.session.execute(select(Index).where(Index.year == year)).scalar_one()
    return index, {c.code: c for a in index.areas for c in a.criteria}


def test_scores_follow_criteria_that_changed_code_and_totals_equal_the_published(app, tmp_path):
    unit = make_unit()
    last_years_results(unit, tmp_path)
    done = import_rubric(parse_catalog(rubric(2025, NEXT_YEAR)), unit, source="cchc-2025.yaml")
    index, c = stored(2025)
    assert {code: c[code].last_year_score for code in c} == {
        "1.1": D("0.5"),  # Tuyên truyền, 1.2 last year
        "1.2": D(1),  # Báo cáo định kỳ, 1.1 last year
        "1.3": D(13),
        "2.1": D("39.95"),
        "2.2": D(36),
    }
    areas = {a.code: a.last_year_score for a in index.areas}
    assert areas == {"1": D("14.5"), "2": D("75.95")}  # not 2,5/17
    assert index.last_year_score == D("90.45") == sum(areas.values())  # not 57,45
    assert c["1.1"].last_year_note == "Năm 2024: tiêu chí 1.2 (nội dung 1)"
    assert c["1.3"].last_year_note is None
    assert done.diff.repointed == [] and done.diff.added == [] and done.diff.removed == []
    lines = import_lines(done, "CCHC", 2025, unit.code, dry_run=False)
    assert "  chuyển: 1.2 (nội dung 1) → 1.1 (nội dung 1): «Tuyên truyền CCHC»" in lines
    assert "  chuyển: 2.1 (nội dung 2) → 2.2 (nội dung 2): «Kiem soat  thu tuc hanh chinh»" in lines
    assert "  điểm năm trước: 1.1: 0,5/2 → 0,5/2 (Năm 2024: tiêu chí 1.2 (nội dung 1))" in lines


def test_a_criterion_moved_to_another_area_with_another_maximum_is_converted_and_marked(app, tmp_path):
    unit = make_unit()
    last_years_results(unit, tmp_path)
    moved = [
        (
            "1",
            "Chỉ đạo, điều hành",
            [("1.1", "Báo cáo CCHC định kỳ", 2), ("1.2", "Tuyên truyền CCHC", 2), ("1.3", "Các tiêu chí còn lại", 13)],
        ),
        # "Số hoá hồ sơ" leaves area 2 for a new area 3 with 30 points instead of 43; 2.1 gets 42 instead of 40
        ("2", "Thủ tục hành chính", [("2.1", "Kiểm soát thủ tục hành chính", 42)]),
        ("3", "Chính quyền số", [("3.1", "Số hoá hồ sơ", 30)]),
    ]
    done = import_rubric(parse_catalog(rubric(2025, moved)), unit, source="cchc-2025.yaml")
    index, c = stored(2025)
    # 39,95/43 × 30/43 = 27,87; 36/40 × 42/40 = 37,8
    assert (c["3.1"].last_year_score, c["2.1"].last_year_score) == (D("27.87"), D("37.80"))
    assert c["3.1"].last_year_note == (
        "Năm 2024: tiêu chí 2.2 (nội dung 2); đã quy đổi: 39,95/43 điểm × 30/43 (hệ số 0,6977) = 27,87/30"
    )
    assert c["2.1"].last_year_note == "Đã quy đổi: 36/40 điểm × 42/40 (hệ số 1,05) = 37,8/42"
    areas = {a.code: a.last_year_score for a in index.areas}
    assert areas == {"1": D("14.5"), "2": D("37.80"), "3": D("27.87")}
    # the converted scores no longer add up to the published 90,45: the index says both
    assert index.last_year_score == D("80.17") == sum(areas.values())
    assert index.last_year_note == (
        "Điểm công bố năm 2024: 90,45; theo bộ tiêu chí năm 2025 (đã quy đổi, bỏ tiêu chí không còn): 80,17"
    )
    assert done.carried is not None and (done.carried.scores, done.carried.converted) == (5, 2)
    assert "  điểm tối đa: 3.1: 43 → 30" in import_lines(done, "CCHC", 2025, unit.code, dry_run=False)


def test_carried_score_scales_to_the_new_maximum():
    assert carried_score(D("12"), D("13"), D("13")) == (D("12"), None)
    assert carried_score(D("13"), D("13"), D("12")) == (
        D("12.00"),
        "Đã quy đổi: 13/13 điểm × 12/13 (hệ số 0,9231) = 12/12",
    )
    value, note = carried_score(D("2.5"), D("17"), D("20"))
    assert value == D("2.94") and note is not None and "hệ số 1,1765" in note


def test_documents_of_a_criterion_that_changed_code_are_offered_to_its_new_code(app, tmp_path):
    from evidence_app.catalog.models import ChecklistItem
    from evidence_app.evidence.operations import DocumentFields, upload_document
    from tests.evidence import corpus
    from tests.helpers import make_user

    unit = make_unit()
    last_years_results(unit, tmp_path)
    staff = make_user(unit, "cb", departments=["vp-tk"])
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-2024-1.2-a")).scalar_one()
    upload = upload_document(corpus.jpeg(tmp_path, "tuyen-truyen.jpg"), "tuyen-truyen.jpg", user=staff, items=[item],
                             fields=DocumentFields())  # fmt: skip
    for link in upload.new_links:
        link.state = "approved"
    db.session.commit()
    done = import_rubric(parse_catalog(rubric(2025, NEXT_YEAR)), unit, source="cchc-2025.yaml")
    # "Tuyên truyền CCHC" was 1.2 and is 1.1: its document goes to 1.1, not to the new 1.2 (another criterion)
    assert done.offers == ["tuyen-truyen.jpg → CCHC-2025-1.1-a"]
