"""Reading the spreadsheets officials exchange (XLSX or CSV): find the header row by its Vietnamese headers,
whatever the order of the columns, and give back the rows below it with their row numbers. No Flask, no
database. Text is compared without accents, case or extra spacing ("Điểm  tự chấm" = "diem tu cham")."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from .numbers import as_decimal

Cell = object  # a cell's value: text, a number, a date, or None when empty
HEADER_SEARCH_ROWS = 30  # the header row is among the first rows (titles and the ward's name come above it)


class TableError(Exception):
    """The file cannot be read as a table; `problems` are lines naming the file and the row."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def fold(text: object) -> str:
    """Lower case, no accents (đ → d), punctuation as spaces, single spaces: for comparing names and titles."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^0-9a-z%./]+", " ", text).split())


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Vietnamese header written on export and named in messages
    synonyms: tuple[str, ...]  # folded texts a header may be equal to or start with


@dataclass(frozen=True)
class Row:
    number: int  # the row number as the spreadsheet shows it (1-based)
    values: dict[str, Cell]  # column key -> the cell's value (None when empty)


@dataclass(frozen=True)
class Table:
    source: str
    header_row: int
    columns: dict[str, str]  # column key -> the header text found in the file
    rows: tuple[Row, ...]


def read_cells(path: str | Path, data: bytes | None = None) -> list[list[Cell]]:
    """The cells of the first sheet of an XLSX, or of a CSV (UTF-8, with or without BOM; `,` `;` or tab)."""
    path = Path(path)
    source = path.name
    raw = data if data is not None else _read_bytes(path)
    if raw[:4] == b"PK\x03\x04":
        return _xlsx_cells(raw, source)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise TableError(
            source, ["is not an XLSX workbook (it does not open as one); save it again from Excel as .xlsx"]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            source, [f"is not UTF-8 text (byte {exc.start}); save the CSV as UTF-8, or send the XLSX"]
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TableError(str(path), ["the file does not exist"]) from None


def _xlsx_cells(raw: bytes, source: str) -> list[list[Cell]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise TableError(
            source, [f"cannot be opened as an XLSX workbook ({exc.__class__.__name__}); save it again from Excel"]
        ) from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def match_column(header: Cell, columns: list[Column]) -> Column | None:
    folded = fold(header)
    if not folded:
        return None
    for column in columns:  # exact names first, so "Điểm tự chấm" is not taken for a shorter synonym
        if folded in column.synonyms:
            return column
    for column in columns:  # then a synonym followed by more words: "Điểm thẩm định lần 2", "Tiêu chí / Mã"
        if any(folded.startswith(s + " ") for s in column.synonyms):
            return column
    return None


def find_table(
    cells: list[list[Cell]], columns: list[Column], *, source: str, required: list[tuple[str, ...]]
) -> Table:
    """The first row among the first rows whose headers name every required column (each entry of `required`
    is a tuple of keys, any one of which will do), and the rows under it."""
    best: tuple[int, dict[str, tuple[int, str]]] | None = None
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        found: dict[str, tuple[int, str]] = {}
        for c, header in enumerate(row):
            column = match_column(header, columns)
            if column is not None and column.key not in found:
                found[column.key] = (c, str(header).strip())
        if all(set(keys) & found.keys() for keys in required):
            best = (r, found)
            break
    if best is None:
        wanted = " · ".join(" / ".join(_header_of(k, columns) for k in keys) for keys in required)
        raise TableError(
            source,
            [
                f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected a row with "
                f"the columns {wanted} (in any order); add that row above the data"
            ],
        )
    r, found = best
    rows = []
    for offset, row in enumerate(cells[r + 1 :], start=r + 2):
        values = {key: _clean(row[c]) if c < len(row) else None for key, (c, _h) in found.items()}
        if any(v is not None for v in values.values()):
            rows.append(Row(offset, values))
    return Table(source, r + 1, {key: header for key, (_c, header) in found.items()}, tuple(rows))


def _header_of(key: str, columns: list[Column]) -> str:
    return next(c.header for c in columns if c.key == key)


def _clean(value: Cell) -> Cell:
    if isinstance(value, str):
        value = " ".join(value.replace("\u00a0", " ").split()) if "\n" not in value else value.strip()
        return value or None
    return value


def number(value: Cell) -> Decimal | None:
    """A cell as a number: 15.84, "15,84", "15.84"; None when empty. Raises ValueError when it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value)).normalize() if isinstance(value, float) else Decimal(value)
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+", text):  # 1.000,5: thousands with dots, decimal comma
        text = text.replace(".", "")
    result = as_decimal(text)
    if result is None:
        raise ValueError(value)
    return result


# The ways a day is written: Vietnamese dd/mm/yyyy (also with dashes or dots) and ISO; the app's forms, API and
# command line accept the same (evidence_app/dates.py).
DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def day(value: Cell) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in DAY_FORMATS:
        try:
            return datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


CODE_PREFIX = re.compile(r"^\s*(\d+(?:\.\d+){0,3})\.?\s+(.*)$", re.S)


def code_text(value: Cell) -> str | None:
    """A criterion code from a cell: "1.1", 1.1 (a number), "4.22.11."; None when the cell holds no code."""
    if value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().rstrip(".")
    return text if re.fullmatch(r"\d+(\.\d+){0,3}", text) else None
