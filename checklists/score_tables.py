"""The province's score table as it is published: title rows above the header, headers over two rows under
merged cells ("Kết quả" over "Điểm tự đánh giá" | "Điểm thẩm định"), an STT column numbering the tree (I, II…
areas; 1, 2… criteria; 1.1, a, b… sub-criteria), total and subtotal rows, several sheets. Reads it into rows
with their codes, finds which rows are totals of which, and matches titles without accents. No Flask, no
database; messages go through the `translate` the app hands in (its gettext)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path

from .tables import CODE_PREFIX, Cell, Column, TableError, _clean, code_text, fold, match_column, number, read_cells

HEADER_SEARCH_ROWS = 30
TOTAL_TITLES = ("tong cong", "tong diem", "tong so diem", "tong", "cong", "tong so")
SCORE_KEYS = ("max", "self", "appraised", "final")
Translate = Callable[..., str]


@dataclass(frozen=True)
class Sheet:
    name: str
    cells: list[list[Cell]]
    merges: tuple[tuple[int, int, int, int], ...] = ()  # (first row, first column, last row, last column), 0-based


@dataclass
class ScoreRow:
    sheet: str
    number: int  # the row number as the spreadsheet shows it
    values: dict[str, Cell]
    stt: str | None = None
    code: str | None = None  # from the Mã column, the title's prefix, or the STT tree
    title: str | None = None
    total: bool = False  # "Tổng cộng": the whole table's total
    parent: str | None = None  # the code of the row this one adds up into
    children: list[ScoreRow] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1 if self.code else 0

    def score(self, key: str) -> Decimal | None:
        try:
            return number(self.values.get(key))
        except ValueError:
            return None


@dataclass
class ScoreTable:
    sheet: str
    header_rows: tuple[int, ...]  # the header's row numbers (one or two)
    columns: dict[str, tuple[int, str]]  # column key -> (0-based column, the header as written, parent / leaf)
    rows: list[ScoreRow]

    def column(self, key: str) -> str:
        """A column as messages name it: its letter and header ("E (Kết quả / Điểm thẩm định)")."""
        index, header = self.columns[key]
        return f"{column_letter(index)} ({header})"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---- reading every sheet
def read_sheets(path: str | Path, data: bytes | None, translate: Translate) -> list[Sheet]:
    """Every worksheet of an XLSX (with its merged cells), or the one table of a CSV."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError:
            raise TableError(path.name, [translate("the file does not exist or cannot be read")]) from None
    if data[:4] != b"PK\x03\x04":
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raise TableError(path.name, [translate("is not an XLSX workbook; save it again from Excel as .xlsx")])
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TableError(
                path.name, [translate("is not UTF-8 text; save the CSV as UTF-8, or send the XLSX")]
            ) from None
        return [Sheet(path.name, read_cells(path, data))]
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise TableError(
            path.name, [translate("cannot be opened as an XLSX workbook; save it again from Excel as .xlsx")]
        ) from None
    sheets = []
    for ws in book.worksheets:
        cells: list[list[Cell]] = [list(row) for row in ws.iter_rows(values_only=True)]
        merges = tuple((r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges)
        sheets.append(Sheet(ws.title, cells, merges))
    book.close()
    return sheets


def _filled(sheet: Sheet, rows: range) -> list[list[Cell]]:
    """The rows with each merged range's value in every cell it covers (for reading headers only)."""
    out = [list(sheet.cells[r]) if r < len(sheet.cells) else [] for r in rows]
    for r1, c1, r2, c2 in sheet.merges:
        if r1 >= len(sheet.cells) or c1 >= len(sheet.cells[r1]):
            continue
        value = sheet.cells[r1][c1]
        for i, r in enumerate(rows):
            if r1 <= r <= r2:
                row = out[i]
                row.extend([None] * (c2 + 1 - len(row)))
                for c in range(c1, c2 + 1):
                    row[c] = value
    return out


# ---- the header
def _text(value: Cell) -> str:
    return " ".join(str(value).split()) if value is not None and str(value).strip() else ""


def _match(leaf: str, parent: str, columns: list[Column]) -> Column | None:
    """A header by its leaf, then by parent and leaf together ("Điểm tự chấm / Điểm"), then by its parent."""
    for text in (leaf, f"{parent} {leaf}" if parent else "", parent if not leaf else ""):
        if text:
            found = match_column(text, columns)
            if found is None and "/" in text:  # "Lĩnh vực/Tiêu chí/Tiêu chí thành phần": any of its names
                found = next((c for part in text.split("/") if (c := match_column(part, columns))), None)
            if found is not None:
                return found
    return None


def _header(block: list[list[Cell]], columns: list[Column]) -> dict[str, tuple[int, str]]:
    """The columns a block of header rows names: each column by its lowest text, with the text above it."""
    width = max((len(r) for r in block), default=0)
    found: dict[str, tuple[int, str]] = {}
    for c in range(width):
        values = [_text(r[c]) if c < len(r) else "" for r in block]
        leaf = next((v for v in reversed(values) if v), "")
        parent = next((v for v in values if v and fold(v) != fold(leaf)), "")
        column = _match(leaf, parent, columns)
        if column is not None and column.key not in found:
            found[column.key] = (c, f"{parent} / {leaf}" if parent and leaf else leaf or parent)
    return found


def find_score_table(sheet: Sheet, columns: list[Column], required: list[tuple[str, ...]]) -> ScoreTable | None:
    """The header (one row, or two under merged cells) among the first rows, and the rows under it; None when
    the sheet has no such header."""
    cells = sheet.cells
    for end in range(min(HEADER_SEARCH_ROWS, len(cells))):
        chosen = None
        for start in (end, end - 1):
            if start < 0:
                continue
            found = _header(_filled(sheet, range(start, end + 1)), columns)
            if all(set(keys) & found.keys() for keys in required):
                chosen = start
                break
        if chosen is None:
            continue
        if chosen == end and end > 0:  # a row of headers above, merged over this one: keep it as the parents
            if len(_header(_filled(sheet, range(end - 1, end)), columns)) >= 2:  # not a title row
                chosen = end - 1
        found = _header(_filled(sheet, range(chosen, end + 1)), columns)
        rows = []
        for offset, row in enumerate(cells[end + 1 :], start=end + 2):
            values = {key: _clean(row[c]) if c < len(row) else None for key, (c, _h) in found.items()}
            if any(v is not None for v in values.values()) and not _numbering_row(row):
                rows.append(ScoreRow(sheet.name, offset, values))
        return ScoreTable(sheet.name, tuple(range(chosen + 1, end + 2)), found, rows)
    return None


def _numbering_row(row: list[Cell]) -> bool:
    """The row of column numbers some tables put under the header: (1) (2) (3)… or 1 2 3…"""
    texts = [fold(v).strip("()") for v in row if v is not None and str(v).strip()]
    return len(texts) >= 3 and texts == [str(i) for i in range(1, len(texts) + 1)]


# ---- the STT column as a tree
ROMAN = re.compile(r"^(?=[IVXL]+$)(XL|L?X{0,3})(IX|IV|V?I{0,3})$")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}
SUB_MARK = re.compile(r"^([a-zđ]|[-+•*])\)?$")


