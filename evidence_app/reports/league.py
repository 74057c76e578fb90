"""The province's league table as a spreadsheet: one sheet per index, real numbers, a filter and a frozen header."""

from __future__ import annotations

import io
from datetime import date

from ..cells import keep_formulas_as_text

COLUMNS = [  # (key of a league table row, Vietnamese header, width)
    ("rank", "Hạng", 7),
    ("unit", "Mã đơn vị", 16),
    ("unit_name", "Đơn vị", 40),
    ("expected", "Điểm dự kiến", 14),
    ("secured", "Điểm chắc chắn", 14),
    ("at_risk", "Điểm có nguy cơ mất", 16),
    ("last_year", "Điểm năm trước", 14),
    ("critical", "Tiêu chí nghiêm trọng", 14),
]
POINTS = {"expected", "secured", "at_risk", "last_year"}


def league_to_xlsx(tables: list[dict], as_of: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(f"{table['code']} {table['year']}"[:31])
        sheet.append([f"Bảng xếp hạng {table['name']} ({table['year']}) — tính đến ngày {as_of:%d/%m/%Y}"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([header for _key, header, _width in COLUMNS])
        for cell in sheet[2]:
            cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F3")
        for row in table["rows"]:
            sheet.append([row.get(key) for key, _header, _width in COLUMNS])
            for (key, _header, _width), cell in zip(COLUMNS, sheet[sheet.max_row]):
                if key in POINTS:
                    cell.number_format = "#,##0.00"
        for position, (_key, _header, width) in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(position)].width = width
        sheet.freeze_panes = "A3"
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 2)}"
    if not tables:
        book.create_sheet("Bảng xếp hạng").append(["Chưa có bộ chỉ số nào."])
    keep_formulas_as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
