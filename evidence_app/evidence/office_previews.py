"""Word (.docx) and Excel (.xlsx) files read on the server into text and tables, so that a reviewer sees them
without downloading (issue 14).

Only text is taken: paragraphs, headings and tables of a document; cell values of a workbook (the values Excel
saved, never formulas evaluated). Nothing else reaches the browser: no styles, images, fields, links, macros or
embedded objects, and the page that shows them is served under the preview sandbox (no script, no external
resource). XML is parsed by defusedxml (no DTD, no entity, no external reference); the sizes read are bounded, and
what is cut is said.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from defusedxml import ElementTree
from openpyxl import load_workbook

from ..files import get_storage

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_XML_BYTES = 16 * 1024 * 1024  # word/document.xml of a 200-page report is about 2 MB
MAX_BLOCKS = 600  # paragraphs and tables of a document
MAX_SHEETS = 10
MAX_ROWS = 300  # per sheet or table
MAX_COLUMNS = 40
MAX_CELL_CHARS = 1000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Table:
    rows: list[list[str]]
    title: str | None = None  # a workbook's sheet name


@dataclass
class Paragraph:
    text: str
    heading: bool = False


@dataclass
class OfficePreview:
    blocks: list[Paragraph | Table] = field(default_factory=list)
    truncated: bool = False


class PreviewUnavailable(Exception):
    """The file cannot be read as text (damaged, or larger than the preview reads)."""


def stored_preview(storage_key: str, content_type: str) -> OfficePreview:
    """The preview of a stored file, read through a seekable copy (an S3 body is a stream)."""
    with get_storage().open(storage_key) as source, tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as copy:
        shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.seek(0)
        return office_preview(copy, content_type)


def office_preview(stream: IO[bytes], content_type: str) -> OfficePreview:
    """The text and tables of a stored .docx or .xlsx (`stream` must be seekable)."""
    try:
        if content_type == DOCX:
            return _document(stream)
        if content_type == XLSX:
            return _workbook(stream)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, OSError) as error:
        raise PreviewUnavailable(str(error)) from error
    raise ValueError(f"no preview for {content_type}")


def _document(stream: IO[bytes]) -> OfficePreview:
    with zipfile.ZipFile(stream) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > MAX_XML_BYTES:
            raise PreviewUnavailable("word/document.xml is too large to preview")
        root = ElementTree.fromstring(archive.read(info), forbid_dtd=True)
    body = root.find(f"{W}body")
    preview = OfficePreview()
    for element in body if body is not None else ():
        if len(preview.blocks) >= MAX_BLOCKS:
            preview.truncated = True
            break
        if element.tag == f"{W}p":
            text = _paragraph_text(element)
            if text.strip():
                preview.blocks.append(Paragraph(text, heading=_is_heading(element)))
        elif element.tag == f"{W}tbl":
            table, cut = _document_table(element)
            preview.blocks.append(table)
            preview.truncated |= cut
    return preview


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{W}tab":
            parts.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    return _cut("".join(parts))


def _is_heading(paragraph) -> bool:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    name = (style.get(f"{W}val") or "") if style is not None else ""
    return name.lower().startswith(("heading", "title", "tieude"))


def _document_table(table) -> tuple[Table, bool]:
    rows, cut = [], False
    for row in table.iter(f"{W}tr"):
        if len(rows) >= MAX_ROWS:
            cut = True
            break
        cells = row.findall(f"{W}tc")
        cut |= len(cells) > MAX_COLUMNS
        rows.append([_cut("\n".join(_paragraph_text(p) for p in cell.iter(f"{W}p"))) for cell in cells[:MAX_COLUMNS]])
    return Table(rows), cut


def _workbook(stream: IO[bytes]) -> OfficePreview:
    workbook = load_workbook(stream, read_only=True, data_only=True)  # cached values; no formula is evaluated
    preview = OfficePreview()
    try:
        for number, sheet in enumerate(workbook.worksheets):
            if number >= MAX_SHEETS:
                preview.truncated = True
                break
            rows: list[list[str]] = []
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                if len(rows) >= MAX_ROWS:
                    preview.truncated = True
                    break
                rows.append([_cell(value) for value in values])
            while rows and not any(rows[-1]):
                rows.pop()
            width = max((max((i + 1 for i, v in enumerate(row) if v), default=0) for row in rows), default=0)
            preview.truncated |= (sheet.max_column or 0) > MAX_COLUMNS
            preview.blocks.append(Table([row[:width] for row in rows], title=sheet.title))
    finally:
        workbook.close()
    return preview


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour, value.minute) != (0, 0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _cut(str(value))


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS] + "…"
