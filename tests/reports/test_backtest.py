"""`minhchung forecast backtest`: the report replayed every week of a small ward's cycle, against its official
results; the arithmetic of the errors and of the Brier score checked by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem
from evidence_app.clock import frozen_at
from evidence_app.cycle.operations import import_results
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import User
from evidence_app.reports.backtest import weeks
from evidence_app.reports.build import build_report
from evidence_app.review.operations import decide
from tests.cycle.sheets import write_csv
from tests.evidence import corpus
from tests.helpers import import_file, login, make_unit, make_user

# three binary criteria, 20 points; due dates late in the year so the cycle has four weekly rows:
# 24/11 (3 weeks before the assessment of 15/12), 01/12, 08/12, 15/12 (the first due date is 20/11)
CATALOG = {
    "format": 1,
    "departments": [
        {"code": "vp-tk", "name": "Văn phòng – Thống kê"},
        {"code": "vh-tt", "name": "Văn hoá – Thông tin"},
    ],
    "index": {
        "code": "CCHC",
        "name": "Chỉ số cải cách hành chính",
        "year": 2024,
        "max_points": 20,
        "assessment_date": "2024-12-15",
        "deviation": {"threshold_percent": 5, "penalty_points": 1, "source": "Kế hoạch kiểm thử, mục 2"},
    },
    "areas": [
        {
            "code": "1",
            "name": "Chỉ đạo, điều hành",
            "max_points": 10,
            "criteria": [
                {
                    "code": "1.1",
                    "title": "Kế hoạch CCHC",
                    "max_points": 4,
                    "rule": {"type": "binary"},
                    "department": "vp-tk",
                    "items": [
                        {
                            "code": "CCHC-1.1-a",
                            "title": "Kế hoạch CCHC năm 2024",
                            "checks": "Ký số",
                            "owner": "vp-tk",
                            "due": "2024-11-20",
                        }
                    ],
                },
                {
                    "code": "1.2",
                    "title": "Kiểm tra CCHC",
                    "max_points": 6,
                    "rule": {"type": "binary"},
                    "department": "vp-tk",
                    "items": [
                        {
                            "code": "CCHC-1.2-a",
                            "title": "Báo cáo kiểm tra",
                            "checks": "Ký số",
                            "owner": "vp-tk",
                            "due": "2024-12-01",
                        }
                    ],
                },
            ],
        },
        {
            "code": "2",
            "name": "Chính quyền số",
            "max_points": 10,
            "criteria": [
                {
                    "code": "2.1",
                    "title": "Hồ sơ công việc",
                    "max_points": 10,
                    "rule": {"type": "binary"},
                    "department": "vh-tt",
                    "items": [
                        {
                            "code": "CCHC-2.1-a",
                            "title": "Thống kê hồ sơ công việc",
                            "checks": "Trích xuất",
                            "owner": "vh-tt",
                            "due": "2024-12-10",
                        }
                    ],
                }
            ],
        },
    ],
}
DAYS = ["2024-11-24", "2024-12-01", "2024-12-08", "2024-12-15"]


def user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def approve_on(tmp_path, code: str, day: date) -> None:
    """Uploaded and approved at 9:00 in Vietnam on `day` (02:00 UTC)."""
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == code)).scalar_one()
    with frozen_at(datetime(day.year, day.month, day.day, 2, tzinfo=UTC)):
        result = upload_document(
            corpus.pdf(tmp_path, f"{code}.pdf", pages=len(code)),
            f"{code}.pdf",
            user=user("cb-vp-tk"),
            items=[item],
            fields=DocumentFields(),
        )
        evidence = result.new_links[0]
        decide(evidence, user("reviewer"), "approved", expected_version=evidence.version)


@pytest.fixture
def ward(app, write_catalog, tmp_path):
    unit = make_unit()
    import_file(write_catalog(CATALOG), unit)
    make_user(unit, "cb-vp-tk", departments=["vp-tk"])
    make_user(unit, "reviewer", role="reviewer")
    approve_on(tmp_path, "CCHC-1.1-a", date(2024, 11, 22))
    approve_on(tmp_path, "CCHC-1.2-a", date(2024, 12, 3))  # CCHC-2.1-a: never
    return unit


def import_official(unit, tmp_path, scores=(4, 6, 0)):
    rows = [["Mã", "Điểm tối đa", "Điểm chốt"], ["1.1", 4, scores[0]], ["1.2", 6, scores[1]], ["2.1", 10, scores[2]]]
    import_results(unit, "CCHC", 2024, write_csv(tmp_path / "ket-qua-2024.csv", rows))
    db.session.commit()


def run_json(runner, *extra):
    result = runner.invoke(
        args=["forecast", "backtest", "--unit", "gieng-day", "--index", "CCHC", "--year", "2024", "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_one_row_per_week_with_the_errors_against_the_official_results(ward, runner, tmp_path):
    import_official(ward, tmp_path)  # official total 4 + 6 + 0 = 10 of 20
    data = run_json(runner)
    assert data["index"] == {
        "code": "CCHC",
        "name": "Chỉ số cải cách hành chính",
        "year": 2024,
        "max": 20.0,
        "assessment_date": "2024-12-15",
        "first_due": "2024-11-20",
    }
    assert data["official"]["final_total"] == 10 and data["official"]["year"] == 2024
    rows = data["weeks"]
    assert [r["day"] for r in rows] == DAYS and [r["weeks_before"] for r in rows] == [3, 2, 1, 0]
    # secured by hand: 1.1 approved on 22/11 (4 points), 1.2 on 03/12 (+6); 2.1 never
    assert [r["secured"] for r in rows] == [4, 4, 10, 10]
    assert [r["best"] for r in rows] == [
        20,
        20,
        20,
        20,
    ]  # nothing lost: on the assessment day itself, pending items still count
    for row in rows:
        # the figures are those of the report as of that day
        report = build_report(ward, date.fromisoformat(row["day"]))["indices"][0]
        assert (row["secured"], row["expected"], row["best"]) == tuple(
            report["totals"][k] for k in ("secured", "expected", "best")
        )
        assert row["official"] == 10
        assert row["error"] == pytest.approx(row["expected"] - 10, abs=0.005)
        assert row["error_percent"] == pytest.approx((row["expected"] - 10) / 20 * 100, abs=0.005)
        by_code = {c["code"]: c for c in row["criteria"]}
        # Brier by hand: the criteria with something winnable that week, p against the official outcome
        terms = []
        for code, official in (("1.1", 4), ("1.2", 6), ("2.1", 0)):
            c = by_code[code]
            if c["best"] > c["secured"]:
                p = (c["expected"] - c["secured"]) / (c["best"] - c["secured"])
                outcome = min(1, max(0, (official - c["secured"]) / (c["best"] - c["secured"])))
                assert c["p"] == pytest.approx(p, abs=1e-4) and c["outcome"] == pytest.approx(outcome, abs=1e-4)
                terms.append((p - outcome) ** 2)
            else:
                assert c["p"] is None and c["brier"] is None
        assert row["brier_criteria"] == len(terms)
        assert row["brier"] == pytest.approx(sum(terms) / len(terms), abs=1e-4)
    first, last = rows[0], rows[-1]
    assert first["brier_criteria"] == 2  # 1.2 (outcome 1: won) and 2.1 (outcome 0: lost)
    assert {c["code"]: c["outcome"] for c in first["criteria"] if c["outcome"] is not None} == {"1.2": 1.0, "2.1": 0.0}
    # the assessment date: nothing more can be approved in time, expected = secured = 10 → no error
    assert (last["expected"], last["error"], last["error_percent"]) == (10, 0, 0)
    assert last["brier_criteria"] == 1 and last["brier"] == 0  # 2.1: p 0, outcome 0
    per_criterion = {c["code"]: c for c in data["criteria"]}
    assert (
        set(per_criterion) == {"1.2", "2.1"}
        and per_criterion["1.2"]["weeks"] == 2
        and per_criterion["2.1"]["weeks"] == 4
    )


def test_a_partly_won_criterion_and_the_human_table(ward, runner, tmp_path):
    import_official(ward, tmp_path, scores=(4, 6, 2.5))  # 2.1 won a quarter of its 10 points: official 12.5
    rows = run_json(runner)["weeks"]
    assert all(r["official"] == 12.5 for r in rows)
    assert rows[-1]["error"] == -2.5 and rows[-1]["error_percent"] == -12.5
    assert {c["code"]: c["outcome"] for c in rows[-1]["criteria"] if c["outcome"] is not None} == {"2.1": 0.25}
    assert rows[-1]["brier"] == pytest.approx(0.0625)  # p 0 against 0.25
    result = runner.invoke(args=["forecast", "backtest", "--unit", "gieng-day", "--index", "CCHC", "--year", "2024"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Kết quả chính thức: 12,5" in result.output
    header = next(line for line in lines if line.lstrip().startswith("Tuần"))
    for word in ("Ngày", "Chắc chắn", "Dự báo", "Có thể đạt", "Chính thức", "Sai số", "Brier"):
        assert word in header
    assert "ngày đánh giá 15/12/2024" in lines[0]
    last = next(line for line in lines if line.split()[1:2] == ["15/12/2024"])
    assert last.split()[:7] == ["0", "15/12/2024", "10", "10", "20", "12,5", "-2,5"] and "-12,5%" in last


def test_without_official_results_only_the_forecast(ward, runner):
    data = run_json(runner)
    assert data["official"] is None and len(data["weeks"]) == 4
    assert all(r["error"] is None and r["brier"] is None and r["official"] is None for r in data["weeks"])
    result = runner.invoke(args=["forecast", "backtest", "--unit", "gieng-day", "--index", "CCHC", "--year", "2024"])
    assert result.exit_code == 0 and "Chưa nhập kết quả chính thức" in result.output


def test_last_years_results_are_not_this_cycles(ward, runner, tmp_path):
    rows = [["Mã", "Điểm tối đa", "Điểm chốt"], ["1.1", 4, 1], ["1.2", 6, 6], ["2.1", 10, 10]]
    import_results(ward, "CCHC", 2023, write_csv(tmp_path / "kq-2023.csv", rows))  # matched against CCHC 2024
    db.session.commit()
    assert run_json(runner)["official"] is None


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--unit", "nowhere", "--index", "CCHC", "--year", "2024"],
            "unit 'nowhere' does not exist; known units: gieng-day",
        ),
        (
            ["--unit", "gieng-day", "--index", "DTI", "--year", "2024"],
            "unit 'gieng-day' has no index DTI 2024; known: CCHC 2024",
        ),
        (
            ["--unit", "gieng-day", "--index", "CCHC", "--year", "2023"],
            "unit 'gieng-day' has no index CCHC 2023; known: CCHC 2024",
        ),
    ],
)
def test_unknown_unit_or_index_exits_2_with_one_line(ward, runner, args, message):
    result = runner.invoke(args=["forecast", "backtest", *args, "--json"])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {message}"
    assert "Traceback" not in result.output


def test_weeks_are_counted_back_from_the_assessment_date(ward):
    from evidence_app.catalog.models import Index

    index = db.session.execute(select(Index)).scalar_one()
    assert [(k, d.isoformat()) for k, d in weeks(index)] == list(zip([3, 2, 1, 0], DAYS))


def test_a_closed_cycle_shows_its_final_forecast_beside_the_official_result(ward, app, client, tmp_path):
    """After the assessment date the report is the final forecast (what was secured by then) and, once the
    province's results are imported, shows them beside it."""
    after = build_report(ward, date(2025, 2, 1))["indices"][0]
    assert after["closed"] and after["official"] is None
    assert after["totals"]["expected"] == after["totals"]["secured"] == after["totals"]["best"] == 10
    import_official(ward, tmp_path, scores=(4, 6, 0))
    after = build_report(ward, date(2025, 2, 1))["indices"][0]
    assert after["official"] == {"final_total": 10, "published_total": None, "error": 0}
    before = build_report(ward, date(2024, 12, 8))["indices"][0]
    assert not before["closed"] and before["official"]["error"] == pytest.approx(
        before["totals"]["expected"] - 10, abs=0.01
    )
    login(client, "reviewer")
    page = client.get("/reports/?as_of=01/02/2025").get_data(as_text=True)
    assert "Kỳ đánh giá đã kết thúc ngày 15/12/2024." in page
    assert "Kết quả chính thức: 10 (dự báo 10, chênh lệch 0)." in page
