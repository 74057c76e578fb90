"""The catalogs shipped for phường Giếng Đáy carry the source document's figures exactly (Kế hoạch
100/KH-UBND, 14/5/2024), and every cause of lost points in it has a checklist that names the documents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checklists import CATALOG_DIR, load_catalog

D = Decimal
CCHC = load_catalog(CATALOG_DIR / "gieng-day" / "cchc-2024.yaml")
DTI = load_catalog(CATALOG_DIR / "gieng-day" / "qn-dti-2024.yaml")

CCHC_AREAS = [
    ("17", "14"),
    ("8", "8"),
    ("18", "17"),
    ("5", "5"),
    ("15", "12"),
    ("10", "9.5"),
    ("20", "15.84"),
    ("7", "5"),
]
DTI_AREAS = [
    ("100", "85"),
    ("100", "100"),
    ("100", "83.9"),
    ("100", "100"),
    ("100", "20"),
    ("200", "163.2"),
    ("150", "78.8"),
    ("150", "65"),
]


def test_cchc_totals_and_areas():
    assert (CCHC.index.code, CCHC.index.year, CCHC.index.max_points) == ("CCHC", 2024, 100)
    assert CCHC.index.last_year.score == D("86.34") and CCHC.index.last_year.year == 2023
    assert [(a.max_points, a.last_year_score) for a in CCHC.areas] == [(D(m), D(s)) for m, s in CCHC_AREAS]
    assert sum(a.last_year_score for a in CCHC.areas) == D("86.34")
    assert CCHC.index.max_points - CCHC.index.last_year.score == D("13.66")
    assert (CCHC.index.deviation_threshold_percent, CCHC.index.deviation_penalty_points) == (5, 1)


def test_dti_totals_and_pillars():
    assert (DTI.index.code, DTI.index.max_points, DTI.index.last_year.score) == ("QN-DTI", 1000, 696)
    assert [(a.max_points, a.last_year_score) for a in DTI.areas] == [(D(m), D(s)) for m, s in DTI_AREAS]
    assert sum(a.last_year_score for a in DTI.areas) == D("695.9"), (
        "the pillars add to 695.9; 696 is the published total"
    )


@pytest.mark.parametrize("catalog", [CCHC, DTI], ids=["CCHC", "QN-DTI"])
def test_unknown_points_are_marked_as_estimates_and_each_area_has_a_remainder(catalog):
    for area in catalog.areas:
        remainder = [c for c in area.criteria if c.title.startswith("Các tiêu chí còn lại")]
        assert len(remainder) == 1, area.code
        assert remainder[0].points_estimated and remainder[0].last_year_score == remainder[0].max_points
        for criterion in area.criteria:
            assert criterion.points_estimated, f"{criterion.code}: the source gives points per area only"
            assert criterion.items, criterion.code


def items_text(catalog) -> list[str]:
    return [f"{c.code} {c.title} | {i.title} | {i.checks} | {i.owner}" for c in catalog.criteria() for i in c.items]


# Every cause of lost points in the source document → words its checklist must name, and the owner the plan assigns.
CCHC_CAUSES = [
    ("Báo cáo CCHC Quý I", "vp-tk"),
    ("Báo cáo CCHC 9 tháng", "vp-tk"),
    ("Báo cáo CCHC năm", "vp-tk"),
    ("05-NQ/TU", "vp-tk"),
    ("tuyên truyền", "vp-tk"),
    ("khảo sát", None),
    ("chính quyền cơ sở", "vp-tk"),
    ("giải ngân", "tc-kt"),
    ("số hoá", None),
    ("hồ sơ công việc", None),
    ("thư công vụ", None),
    ("khen", "vp-tk"),
    ("tự chấm", "vp-tk"),
]
DTI_CAUSES = [
    ("tổ công nghệ số cộng đồng", None),
    ("Ban Chỉ đạo", None),
    ("cổng thông tin", "vh-tt"),
    ("mã vạch", None),
    ("đánh giá chất lượng", None),
    ("Kiosk", None),
    ("chống sét", None),
    ("tường lửa", None),
    ("thuê bao", None),
    ("chuyên trách", None),
    ("cấp độ", None),
    ("mã độc", None),
    ("ứng cứu sự cố", None),
    ("hồ sơ công việc", None),
    ("thư điện tử công vụ", None),
    ("thương mại điện tử", None),
    ("địa chỉ số", None),
    ("VNeID", None),
    ("sức khỏe điện tử", None),
    ("tài khoản", None),
]


@pytest.mark.parametrize("catalog, causes", [(CCHC, CCHC_CAUSES), (DTI, DTI_CAUSES)], ids=["CCHC", "QN-DTI"])
def test_every_cause_in_the_source_has_a_checklist(catalog, causes):
    texts = [t.lower() for t in items_text(catalog)]
    for words, owner in causes:
        matching = [t for t in texts if words.lower() in t]
        assert matching, f"no checklist item names {words!r}"
        if owner:
            assert any(t.endswith(f"| {owner}") for t in matching), f"{words!r} is not owned by {owner}"


def test_periodic_cchc_reports_have_deadlines_and_ask_for_the_dispatch_number():
    reports = [i for i in CCHC.items() if i.report and "Báo cáo CCHC" in i.title]
    periods = {i.report.period for i in reports}
    assert {"Quý I/2024", "6 tháng đầu năm 2024", "9 tháng năm 2024", "Năm 2024"} <= periods
    for item in reports:
        assert "số hiệu" in item.checks and "ký số" in item.checks.lower()
        assert item.due == item.report.deadline < CCHC.index.assessment_date


def test_every_lost_point_sits_on_a_criterion_with_a_cause():
    for catalog in (CCHC, DTI):
        for criterion in catalog.criteria():
            if criterion.last_year_score is not None and criterion.last_year_score < criterion.max_points:
                assert criterion.loss_causes, f"{catalog.index.code} {criterion.code} lost points without a cause"


def test_item_codes_are_unique_across_both_catalogs():
    codes = [i.code for c in (CCHC, DTI) for i in c.items()]
    assert len(codes) == len(set(codes)) == 157
