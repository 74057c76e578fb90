"""Rolling a catalog into another cycle (checklists.rollover): every date moves by the same number of days, the
years written in texts move with the index's year, last year's scores stay, and nothing shipped is changed."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest

from checklists import CATALOG_DIR, load_catalog, parse_catalog
from checklists.rollover import roll_catalog, roll_text, shift_to_weeks_ahead

CCHC_FILE = CATALOG_DIR / "gieng-day" / "cchc-2024.yaml"
DTI_FILE = CATALOG_DIR / "gieng-day" / "qn-dti-2024.yaml"


def dated(catalog):
    """(code, due, report deadline) of every item."""
    return [(i.code, i.due, i.report.deadline if i.report else None) for i in catalog.items()]


@pytest.fixture(scope="module")
def cchc():
    return load_catalog(CCHC_FILE)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Báo cáo CCHC Quý I/2024", "Báo cáo CCHC Quý I/2026"),
        ("đúng kỳ 6 tháng/2024; đúng đề cương", "đúng kỳ 6 tháng/2026; đúng đề cương"),
        ("Kế hoạch CCHC năm 2024 của UBND phường", "Kế hoạch CCHC năm 2026 của UBND phường"),
        (
            "Không nộp báo cáo xây dựng chính quyền cơ sở năm 2023",
            "Không nộp báo cáo xây dựng chính quyền cơ sở năm 2025",
        ),
        ("tăng 3,29 điểm so với năm 2022", "tăng 3,29 điểm so với năm 2024"),
        # references to real documents and periods stay
        ("Kế hoạch 100/KH-UBND ngày 14/5/2024", "Kế hoạch 100/KH-UBND ngày 14/5/2024"),
        (
            "Nghị quyết số 05-NQ/TU ngày 09/4/2021, giai đoạn 2021-2025",
            "Nghị quyết số 05-NQ/TU ngày 09/4/2021, giai đoạn 2021-2025",
        ),
        ("Nghị định 30/2020/NĐ-CP; Quyết định năm 2019", "Nghị định 30/2020/NĐ-CP; Quyết định năm 2019"),
        ("Ngày Chuyển đổi số 10/10", "Ngày Chuyển đổi số 10/10"),
        ("tổng số 12024 hồ sơ", "tổng số 12024 hồ sơ"),
    ],
)
def test_years_in_texts(text, expected):
    assert roll_text(text, 2, 2024) == expected


def test_shift_is_whole_weeks_about_six_weeks_ahead():
    assessment = date(2024, 12, 15)
    for today in (date(2026, 11, 10), date(2027, 3, 1), date(2026, 1, 1), date(2030, 7, 4)):
        shift = shift_to_weeks_ahead(today, assessment)
        assert shift.days % 7 == 0
        assert timedelta(days=39) <= assessment + shift - today <= timedelta(days=45)
        assert (assessment + shift).weekday() == assessment.weekday()


def test_roll_moves_every_date_by_the_same_days_and_keeps_their_order(cchc):
    rolled = roll_catalog(cchc, date(2026, 12, 20), year=2026)
    shift = date(2026, 12, 20) - cchc.index.assessment_date
    assert (rolled.index.year, rolled.index.assessment_date) == (2026, date(2026, 12, 20))
    for (code, due, deadline), (code2, due2, deadline2) in zip(dated(cchc), dated(rolled)):
        assert code == code2
        assert due2 == due + shift
        assert deadline2 == (None if deadline is None else deadline + shift)
    assert sorted(dated(cchc), key=lambda r: (r[1], r[0])) == [
        (c, d - shift, r and r - shift) for c, d, r in sorted(dated(rolled), key=lambda r: (r[1], r[0]))
    ]


def test_roll_rolls_titles_and_periods_and_keeps_last_years_scores(cchc):
    rolled = roll_catalog(cchc, date(2026, 12, 20), year=2026)
    items = {i.code: i for i in rolled.items()}
    assert items["CCHC-1.1-a"].title == "Báo cáo CCHC Quý I/2026"
    assert items["CCHC-1.1-a"].report.period == "Quý I/2026"
    assert items["CCHC-1.1-d"].report.period == "Năm 2026"
    assert "năm 2026" in items["CCHC-1.3-a"].title
    assert items["CCHC-5.2-a"].title.endswith("năm 2025"), "last year's staff appraisal stays last year's"
    assert not any("2024" in f"{i.title} {i.checks}" for i in rolled.items())
    # last year: the same scores, labelled as last year's, saying where they come from
    assert rolled.index.last_year.year == 2025 and rolled.index.last_year.score == Decimal("86.34")
    assert "số liệu năm 2023" in rolled.index.last_year.note
    assert [(a.max_points, a.last_year_score) for a in rolled.areas] == [
        (a.max_points, a.last_year_score) for a in cchc.areas
    ]
    assert [c.last_year_score for c in rolled.criteria()] == [c.last_year_score for c in cchc.criteria()]
    assert [c.text for c in rolled.areas[4].criteria[0].loss_causes] == [
        "Không nộp báo cáo xây dựng chính quyền cơ sở năm 2025"
    ]
    # what does not depend on the cycle stays
    assert rolled.index.source == cchc.index.source
    assert [i.code for i in rolled.items()] == [i.code for i in cchc.items()]
    assert rolled.departments == cchc.departments


def test_roll_changes_nothing_given_and_nothing_shipped(cchc):
    before = copy.deepcopy(cchc)
    text = CCHC_FILE.read_text(encoding="utf-8")
    roll_catalog(cchc, date(2027, 4, 11), year=2027)
    assert cchc == before
    assert CCHC_FILE.read_text(encoding="utf-8") == text
    assert load_catalog(CCHC_FILE) == before


def test_roll_to_the_same_cycle_is_the_identity(cchc):
    assert roll_catalog(cchc, cchc.index.assessment_date) == cchc


def test_year_defaults_to_the_assessment_dates_and_rule_labels_roll():
    text = """
