"""Cells of the CSV and XLSX files the app writes, kept as text: a value that starts like a formula (`=`, `+`,
`-`, `@`, tab or carriage return) must not run when a ward opens the file in Excel (OWASP: CSV injection)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A CSV cell: text that starts like a formula gets a leading apostrophe, which Excel shows as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values) -> list:
    return [csv_cell(v) for v in values]


def keep_formulas_as_text(book) -> None:
    """An openpyxl workbook's cells that openpyxl would write as formulas (strings starting with `=`) become
    plain text; the app never writes a formula of its own."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
