"""Spreadsheets as officials send them, written by the tests."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook


def write_xlsx(path: Path, rows: list[list], *, title_rows: int = 2) -> Path:
    book = Workbook()
    sheet = book.active
    for i in range(title_rows):  # the heading officials put above the table
        sheet.append(["BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM" if i == 0 else "UBND phường Giếng Đáy"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list], delimiter: str = ",") -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=delimiter).writerows(rows)
    return path
