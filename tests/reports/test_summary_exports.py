"""Issue 14: the one-page executive summary and the "In" button (the printed pages themselves are checked in
Chromium by test_print.py), the HTML export with the print stylesheet inside, and spreadsheets that open as
they should: real dates and numbers, autofilter, frozen header and area names in the XLSX, a CSV for Excel set to
Vietnamese."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from evidence_app.reports.build import build_report
from evidence_app.reports.summary import executive_summary, official_day
from tests.helpers import login
from tests.reports.test_report import ward  # noqa: F401  (the demo ward's rubric: 84 criteria, most at risk)

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


def test_the_summary_keeps_ten_criteria_and_counts_the_others(ward):  # noqa: F811
    report = build_report(ward, date(2024, 6, 1))
    summary = executive_summary(report)
    at_risk = {
        i["code"]: [c for c in i["criteria"] if c["at_risk"] > 0 and not c["remainder"]] for i in report["indices"]
    }
    assert len(summary["criteria"]) == 10 and summary["more_criteria"] == sum(map(len, at_risk.values())) - 10
    assert [c["index"] for c in summary["criteria"]] == ["CCHC"] * 5 + ["QN-DTI"] * 5  # both indices on the page
    cchc = [c for c in summary["criteria"] if c["index"] == "CCHC"]
    assert [c["priority"] for c in cchc if c["risk"] != "critical"] == sorted(
        (c["priority"] for c in cchc if c["risk"] != "critical"), reverse=True
    )
    assert [i["last_year"] for i in summary["indices"]] == [86.34, 696]
    assert summary["indices"][0]["change"] == round(report["indices"][0]["totals"]["expected"] - 86.34, 2)
    # late departments of both indices, one line each, the furthest behind first
    assert summary["departments"][0] == {"name": "Văn phòng – Thống kê", "remaining": 69, "waiting": 0, "sent_back": 0}
    assert len(summary["departments"]) == 5 and summary["more_departments"] == 3  # 8 departments are late


def test_official_days():
    assert official_day("2024-06-01") == "ngày 01 tháng 6 năm 2024"
    assert official_day("2024-02-15") == "ngày 15 tháng 02 năm 2024"
    assert official_day("2024-12-31") == "ngày 31 tháng 12 năm 2024"


def test_the_summary_page_and_the_in_button(ward, client):  # noqa: F811
    login(client, "reviewer")
    page = client.get("/reports/?as_of=01/06/2024").get_data(as_text=True)
    assert 'href="/static/print.css"' in page and 'src="/static/print.js"' in page
    assert "<summary>In</summary>" in page and "/reports/summary?as_of=2024-06-01&amp;print=1" in page
    assert "data-print" in page and "Báo cáo đầy đủ (A4 ngang)" in page
    assert QUOC_HIEU in page  # on paper only (print.css), with the signature block
    response = client.get("/reports/summary?as_of=01/06/2024")
    assert response.status_code == 200
    summary = response.get_data(as_text=True)
    for text in (
        QUOC_HIEU,
        TIEU_NGU,
        "UBND PHƯỜNG GIẾNG ĐÁY",
        "Ngày 01 tháng 6 năm 2024",
        "và 58 tiêu chí khác",
        "CHỦ TỊCH",
        "Văn phòng – Thống kê",
        'href="/static/print.css"',
        "data-print",
    ):
        assert text in summary, text
    assert "data-autoprint" not in summary
    assert "data-autoprint" in client.get("/reports/summary?as_of=01/06/2024&print=1").get_data(as_text=True)
    assert client.get("/reports/summary?as_of=31/02/2024").status_code == 400


def test_the_html_export_embeds_the_print_stylesheet(ward, client, app):  # noqa: F811
    login(client, "reviewer")
    html = client.get("/reports/download?format=html&as_of=2024-06-01").get_data(as_text=True)
    stylesheet = (app.static_folder and open(f"{app.static_folder}/print.css", encoding="utf-8").read()) or ""
    assert "@page summary" in stylesheet and stylesheet.strip() in html  # the same file, inside
    assert "<link" not in html and "<script" not in html and "http" not in html.split("<body>")[0]
    assert QUOC_HIEU in html and TIEU_NGU in html and 'class="doc-table doc-criteria"' in html


def test_xlsx_has_real_dates_numbers_filters_frozen_header_and_area_names(ward, client):  # noqa: F811
    login(client, "reviewer")
    book = load_workbook(io.BytesIO(client.get("/reports/download?format=xlsx&as_of=2024-06-01").data))
    summary = book["Tổng hợp"]
    assert summary["B2"].value == datetime(2024, 6, 1) and summary["B2"].number_format == "DD/MM/YYYY"
    assert summary["C5"].value == datetime(2024, 12, 15) and summary["C5"].number_format == "DD/MM/YYYY"
    assert summary.freeze_panes == "A5" and summary.auto_filter.ref == "A4:I6"
    sheet = book["CCHC 2024"]
    headers = [c.value for c in sheet[1]]
    row = dict(zip(headers, sheet[2]))
    assert row["Lĩnh vực"].value == "1. Công tác chỉ đạo, điều hành CCHC"
    assert isinstance(row["Hạn"].value, datetime) and row["Hạn"].number_format == "DD/MM/YYYY"
    assert isinstance(row["Điểm tối đa"].value, (int, float)) and row["Điểm tối đa"].data_type == "n"
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref == f"A1:N{sheet.max_row}"


def test_csv_for_excel_in_vietnamese_and_the_international_dialect(ward, client, runner, tmp_path):  # noqa: F811
    login(client, "reviewer")
    body = client.get("/reports/download?format=csv&as_of=2024-06-01").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    header, first = rows[0], dict(zip(rows[0], rows[1]))
    assert header[:4] == ["Bộ chỉ số", "Mã", "Tiêu chí", "Lĩnh vực"] and len(rows) == 1 + 84 + 1
    numbers = [r[header.index("Điểm dự kiến")] for r in rows[1:-1]]
    assert any("," in n for n in numbers) and not any("." in n for n in numbers), numbers[:5]
    assert first["Điểm tối đa"] in {"1", "2", "3"} or first["Điểm tối đa"].isdigit()  # "2", never "2.0"
    assert first["Lĩnh vực"].startswith("1. ") and first["Hạn"].count("/") == 2

    out = tmp_path / "r.csv"
    result = runner.invoke(
        args=["report", "--as-of", "01/06/2024", "--format", "csv", "--dialect", "international", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    numbers = [r[rows[0].index("Điểm dự kiến")] for r in rows[1:-1]]
    assert any("." in n for n in numbers) and not any("," in n for n in numbers)
    assert client.get("/reports/download?format=csv&dialect=excel").status_code == 400
