"""Every cause of lost points in the source document is read as the cause its catalog gives it, and proposes
that cause's template."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml

from checklists import CATALOG_DIR
from checklists.causes import (
    TEMPLATES_FILE,
    Cause,
    ReportItem,
    classify,
    compile_phrase,
    deviates,
    index_deviation,
    load_templates,
    matched_phrase,
    note_parts,
    propose,
    read_causes,
    report_period,
    report_periods,
)

CAUSES = [
    (path.name, c["code"], cause["type"], cause["text"])
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml"))
    for a in yaml.safe_load(path.read_text(encoding="utf-8"))["areas"]
    for c in a["criteria"]
    for cause in c.get("loss_causes", [])
]
TEMPLATE_OF = {
    "late_report": "report",
    "late_task": "schedule",
    "missing_evidence": "proof",
    "target_not_met": "statistic",
    "equipment_missing": "purchase",
    "self_score_deviation": "review",
    "other": "remedy",
}


def test_the_seed_has_every_kind_of_cause():
    assert {t for _f, _c, t, _x in CAUSES} == set(TEMPLATE_OF) - {"late_task"}  # the seed names no late task


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
    [proof] = propose(
        read_causes("Thiếu minh chứng tuyên truyền"),
        criterion_title="Tuyên truyền CCHC",
        year=2025,
        assessment_date=date(2025, 12, 15),
    )
    assert proof.title == "Văn bản, tài liệu chứng minh đã thực hiện: Tuyên truyền CCHC"
    assert "Năm trước: Thiếu minh chứng tuyên truyền" in proof.checks and proof.due == date(2025, 11, 15)
    assert [
        p.template.key
        for p in propose(read_causes("Chưa trang bị kiosk"), criterion_title="x", year=2025, assessment_date=None)
    ] == ["purchase", "photo"]
    assert load_templates().labels["equipment_missing"] == "Chưa trang bị thiết bị, hệ thống"


# ---- the vocabulary: the wording of the sources, without accents, the most specific phrase winning


@pytest.mark.parametrize(
    "text,cause",
    [
        ("nhiệm vụ hoàn thành quá hạn", "late_task"),
        ("Nhiem vu hoan thanh qua han", "late_task"),  # typed without accents
        ("Triển khai chậm tiến độ so với kế hoạch", "late_task"),
        ("Cập nhật thông tin không đúng thời hạn", "late_task"),
        ("thiếu biên bản", "missing_evidence"),
        ("Thiếu biên bản họp Ban chỉ đạo quý II", "missing_evidence"),
        ("thiếu tài liệu kiểm chứng", "missing_evidence"),
        ("Không có minh chứng", "missing_evidence"),
        ("Báo cáo CCHC quý III nộp muộn", "late_report"),
        ("Báo cáo 9 tháng quá hạn", "late_report"),
        ("Báo cáo 6 tháng gửi không đúng thời hạn", "late_report"),
        ("Báo cáo cải cách hành chính năm không nộp", "late_report"),
        ("Tỷ lệ khảo sát sự hài lòng đạt 12,3%/15%", "target_not_met"),
        ("Giải ngân đạt 97,6% kế hoạch", "target_not_met"),
        ("Bộ phận một cửa chưa được trang bị đầu đọc mã vạch", "equipment_missing"),
        ("Điểm tự chấm chênh trên 5% điểm thẩm định", "self_score_deviation"),
        ("Chỉ đạt giấy khen của UBND Thành phố", "other"),
        ("Nội dung không rõ ràng", "other"),  # no phrase: the default cause
    ],
)
def test_the_wording_of_the_sources_names_the_cause(text, cause):
    assert classify(text) == cause


def test_the_most_specific_phrase_wins_and_names_its_source():
    cause, phrase = matched_phrase("Báo cáo cải cách hành chính Quý 1 quá hạn quy định")
    assert (cause, phrase.text) == ("late_report", "báo cáo … quá hạn quy định")
    assert phrase.source and "100/KH-UBND" in phrase.source
    # "quá hạn" alone would be a late task: the report named before it makes it a late report
    assert classify("quá hạn") == "late_task" and classify("Báo cáo quá hạn") == "late_report"
    # a task completed late stays a late task even when the task was a report
    assert classify("Nhiệm vụ báo cáo hoàn thành quá hạn") == "late_task"
    assert compile_phrase("báo cáo … quá hạn").weight > compile_phrase("quá hạn").weight


def test_every_cause_has_a_code_a_vietnamese_label_and_phrases():
    templates = load_templates()
    for code, spec in templates.causes.items():
        assert spec.code == code and spec.label and spec.phrases and spec.items, code
    assert templates.index_scoped("self_score_deviation")
    assert not any(templates.index_scoped(c) for c in templates.causes if c != "self_score_deviation")


@pytest.mark.parametrize(
    "text,period",
    [
        ("Báo cáo CCHC Quý I quá hạn", "q1"),
        ("Quý I/2025", "q1"),
        ("Báo cáo quý 3 nộp muộn", "m9"),
        ("Báo cáo CCHC 9 tháng năm 2024 quá hạn", "m9"),
        ("6 tháng đầu năm 2025", "h1"),
        ("Báo cáo năm không nộp", "year"),
        ("Năm 2025", "year"),
        ("Báo cáo ký số quá hạn", None),
    ],
)
def test_the_period_of_a_report(text, period):
    assert report_period(text) == period


def test_a_text_may_name_several_periods_and_a_calendar_year_is_not_the_annual_report():
    assert report_periods("Báo cáo cải cách hành chính Quý 1 và 9 tháng quá hạn quy định") == ["q1", "m9"]
    assert report_periods("Báo cáo Quý I và năm quá hạn") == ["q1", "year"]
    assert report_periods("Báo cáo 6 tháng đầu năm 2025") == ["h1"]
    assert report_periods("Báo cáo năm 2024 không nộp") == ["year"]


REPORTS_2025 = [
    ReportItem("Báo cáo CCHC Quý I/2025", "Quý I/2025", date(2025, 3, 16), 0),
    ReportItem("Báo cáo CCHC 6 tháng đầu năm 2025", "6 tháng đầu năm 2025", date(2025, 6, 16), 0),
    ReportItem("Báo cáo CCHC 9 tháng năm 2025", "9 tháng năm 2025", date(2025, 9, 16), 0),
    ReportItem("Báo cáo CCHC năm 2025", "Năm 2025", date(2025, 12, 16), 0),
]


def test_a_late_q3_report_proposes_next_years_q3_report_due_on_the_rubrics_deadline():
    [report] = propose(
        read_causes("Báo cáo CCHC quý III nộp muộn"),
        criterion_title="Báo cáo CCHC định kỳ",
        year=2025,
        assessment_date=date(2025, 12, 20),
        reports=REPORTS_2025,
    )
    assert (report.title, report.due, report.report_period) == (
        "Báo cáo CCHC 9 tháng năm 2025",
        date(2025, 9, 16),
        "9 tháng năm 2025",
    )
    assert report.template.report and report.report_found


def test_a_report_of_the_criterion_comes_before_the_areas_and_the_index():
    reports = [
        ReportItem("Báo cáo chuyển đổi số 9 tháng", "9 tháng năm 2025", date(2025, 9, 10), 2),
        ReportItem("Báo cáo CCHC 9 tháng", "9 tháng năm 2025", date(2025, 9, 20), 1),
    ]
    [report] = propose(
        [Cause("late_report", "Báo cáo 9 tháng quá hạn")],
        criterion_title="x",
        year=2025,
        assessment_date=None,
        reports=reports,
    )
    assert (report.title, report.due) == ("Báo cáo CCHC 9 tháng", date(2025, 9, 20))


def test_with_no_report_of_that_period_in_the_rubric_no_deadline_is_guessed():
    [report] = propose(
        [Cause("late_report", "Báo cáo 6 tháng quá hạn")],
        criterion_title="Báo cáo CCHC định kỳ",
        year=2025,
        assessment_date=date(2025, 12, 20),
        reports=[REPORTS_2025[0]],
    )
    assert report.title == "Báo cáo 6 tháng năm 2025: Báo cáo CCHC định kỳ" and report.due is None
    assert "chưa có báo cáo kỳ này" in report.checks


def test_two_causes_asking_for_the_same_document_make_one_item():
    items = propose(
        [Cause("missing_evidence", "Thiếu biên bản họp"), Cause("missing_evidence", "Không có minh chứng")],
        criterion_title="Họp Ban chỉ đạo",
        year=2025,
        assessment_date=None,
    )
    assert len(items) == 1 and "Thiếu biên bản họp; Không có minh chứng" in items[0].checks
    # late reports of three periods are three reports, even when one part of the note names two of them
    reports = propose(
        read_causes("Báo cáo Quý I và năm quá hạn; Báo cáo 9 tháng quá hạn"),
        criterion_title="x",
        year=2025,
        assessment_date=None,
        reports=REPORTS_2025,
    )
    assert [(r.title, r.due) for r in reports] == [
        ("Báo cáo CCHC Quý I/2025", date(2025, 3, 16)),
        ("Báo cáo CCHC năm 2025", date(2025, 12, 16)),
        ("Báo cáo CCHC 9 tháng năm 2025", date(2025, 9, 16)),
    ]


def test_the_seeds_q1_and_9_month_reports_late_in_one_sentence_propose_both():
    reports = propose(
        read_causes("Báo cáo cải cách hành chính Quý 1 và 9 tháng quá hạn quy định"),
        criterion_title="Báo cáo CCHC định kỳ",
        year=2025,
        assessment_date=date(2025, 12, 15),
        reports=REPORTS_2025,
    )
    assert [r.title for r in reports] == ["Báo cáo CCHC Quý I/2025", "Báo cáo CCHC 9 tháng năm 2025"]


def test_the_self_score_deviation_is_read_on_the_index_total():
    cause = index_deviation(Decimal("95"), Decimal("86.34"), 5, "Kế hoạch 100/KH-UBND, mục 8")
    assert cause is not None and cause.type == "self_score_deviation"
    assert cause.text == (
        "Tổng điểm tự chấm 95 cao hơn tổng điểm thẩm định 86,34 quá 5% (nguồn: Kế hoạch 100/KH-UBND, mục 8)"
    )
    assert index_deviation(Decimal("90"), Decimal("86.34"), 5) is None  # 4.2% above: within the threshold
    assert index_deviation(None, Decimal("86.34"), 5) is None
    assert index_deviation(Decimal("95"), Decimal("86.34"), 12) is None  # the threshold is the index's parameter


def test_the_deviation_threshold_is_a_parameter():
    assert deviates(4, 3, 5) and not deviates(3.1, 3, 5) and deviates(3.1, 3, 3) and not deviates(None, 3, 5)


def test_a_vocabulary_with_a_cause_type_unknown_to_the_rubric_or_a_bad_scope_is_refused(tmp_path):
    data = yaml.safe_load(TEMPLATES_FILE.read_text(encoding="utf-8"))
    data["causes"]["late_task"]["scope"] = "area"
    bad = tmp_path / "causes.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="cause late_task: scope 'area' is not one of criterion, index"):
        load_templates(bad)
    data["causes"]["late_task"]["scope"] = "criterion"
    data["causes"]["late_reply"] = data["causes"].pop("late_task")
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"unknown cause types \['late_reply'\], cause types not described \['late_task'\]"
    ):
        load_templates(bad)
