"""The causes read from the official results and the proposals made from them (issue 15): the self-score
deviation is one cause of the index, read on its total; a task completed late is not a late report; missing
minutes are missing evidence; a late periodic report proposes the same period's report, due as next year's rubric
says; a document asked for by several criteria is proposed once, with all of them."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest
from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem, Index
from evidence_app.cycle.models import CriterionResult, Proposal
from evidence_app.cycle.operations import correct_causes, import_results, merge_proposals
from evidence_app.cycle.queries import proposals_of
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.cycle.sheets import write_xlsx
from tests.helpers import import_file, login, make_unit, make_user

HEADER = ["STT", "Mã", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Điểm chốt", "Ghi chú"]
# As re-keyed from a real table: every criterion self-scored above its appraised score (19.5 against 14.5 in all)
ROWS = [
    HEADER,
    [1, "1.1", "Báo cáo CCHC định kỳ", 4, 4, 2.5, 2.5, "Báo cáo CCHC quý III nộp muộn; Báo cáo năm không nộp"],
    [2, "1.2", "Tuyên truyền CCHC", 8, 8, 6, 6, "Nhiệm vụ hoàn thành quá hạn; Thiếu biên bản"],
    [3, "2.1", "Tỷ lệ số hoá hồ sơ", 7.5, 7.5, 6, 6, "Báo cáo năm không nộp"],
]
REPORTS_2025 = [  # the periodic reports of next year's rubric: where their deadlines are read from
    ("a", "Báo cáo CCHC Quý I/2025", "Quý I/2025", "2025-03-16"),
    ("b", "Báo cáo CCHC 6 tháng đầu năm 2025", "6 tháng đầu năm 2025", "2025-06-16"),
    ("c", "Báo cáo CCHC 9 tháng năm 2025", "9 tháng năm 2025", "2025-09-16"),
    ("d", "Báo cáo CCHC năm 2025", "Năm 2025", "2025-12-06"),
]


def next_year(catalog: dict) -> dict:
    """The 2025 rubric: the same criteria, the four CCHC reports of 2025 under 1.1, every item renamed."""
    data = copy.deepcopy(catalog)
    data["index"].update(year=2025, assessment_date="2025-12-15")
    for area in data["areas"]:
        for criterion in area["criteria"]:
            criterion["department"] = "vp-tk"
            for item in criterion.get("items", []):
                item["code"] = item["code"].replace("CCHC-", "CCHC-2025-")
                item.pop("report", None)
                item.setdefault("due", "2025-11-30")
    data["areas"][0]["criteria"][0]["items"] = [
        {
            "code": f"CCHC-2025-1.1-{letter}",
            "title": title,
            "checks": "Ký số; gửi trước hạn",
            "owner": "vp-tk",
            "report": {
                "period": period,
                "deadline": deadline,
                "source": "Kế hoạch CCHC năm 2025 của UBND tỉnh (thử nghiệm)",
            },
        }
        for letter, title, period, deadline in REPORTS_2025
    ]
    return data


@pytest.fixture
def unit(app, catalog_dict, write_catalog):
    unit = make_unit()
    catalog_dict["index"]["deviation"]["source"] = "Kế hoạch 100/KH-UBND ngày 14/5/2024, mục 8"
    import_file(write_catalog(catalog_dict, "cchc-2024.yaml"), unit)
    import_file(write_catalog(next_year(catalog_dict), "cchc-2025.yaml"), unit)
    make_user(unit, "admin", role="admin")
    return unit


def _import(unit, tmp_path, rows=ROWS):
    plan = import_results(unit, "CCHC", 2024, write_xlsx(tmp_path / "ket-qua-2024.xlsx", rows))
    db.session.commit()
    return plan


def _proposals() -> list[Proposal]:
    return list(db.session.execute(select(Proposal).order_by(Proposal.id)).scalars())


def _index(year: int) -> Index:
    return db.session.execute(select(Index).where(Index.year == year)).scalar_one()


def test_the_deviation_is_one_cause_of_the_index_never_one_per_criterion(unit, tmp_path):
    plan = _import(unit, tmp_path)
    assert {r["code"]: r["causes"] for r in plan.rows} == {
        "1.1": ["late_report", "late_report"],
        "1.2": ["late_task", "missing_evidence"],  # a task completed late; missing minutes are missing evidence
        "2.1": ["late_report"],
    }
    stored = [c["type"] for r in db.session.execute(select(CriterionResult)).scalars() for c in r.causes]
    assert "self_score_deviation" not in stored
    deviation = [p for p in _proposals() if p.cause_type == "self_score_deviation"]
    assert len(deviation) == 1, "one review of the self-scores for the index, not one per criterion"
    [review] = deviation
    assert review.title == "Biên bản rà soát bảng tự chấm điểm CCHC trước khi nộp năm 2025"
    assert review.cause_text == (
        "Tổng điểm tự chấm 19,5 cao hơn tổng điểm thẩm định 14,5 quá 5% "
        "(nguồn: Kế hoạch 100/KH-UBND ngày 14/5/2024, mục 8)"
    )
    assert review.criterion_result is None and review.criterion.code == "1.1"  # filed under the first criterion
    assert review.due_date == date(2025, 12, 5)  # 10 days before the assessment of 2025


def test_a_criterion_above_its_appraised_score_is_no_cause_when_the_index_total_is_not(unit, tmp_path):
    rows = [HEADER, [1, "1.1", None, 4, 4, 2, 2, None], [2, "1.2", None, 8, 6, 8, 8, None]]
    plan = _import(unit, tmp_path, rows)
    assert plan.rows[0]["deviates"] and [r["causes"] for r in plan.rows] == [["missing_evidence"], []]
    assert not [p for p in _proposals() if p.cause_type == "self_score_deviation"]


def test_a_late_periodic_report_proposes_the_same_periods_report_due_as_next_years_rubric_says(unit, tmp_path):
    _import(unit, tmp_path)
    reports = [(p.criterion.code, p.title, p.due_date) for p in _proposals() if p.cause_type == "late_report"]
    assert reports == [
        ("1.1", "Báo cáo CCHC 9 tháng năm 2025", date(2025, 9, 16)),  # the Q3 report, not the annual one
        ("1.1", "Báo cáo CCHC năm 2025", date(2025, 12, 6)),
        ("2.1", "Báo cáo CCHC năm 2025", date(2025, 12, 6)),  # 2.1 has no report of its own: the index's
    ]
    late_task = sorted(p.title.split(":")[0] for p in _proposals() if p.cause_type == "late_task")
    assert late_task == [
        "Kế hoạch, lịch thực hiện có mốc thời gian năm 2025",
        "Văn bản, báo cáo xác nhận hoàn thành đúng hạn",
    ]


def test_proposals_asking_for_the_same_document_are_merged_and_proposed_once(unit, tmp_path):
    _import(unit, tmp_path)
    merged = merge_proposals(proposals_of(_index(2025)))
    titles = [g.lead.title.split(":")[0] for g in merged]
    assert len(titles) == len(set(titles)), titles
    [annual] = [g for g in merged if g.lead.title == "Báo cáo CCHC năm 2025"]
    assert [c.code for c in annual.criteria] == ["1.1", "2.1"]
    assert annual.causes == ["Báo cáo năm không nộp"]
    count = len(_proposals())
    _import(unit, tmp_path)
    assert len(_proposals()) == count, "a second import proposes nothing twice, the index's review included"


def csrf(client, url):
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))
    return found.group(1) if found else ""


def test_the_page_shows_the_merged_proposal_with_its_criteria_and_accepting_it_serves_each(unit, tmp_path, app):
    _import(unit, tmp_path)
    client = app.test_client()
    login(client, "admin")
    index = _index(2025)
    url = f"/admin/proposals?index={index.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Nguyên nhân của cả chỉ số" in page and "Tổng điểm tự chấm 19,5 cao hơn tổng điểm thẩm định 14,5" in page
    assert page.count("<h2>Báo cáo CCHC năm 2025</h2>") == 1 and "2 tiêu chí:" in page
    assert page.count("<h2>Biên bản rà soát bảng tự chấm điểm CCHC") == 1
    assert "Nhiệm vụ hoàn thành quá hạn, chậm tiến độ" in page
    assert "đọc theo cụm từ «hoàn thành quá hạn»" in page and "đọc theo cụm từ «thiếu biên bản»" in page
    # the rubric of 2025 has the 9-month report already: the page says so beside the proposal
    assert "Danh mục năm sau đã có tài liệu này: CCHC-2025-1.1-c. Chấp nhận sẽ dùng mục đó" in page
    lead = next(p for p in _proposals() if p.title == "Báo cáo CCHC năm 2025")
    token = csrf(client, url)
    response = client.post(
        f"/admin/proposals/{lead.id}",
        data={
            f"p{lead.id}-csrf_token": token,
            f"p{lead.id}-title": lead.title,
            f"p{lead.id}-checks": lead.checks,
            f"p{lead.id}-owner": lead.owner_department_id,
            f"p{lead.id}-due": "06/12/2025",
            f"p{lead.id}-action": "accept",
        },
    )
    assert response.status_code == 303
    # 1.1 asks for that report already (the rubric's CCHC-2025-1.1-d): no second item; 2.1 gets one
    items = db.session.execute(select(ChecklistItem).where(ChecklistItem.origin == "proposal")).scalars().all()
    assert [(i.code, i.report_period, i.report_deadline) for i in items] == [
        ("CCHC-2.1-r1", "Năm 2025", date(2025, 12, 6)),
    ]
    [event] = db.session.execute(select(AuditEvent).where(AuditEvent.action == "proposal.accept")).scalars()
    assert (event.data["items"], event.data["made"]) == (["CCHC-2025-1.1-d", "CCHC-2.1-r1"], ["CCHC-2.1-r1"])
    db.session.expire_all()
    assert {p.state for p in _proposals() if p.title == "Báo cáo CCHC năm 2025"} == {"accepted"}
    page = client.get(url).get_data(as_text=True)
    assert "CCHC-2025-1.1-d" in page and "CCHC-2.1-r1" in page


def test_the_q3_report_accepted_keeps_its_period(unit, tmp_path, app):
    _import(unit, tmp_path)
    client = app.test_client()
    login(client, "admin")
    q3 = next(p for p in _proposals() if p.title == "Báo cáo CCHC 9 tháng năm 2025")
    response = client.post(
        f"/admin/proposals/{q3.id}",
        data={
            f"p{q3.id}-title": "Báo cáo CCHC 9 tháng năm 2025 (bản ký số, kèm ảnh chụp ngày gửi)",
            f"p{q3.id}-checks": q3.checks,
            f"p{q3.id}-owner": q3.owner_department_id,
            f"p{q3.id}-due": "16/09/2025",
            f"p{q3.id}-action": "accept",
        },
    )
    assert response.status_code == 303
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.origin == "proposal")).scalar_one()
    assert (item.report_period, item.report_deadline) == ("9 tháng năm 2025", date(2025, 9, 16))


def test_correcting_a_rows_causes_keeps_the_indexs_review(unit, tmp_path):
    _import(unit, tmp_path)
    row = db.session.execute(
        select(CriterionResult).where(CriterionResult.note == "Nhiệm vụ hoàn thành quá hạn; Thiếu biên bản")
    ).scalar_one()
    correct_causes(row, [("late_report", "Nhiệm vụ hoàn thành quá hạn"), ("missing_evidence", "Thiếu biên bản")], None)
    assert len([p for p in _proposals() if p.cause_type == "self_score_deviation"]) == 1
    # the index-wide cause chosen on a row is still proposed once, for the index
    correct_causes(row, [("self_score_deviation", "Tự chấm cao"), ("missing_evidence", "Thiếu biên bản")], None)
    assert len([p for p in _proposals() if p.cause_type == "self_score_deviation"]) == 1


def test_the_command_lists_each_document_once_with_the_criteria_it_serves(unit, tmp_path, runner):
    import json

    _import(unit, tmp_path)
    result = runner.invoke(args=["results", "proposals", "--unit", unit.code, "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    [annual] = [p for p in listed if p["title"] == "Báo cáo CCHC năm 2025"]
    assert (annual["criteria"], annual["due"], annual["index_wide"]) == (["1.1", "2.1"], "2025-12-06", False)
    [review] = [p for p in listed if p["cause"] == "self_score_deviation"]
    assert review["index_wide"] and review["criteria"] == ["1.1"]
    text = runner.invoke(args=["results", "proposals", "--unit", unit.code]).output
    assert "CCHC 2025 1.1,2.1" in text and "CCHC 2025 index" in text
