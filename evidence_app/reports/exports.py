"""The report in the forms people take away: JSON (the documented shape), CSV and XLSX with Vietnamese headers,
and a stand-alone HTML page for printing. All of them render the one report dict built by `build_report`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import current_app, render_template

from ..cells import csv_row, keep_formulas_as_text

RISK_LABELS = {
    "secured": "Chắc chắn",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ",
    "critical": "Nghiêm trọng",
    "lost": "Đã mất",
}
CRITERION_COLUMNS = [  # (key in the JSON, Vietnamese header)
    ("code", "Mã"),
    ("title", "Tiêu chí"),
    ("area", "Lĩnh vực"),
    ("max", "Điểm tối đa"),
    ("last_year", "Điểm năm trước"),
    ("secured", "Điểm chắc chắn"),
    ("expected", "Điểm dự kiến"),
    ("best", "Điểm tối đa có thể đạt"),
    ("at_risk", "Điểm có nguy cơ mất"),
    ("risk", "Mức rủi ro"),
    ("reason", "Lý do chính"),
    ("reasons", "Chi tiết"),
    ("owner", "Bộ phận phụ trách"),
    ("due", "Hạn"),
]
NUMBER_KEYS = {"max", "last_year", "secured", "expected", "best", "at_risk"}
FORMATS = ("json", "csv", "xlsx", "html")
# CSV as Excel reads it without an import wizard: Excel set to Vietnamese (Windows' list separator ";", decimal
# comma) opens the default; `international` is the comma and decimal point of English-language Excel and scripts.
CSV_DIALECTS = {"vi": (";", ","), "international": (",", ".")}
DAY = "DD/MM/YYYY"  # the number format of the XLSX date cells: Vietnamese offices write days this way
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def _cell(key: str, value):
    """A criterion's value as a spreadsheet cell: dates as dates, numbers as numbers, the rest as text."""
    if key == "reasons":
        return "; ".join(value)
    if key == "risk":
        return RISK_LABELS.get(value, value)
    if key == "due" and value:
        return date.fromisoformat(value)
    return value


def _area(criterion: dict) -> str:
    return f"{criterion['area']}. {criterion['area_name']}" if criterion.get("area_name") else criterion["area"]


def _criterion_cells(criterion: dict) -> list:
    return [_area(criterion) if k == "area" else _cell(k, criterion[k]) for k, _h in CRITERION_COLUMNS]


def _csv_text(value, decimal: str):
    """A CSV field: numbers with the dialect's decimal mark and no thousands separator, days as DD/MM/YYYY."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return format(Decimal(str(value)).normalize(), "f").replace(".", decimal)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def audit_head_line(report: dict) -> str:
    """The audit chain's head as one line for the foot of a report (also an anchor for `audit verify`)."""
    head = report["audit_head"]
    return (
        f"Chuỗi nhật ký kiểm tra: {head['events']} sự kiện, sự kiện cuối #{head['last_id'] or 0}, "
        f"mã băm {head['last_hash']}"
    )


def to_json(report: dict) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")


def to_csv(report: dict, dialect: str = "vi") -> bytes:
    if dialect not in CSV_DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}: use one of {', '.join(CSV_DIALECTS)}")
    delimiter, decimal = CSV_DIALECTS[dialect]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["Bộ chỉ số", *(header for _key, header in CRITERION_COLUMNS)])
    for index in report["indices"]:
        for criterion in index["criteria"]:
            cells = csv_row([f"{index['code']} {index['year']}", *_criterion_cells(criterion)])  # text made inert first
            writer.writerow([_csv_text(value, decimal) for value in cells])
    writer.writerow([audit_head_line(report)])  # the last row, after the criteria
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(report: dict) -> bytes:
    """A summary sheet and one sheet per index: numbers and days as real cells (they sort, filter and add up), a
    frozen header row with an autofilter, areas by name."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE6F3")
    number = "#,##0.00"
    book = Workbook()
    summary = book.active
    summary.title = "Tổng hợp"
    summary.append([f"Báo cáo mức độ đầy đủ minh chứng — {report['unit']['name']}"])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append(["Tính đến ngày", date.fromisoformat(report["as_of"])])
    summary["B2"].number_format = DAY
    summary.append([])
    headers = [
        "Bộ chỉ số",
        "Năm",
        "Ngày đánh giá",
        "Điểm tối đa",
        "Điểm năm trước",
        "Điểm chắc chắn",
        "Điểm dự kiến",
        "Điểm tối đa có thể đạt",
        "Điểm có nguy cơ mất",
    ]
    summary.append(headers)
    for cell in summary[4]:
        cell.font, cell.fill = bold, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index in report["indices"]:
        t = index["totals"]
        summary.append(
            [
                index["name"],
                index["year"],
                date.fromisoformat(index["assessment_date"]),
                t["max"],
                t["last_year"],
                t["secured"],
                t["expected"],
                t["best"],
                t["at_risk"],
            ]
        )
        row = summary[summary.max_row]
        row[2].number_format = DAY
        for cell in row[3:]:
            cell.number_format = number
    summary.auto_filter.ref = f"A4:I{summary.max_row}"
    summary.freeze_panes = "A5"
    summary.append([])
    summary.append([audit_head_line(report)])
    book.properties.description = audit_head_line(report)
    summary.column_dimensions["A"].width = 48
    for column in "BCDEFGHI":
        summary.column_dimensions[column].width = 16
    for index in report["indices"]:
        sheet = book.create_sheet(f"{index['code']} {index['year']}"[:31])
        sheet.append([h for _k, h in CRITERION_COLUMNS])
        for cell in sheet[1]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for criterion in index["criteria"]:
            sheet.append(_criterion_cells(criterion))
            for (key, _h), cell in zip(CRITERION_COLUMNS, sheet[sheet.max_row]):
                if key in NUMBER_KEYS:
                    cell.number_format = number
                elif key == "due":
                    cell.number_format = DAY
                if key in ("title", "area", "reason", "reasons"):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.auto_filter.ref = sheet.dimensions
        sheet.freeze_panes = "C2"  # the header row, and the code and title beside every figure
        for column, width in zip("ABCDEFGHIJKLMN", (10, 44, 28, 10, 10, 10, 10, 12, 12, 14, 40, 60, 26, 12)):
            sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    keep_formulas_as_text(book)
    book.save(out)
    return out.getvalue()


def to_html(report: dict) -> bytes:
    """A page that stands alone (it is downloaded and kept): the app's print stylesheet is embedded in it."""
    print_css = Path(current_app.static_folder or "", "print.css").read_text(encoding="utf-8")
    return render_template(
        "reports/print.html",
        report=report,
        risk_labels=RISK_LABELS,
        audit_head=audit_head_line(report),
        print_css=print_css,
    ).encode("utf-8")


def render(report: dict, fmt: str, dialect: str = "vi") -> bytes:
    """The report in one of FORMATS; `dialect` (one of CSV_DIALECTS) is the CSV's."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "csv":
        return to_csv(report, dialect)
    return {"json": to_json, "xlsx": to_xlsx, "html": to_html}[fmt](report)