format: 1
departments: [{code: vp, name: Văn phòng}]
index: {code: CCHC, name: Chỉ số năm 2024, year: 2024, max_points: 2, assessment_date: 2024-12-15,
        deviation: {threshold_percent: 5, penalty_points: 1, source: "QĐ 1/QĐ-UBND, Điều 2"}}
areas:
  - code: "1"
    name: Chỉ đạo năm 2024
    max_points: 2
    criteria:
      - code: "1.1"
        title: Khen thưởng năm 2024
        max_points: 2
        rule: {type: tiered, tiers: [{label: Bằng khen năm 2024, fraction: 1}, {label: Không, fraction: 0}]}
        items:
          - {code: CCHC-1.1-a, title: Quyết định khen thưởng năm 2024, checks: Ký số, owner: vp, due: 2024-02-29}
"""
    catalog = parse_catalog(text)
    rolled = roll_catalog(catalog, date(2025, 1, 12))
    assert rolled.index.year == 2025 and rolled.index.name == "Chỉ số năm 2025"
    assert rolled.areas[0].name == "Chỉ đạo năm 2025"
    assert rolled.areas[0].criteria[0].rule.params["tiers"][0]["label"] == "Bằng khen năm 2025"
    assert catalog.areas[0].criteria[0].rule.params["tiers"][0]["label"] == "Bằng khen năm 2024"
    assert next(rolled.items()).due == date(2024, 2, 29) + (date(2025, 1, 12) - date(2024, 12, 15))
    assert rolled.index.last_year is None


def test_both_ward_catalogs_roll_into_the_same_cycle():
    cchc, dti = load_catalog(CCHC_FILE), load_catalog(DTI_FILE)
    shift = shift_to_weeks_ahead(date(2026, 11, 10), cchc.index.assessment_date)
    rolled = [roll_catalog(c, c.index.assessment_date + shift, year=2026) for c in (cchc, dti)]
    assert [(r.index.code, r.index.year, r.index.assessment_date) for r in rolled] == [
        ("CCHC", 2026, date(2026, 12, 20)),
        ("QN-DTI", 2026, date(2026, 12, 25)),
    ]
    assert rolled[1].index.last_year.score == Decimal("696") and rolled[1].index.last_year.year == 2025