def roman(text: str) -> int | None:
    if not text or not ROMAN.match(text):
        return None
    total, previous = 0, 0
    for ch in reversed(text):
        value = ROMAN_VALUES[ch]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


def _stt(value: Cell) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else repr(value)
    text = str(value).strip().rstrip(".").strip()
    for prefix in ("phan ", "truc ", "linh vuc ", "noi dung ", "chi so "):
        if fold(text).startswith(prefix):  # "Phần II", "Nội dung 3": the number alone
            text = " ".join(text.split()[len(prefix.split()) :])
    return text or None


def read_tree(table: ScoreTable) -> None:
    """Give each row its code and parent: the Mã column, or a code written as or before the title, first; else
    the STT read as a tree. With Roman numerals, I = area 1, 1 = its criterion 1.1, a (or 1.1) = sub-criterion
    1.1.1; without them, 1.1 = criterion 1.1 and 1 = area 1 when such dotted numbers exist (otherwise a plain
    row counter). Total rows are marked."""
    stts = [_stt(r.values.get("stt")) for r in table.rows]
    roman_areas = any(s and s == s.upper() and roman(s.upper()) for s in stts)
    dotted = any(s and re.fullmatch(r"\d+(\.\d+)+", s) for s in stts)
    area = criterion = last = None
    subs = 0
    for row, stt in zip(table.rows, stts, strict=True):
        row.stt = stt
        code = code_text(row.values.get("code"))
        title = row.values.get("title")
        title = str(title).strip() if title is not None else None
        if title:
            prefix = CODE_PREFIX.match(title)
            if code_text(title):
                code, title = code or code_text(title), None
            elif prefix and ("." in prefix.group(1) or not stt):
                code = code or prefix.group(1)
                title = prefix.group(2).strip() or None
        row.title = title
        label = fold(title or (row.values.get("code") if code is None else "") or stt or "")
        if not code and label and (label in TOTAL_TITLES or label.startswith(("tong cong", "tong diem"))):
            if not stt or fold(stt) == label:  # "Tổng cộng" in the title or in the STT cell merged over it
                row.total = True
                continue
        derived = None
        if stt:
            upper = stt.upper()
            if roman_areas and stt == upper and roman(upper):
                derived = str(roman(upper))
                area, criterion, last, subs = derived, None, None, 0
            elif re.fullmatch(r"\d+", stt):
                if roman_areas:
                    derived = f"{area}.{int(stt)}" if area else None
                    criterion, last, subs = derived, derived, 0
                elif dotted and code is None:
                    derived = str(int(stt))
                    area, criterion, last, subs = derived, None, None, 0
            elif re.fullmatch(r"\d+(\.\d+)+", stt):
                if roman_areas and area:
                    head = stt.split(".")[0]
                    within = criterion is None or criterion.endswith(f".{head}")
                    derived = f"{area}.{stt}" if within else stt
                else:
                    derived = stt
                last, subs = derived, 0
            elif SUB_MARK.match(stt.lower()) and (last or criterion):
                subs += 1
                derived = f"{last or criterion}.{subs}"
        if code is not None and derived is None and "." not in code:
            area, criterion, last, subs = code, None, None, 0
        row.code = code or derived
    by_code = {r.code: r for r in table.rows if r.code}
    for row in table.rows:
        if row.code and "." in row.code:
            parent = by_code.get(row.code.rsplit(".", 1)[0])
            if parent is not None and parent is not row:
                row.parent = parent.code
                parent.children.append(row)


