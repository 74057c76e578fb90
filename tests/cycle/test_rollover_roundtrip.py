"""Rolling the shipped rubrics into a new year through the spreadsheet and through YAML keeps every rule's
parameters and every item's dates: the periodic reports keep their own periods, cut-offs, sending deadlines and
sources (not the criterion's earliest date), and a roll into the next year moves each date by one year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from checklists import CATALOG_DIR, CatalogError, load_catalog, parse_catalog
from checklists.rollover import roll_to_year
from checklists.sheets import IndexInfo, load_rubric_sheet, plain_numbers
from evidence_app.catalog.models import Index
from evidence_app.cycle.carry import to_xlsx, to_yaml
from evidence_app.extensions import db
from tests.helpers import import_file, make_unit

SHIPPED = sorted((CATALOG_DIR / "gieng-day").glob("*.yaml"))


def semantics(catalog):
    """Per criterion: its rule with parameters, and per item (in order) its title, owner, weight and dates."""
    return {
        c.code: (
            c.rule.type,
            plain_numbers(dict(c.rule.params)),
            c.max_points,
            [
                (
                    i.title,
                    i.owner,
                    i.weight,
                    i.due,
                    None
                    if i.report is None
                    else (i.report.period, i.report.cutoff, i.report.deadline, i.report.source),
                )
                for i in c.items
            ],
        )
        for c in catalog.criteria()
    }


def stored(unit, code: str, year: int) -> Index:
    return db.session.execute(
        select(Index).where(Index.unit_id == unit.id, Index.code == code, Index.year == year)
    ).scalar_one()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_xlsx_and_yaml_round_trips_keep_every_rule_and_date(app, tmp_path, path):
    original = load_catalog(path)
    unit = make_unit()
    import_file(path, unit)
    index = stored(unit, original.index.code, original.index.year)

    again = parse_catalog(to_yaml(index).decode("utf-8"))
    assert semantics(again) == semantics(original)
    assert again.index.deviation_source == original.index.deviation_source

    sheet = tmp_path / "rubric.xlsx"
    sheet.write_bytes(to_xlsx(index))
    info = IndexInfo(original.index.code, original.index.name, original.index.year, original.index.assessment_date)
    departments = {d.name: d.code for d in unit.departments}
    from_sheet = load_rubric_sheet(sheet, info, departments=departments)
    assert semantics(from_sheet) == semantics(original)
    assert [i.code for i in from_sheet.items()] == [i.code for i in original.items()]
    # what the pre-checks compare documents with travels too (the shipped CCHC catalog asks for signed reports)
    expected = [(i.code, i.requires_signature, i.min_pages) for i in original.items()]
    assert [(i.code, i.requires_signature, i.min_pages) for i in from_sheet.items()] == expected
    assert [(i.code, i.requires_signature, i.min_pages) for i in again.items()] == expected
    # the deviation penalty travels with its source (the sheet "Chỉ số"), or not at all
    assert (from_sheet.index.deviation_penalty_points, from_sheet.index.deviation_source) == (
        (original.index.deviation_penalty_points, original.index.deviation_source)
        if original.index.deviation_source
        else (Decimal(0), None)
    )


def test_the_four_cchc_reports_keep_their_own_deadlines_through_the_sheet(app, tmp_path):
    """The tester's case: all four periodic reports came back due 15/03."""
    path = CATALOG_DIR / "gieng-day" / "cchc-2024.yaml"
    unit = make_unit()
    import_file(path, unit)
    sheet = tmp_path / "cchc.xlsx"
    sheet.write_bytes(to_xlsx(stored(unit, "CCHC", 2024)))
    rolled = load_rubric_sheet(
        sheet, IndexInfo("CCHC", "CCHC", 2024, date(2024, 12, 15)), departments={"Văn phòng – Thống kê": "vp-tk"}
    )
    reports = {
        i.report.period: (i.report.cutoff, i.report.deadline) for i in rolled.items() if i.code.startswith("CCHC-1.1-")
    }
    assert reports == {
        "Quý I/2024": (date(2024, 3, 14), date(2024, 3, 14)),
        "6 tháng đầu năm 2024": (date(2024, 6, 14), date(2024, 6, 14)),
        "9 tháng năm 2024": (date(2024, 9, 14), date(2024, 9, 14)),
        "Năm 2024": (date(2024, 12, 14), date(2024, 12, 14)),
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_rolling_into_next_year_moves_dates_by_a_year_and_keeps_semantics(path):
    original = load_catalog(path)
    rolled = roll_to_year(original, original.index.year + 1)
    assert rolled.index.year == original.index.year + 1
    assert rolled.index.assessment_date == original.index.assessment_date.replace(year=original.index.year + 1)
    before, after = semantics(original), semantics(rolled)
    assert before.keys() == after.keys()
    for code, (rule, _params, max_points, items) in before.items():
        rule2, params2, max2, items2 = after[code]
        assert (rule2, max2) == (rule, max_points)
        assert len(items2) == len(items)
        for (_t, owner, weight, due, report), (_t2, owner2, weight2, due2, report2) in zip(items, items2):
            assert (owner2, weight2) == (owner, weight)
            assert due2 == (
                due.replace(year=due.year + 1) if due.month != 2 or due.day != 29 else date(due.year + 1, 2, 28)
            )
            if report is None:
                assert report2 is None
                continue
            period, cutoff, deadline, source = report
            assert report2[1:] == (
                cutoff and cutoff.replace(year=cutoff.year + 1),
                deadline.replace(year=deadline.year + 1),
                source,
            )
            assert str(original.index.year + 1) in report2[0] and str(original.index.year) not in report2[0]
    # next year's items get codes of their own: they live beside last year's in the same unit
    assert not {i.code for i in original.items()} & {i.code for i in rolled.items()}
    # and the rolled rubric is a valid catalog again
    assert semantics(parse_catalog(_yaml_of(rolled))) == after


def _yaml_of(catalog) -> str:
    import yaml

    from checklists.rollover import catalog_mapping

    return yaml.safe_dump(plain_numbers(catalog_mapping(catalog)), allow_unicode=True, sort_keys=False)


def _workbook(path, items=None, index=None):
    """A rubric workbook: the first sheet with one criterion, and the sheets given."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Mã", "Tiêu chí / Chỉ tiêu", "Điểm tối đa", "Cách tính điểm", "Phụ trách"])
    book.active.append(["1", "Chỉ đạo, điều hành", 2, None, None])
    book.active.append(["1.1", "Báo cáo CCHC định kỳ", 2, "Trừ 0,5 điểm mỗi vi phạm", "VP"])
    for name, rows in (("Tài liệu kiểm chứng", items), ("Chỉ số", index)):
        if rows is not None:
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
    book.save(path)
    return path


ITEMS_HEADER = ["Mã tiêu chí", "Mã tài liệu", "Tài liệu kiểm chứng", "Hạn", "Kỳ báo cáo", "Ngày chốt số liệu",
                "Hạn gửi báo cáo", "Căn cứ (số văn bản, điều/khoản)", "Phụ trách"]  # fmt: skip
INFO_2025 = IndexInfo("CCHC", "Chỉ số CCHC", 2025, date(2025, 12, 15))


def test_a_sheets_reports_keep_their_own_dates_and_need_a_source(tmp_path):
    rows = [
        ITEMS_HEADER,
        [
            "1.1",
            None,
            "Báo cáo Quý I/2025",
            None,
            "Quý I/2025",
            "14/03/2025",
            "18/03/2025",
            "Công văn 12/UBND, mục 2",
            "VP",
        ],
        ["1.1", None, "Báo cáo 9 tháng 2025", None, "9 tháng năm 2025", "14/09/2025", "18/09/2025", None, "VP"],
    ]
    with pytest.raises(CatalogError) as refused:
        load_rubric_sheet(_workbook(tmp_path / "a.xlsx", items=rows), INFO_2025)
    assert [str(p) for p in refused.value.problems] == [
        "sheet 'Tài liệu kiểm chứng', row 3, column 'Căn cứ (số văn bản, điều/khoản)': is missing: expected the "
        'document that sets the cut-off and the deadline: its number and article (e.g. "Nghị định 09/2019/NĐ-CP, '
        'Điều 12"), and what is not confirmed'
    ]
    rows[2][7] = "Công văn 12/UBND, mục 3"
    catalog = load_rubric_sheet(_workbook(tmp_path / "b.xlsx", items=rows), INFO_2025)
    reports = [(i.code, i.report.cutoff, i.report.deadline, i.report.source) for i in catalog.items()]
    assert reports == [
        ("CCHC-2025-1.1-a", date(2025, 3, 14), date(2025, 3, 18), "Công văn 12/UBND, mục 2"),
        ("CCHC-2025-1.1-b", date(2025, 9, 14), date(2025, 9, 18), "Công văn 12/UBND, mục 3"),
    ]


def test_a_sheets_penalty_needs_its_source_and_none_means_no_penalty(tmp_path):
    info = [["Thông tin", "Giá trị"], ["Ngưỡng chênh lệch điểm tự chấm (%)", 5], ["Điểm trừ khi vượt ngưỡng", 1]]
    with pytest.raises(CatalogError) as refused:
        load_rubric_sheet(_workbook(tmp_path / "a.xlsx", index=info), INFO_2025)
    assert "index.deviation.source: is missing" in str(refused.value)
    info.append(["Căn cứ điểm trừ (số văn bản, điều/khoản)", "Quyết định 5/QĐ-UBND, Điều 4"])
    catalog = load_rubric_sheet(_workbook(tmp_path / "b.xlsx", index=info), INFO_2025)
    assert (catalog.index.deviation_penalty_points, catalog.index.deviation_source) == (
        1,
        "Quyết định 5/QĐ-UBND, Điều 4",
    )
    plain = load_rubric_sheet(_workbook(tmp_path / "c.xlsx"), INFO_2025)  # the province's own sheet: no penalty
    assert (plain.index.deviation_penalty_points, plain.index.deviation_source) == (0, None)


def test_export_rolled_to_next_year_edit_and_import_keeps_reports_and_carries_scores(app, runner, tmp_path):
    from evidence_app.cycle.operations import import_results
    from tests.cycle.sheets import write_xlsx

    path = CATALOG_DIR / "gieng-day" / "cchc-2024.yaml"
    unit = make_unit()
    import_file(path, unit)
    results = [["Mã", "Điểm chốt"]] + [
        [c.code, c.max_points] for c in load_catalog(path).criteria() if c.applicable
    ]  # a full score everywhere
    import_results(unit, "CCHC", 2024, write_xlsx(tmp_path / "kq.xlsx", results))
    db.session.commit()
    out = tmp_path / "cchc-2025.xlsx"
    args = ["catalog", "export", "--unit", unit.code, "--index", "CCHC", "--year", "2024", "--format", "xlsx"]
    exported = runner.invoke(args=[*args, "--out", str(out), "--roll-to", "2025"])
    assert exported.exit_code == 0, exported.output
    assert f"Đã ghi CCHC 2025 vào {out}" in exported.output
    imported = runner.invoke(
        args=["catalog", "import", str(out), "--unit", unit.code, "--index", "CCHC", "--year", "2025"]
    )
    assert imported.exit_code == 0, imported.output
    new = stored(unit, "CCHC", 2025)
    items = {i.code: i for a in new.areas for c in a.criteria for i in c.items}
    q3 = items["CCHC-2025-1.1-c"]
    assert (q3.report_period, q3.report_cutoff, q3.report_deadline) == (
        "9 tháng năm 2025",
        date(2025, 9, 14),
        date(2025, 9, 14),
    )
    assert "Nghị định 09/2019/NĐ-CP" in q3.report_source
    assert {i.report_deadline for i in items.values() if i.code.startswith("CCHC-2025-1.1-")} == {
        date(2025, 3, 14),
        date(2025, 6, 14),
        date(2025, 9, 14),
        date(2025, 12, 14),
    }
    assert new.last_year == 2024 and new.last_year_score == 100  # 2024's results, not the 2023 figures of the file
    assert {c.code: (c.last_year_score, c.last_year_note) for a in new.areas for c in a.criteria if c.applicable} == {
        c.code: (c.max_points, None) for a in new.areas for c in a.criteria if c.applicable
    }
    assert new.deviation_source and new.deviation_penalty_points == 1  # the sheet "Chỉ số" carried it
    too_early = runner.invoke(args=[*args, "--out", str(out), "--roll-to", "2024"])
    assert too_early.exit_code != 0 and "--roll-to phải là một năm sau 2024" in too_early.output
