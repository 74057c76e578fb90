"""The report in the forms people take away: JSON (the documented shape), CSV and XLSX with Vietnamese headers,
and a stand-alone HTML page for printing. All of them render the one report dict built by `build_report`."""

from __future__ import annotations

import csv
import io
import json

from flask import render_template

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
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def _cell(key: str, value):
    if key == "reasons":
        return "; ".join(value)
    if key == "risk":
        return RISK_LABELS.get(value, value)
    if key == "due" and value:
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}"
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


def to_csv(report: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Bộ chỉ số", *(header for _key, header in CRITERION_COLUMNS)])
    for index in report["indices"]:
        for criterion in index["criteria"]:
            writer.writerow(
                csv_row([f"{index['code']} {index['year']}", *(_cell(k, criterion[k]) for k, _h in CRITERION_COLUMNS)])
            )
    writer.writerow([audit_head_line(report)])  # the last row, after the criteria
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(report: dict) -> bytes:
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
    summary.append([f"Tính đến ngày {_cell('due', report['as_of'])}"])
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
    for index in report["indices"]:
        t = index["totals"]
        summary.append(
            [
                index["name"],
                index["year"],
                _cell("due", index["assessment_date"]),
                t["max"],
                t["last_year"],
                t["secured"],
                t["expected"],
                t["best"],
                t["at_risk"],
            ]
        )
        for cell in summary[summary.max_row][3:]:
            cell.number_format = number
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
            sheet.append([_cell(k, criterion[k]) for k, _h in CRITERION_COLUMNS])
            for (key, _h), cell in zip(CRITERION_COLUMNS, sheet[sheet.max_row]):
                if key in NUMBER_KEYS:
                    cell.number_format = number
                if key in ("title", "reasons"):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "C2"
        for column, width in zip("ABCDEFGHIJKLM", (10, 44, 8, 10, 10, 10, 10, 12, 12, 14, 60, 26, 11)):
            sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    keep_formulas_as_text(book)
    book.save(out)
    return out.getvalue()


def to_html(report: dict) -> bytes:
    return render_template(
        "reports/print.html", report=report, risk_labels=RISK_LABELS, audit_head=audit_head_line(report)
    ).encode("utf-8")


def render(report: dict, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return {"json": to_json, "csv": to_csv, "xlsx": to_xlsx, "html": to_html}[fmt](report)
