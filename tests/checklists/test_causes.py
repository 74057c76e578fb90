"""Every cause of lost points in the source document is read as the cause its catalog gives it, and proposes
that cause's template."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from checklists import CATALOG_DIR
from checklists.causes import deviates, load_templates, note_parts, propose, read_causes

CAUSES = [
    (path.name, c["code"], cause["type"], cause["text"])
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml"))
    for a in yaml.safe_load(path.read_text(encoding="utf-8"))["areas"]
    for c in a["criteria"]
    for cause in c.get("loss_causes", [])
]
TEMPLATE_OF = {
    "late_report": "report",
    "missing_evidence": "proof",
    "target_not_met": "statistic",
    "equipment_missing": "purchase",
    "self_score_deviation": "review",
    "other": "remedy",
}


def test_the_seed_has_every_kind_of_cause():
    assert {t for _f, _c, t, _x in CAUSES} == set(TEMPLATE_OF)


@pytest.mark.parametrize(
    "catalog,code,cause_type,text", CAUSES, ids=[f"{f}:{c}:{i}" for i, (f, c, _t, _x) in enumerate(CAUSES)]
)
def test_every_cause_in_the_source_yields_the_right_template(catalog, code, cause_type, text):
    causes = read_causes(text)
    assert {c.type for c in causes} == {cause_type}
    [first, *_] = propose(causes, criterion_title="Tiêu chí", year=2025, assessment_date=date(2025, 12, 15))
    assert first.template.key == TEMPLATE_OF[cause_type]


def test_a_note_with_several_numbered_reasons():
    note = (
        "(1) Tạo hồ sơ công việc chưa đạt; (2) sử dụng hộp thư điện tử công vụ đạt 60%; "
        "(3) Không cung cấp minh chứng đầy đủ để đánh giá"
    )
    assert [(c.type, c.text) for c in read_causes(note)] == [
        ("target_not_met", "Tạo hồ sơ công việc chưa đạt"),
        ("target_not_met", "sử dụng hộp thư điện tử công vụ đạt 60%"),
        ("missing_evidence", "Không cung cấp minh chứng đầy đủ để đánh giá"),
    ]
    assert note_parts("") == [] and read_causes(None) == []


def test_templates_fill_in_the_criterion_year_and_due_date():
    [report] = propose(
        read_causes("Báo cáo năm không nộp"),
        criterion_title="Báo cáo CCHC",
        year=2025,
        assessment_date=date(2025, 12, 15),
    )
    assert report.title == "Báo cáo năm 2025 cho tiêu chí: Báo cáo CCHC"
    assert "Năm trước: Báo cáo năm không nộp" in report.checks and report.template.report
    assert report.due == date(2025, 11, 15)
    assert [
        p.template.key
        for p in propose(read_causes("Chưa trang bị kiosk"), criterion_title="x", year=2025, assessment_date=None)
    ] == ["purchase", "photo"]
    assert load_templates().labels["equipment_missing"] == "Chưa trang bị thiết bị, hệ thống"


def test_the_deviation_threshold_is_a_parameter():
    assert deviates(4, 3, 5) and not deviates(3.1, 3, 5) and deviates(3.1, 3, 3) and not deviates(None, 3, 5)