def _decimals(value: Cell) -> int:
    text = str(value).replace(",", ".")
    if isinstance(value, float):
        text = repr(round(value, 6))
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def sum_problems(table: ScoreTable, translate: Translate, where: Callable[[ScoreRow], str] | None = None) -> list[str]:
    """Every total or subtotal that is not the sum of the rows under it (to the precision it is written with:
    a total written 696 holds 695.9), naming the row (by `where`, else its sheet and number) and the column."""
    if where is None:
        where = lambda row: translate("sheet %(sheet)s, row %(row)s", sheet=table.sheet, row=row.number)
    problems = []
    top = [r for r in table.rows if r.code and r.parent is None and not r.total]
    checks = [(r, r.children) for r in table.rows if r.children]
    checks += [(r, top) for r in table.rows if r.total and top]
    for row, children in checks:
        for key in SCORE_KEYS:
            if key not in table.columns:
                continue
            written = row.score(key)
            parts = [p for p in (c.score(key) for c in children) if p is not None]
            if written is None or len(parts) != len(children):
                continue
            total = sum(parts, Decimal(0))
            if abs(total - written) >= Decimal(5) / Decimal(10) ** (_decimals(row.values[key]) + 1):
                problems.append(
                    translate(
                        "%(where)s, column %(column)s: the total %(written)s is not the sum of the %(n)s rows "
                        "under it (%(sum)s); check those rows' scores",
                        where=where(row),
                        column=table.column(key),
                        written=_plain(written),
                        n=len(children),
                        sum=_plain(total),
                    )
                )
    return problems


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


# ---- titles
def similarity(a: str | None, b: str | None) -> float:
    """How alike two titles are, 0 to 1, compared without accents, case, punctuation or spacing."""
    a, b = fold(a), fold(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
