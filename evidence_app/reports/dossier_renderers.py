"""The self-assessment dossier written out: XLSX (openpyxl), DOCX (python-docx) and PDF (fpdf2, with the DejaVu Sans
shipped in static/fonts so that Vietnamese prints on a machine without network or system fonts). Each renders the
one `Dossier` of reports/dossier.py: a criterion with several documents takes one line per document, its own cells
merged over them (XLSX, DOCX) or left empty below the first line (PDF)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..cells import keep_formulas_as_text
from .dossier import (
    DOCUMENT_HEADERS,
    DOCUMENTS_HEADER,
    HEADERS,
    NOT_APPLICABLE,
    QUOC_HIEU,
    SIGNATURE_LEFT,
    SIGNATURE_RIGHT,
    TIEU_NGU,
    TOTAL,
    Dossier,
    DossierDocument,
    DossierRow,
    day,
    points,
)

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
COLUMNS = len(HEADERS) + len(DOCUMENT_HEADERS)
XLSX_WIDTHS = (7, 42, 9, 9, 34, 16, 11, 34, 8, 34)  # characters
DOCX_WIDTHS_CM = (1.1, 5.4, 1.4, 1.4, 4.2, 2.3, 2.2, 4.0, 1.6, 3.1)  # 26.7 cm: A4 landscape inside its margins
LINE_POINTS = 13  # the height of a line of text in the XLSX, for rows whose text wraps


@dataclass(frozen=True)
class Line:
    """One line of the table: a row's first line carries its own cells; every line carries one document."""

    row: DossierRow
    document: DossierDocument | None
    first: bool
    span: int  # how many lines the row takes (its documents, at least one)


def lines(dossier: Dossier) -> Iterator[Line]:
    for row in dossier.rows:
        documents = row.documents or (None,)
        for n, document in enumerate(documents):
            yield Line(row, document, n == 0, len(documents))


def row_texts(row: DossierRow) -> list[str]:
    """A row's own cells as text (STT, title, max, self-score, giải trình)."""
    self_score = points(row.self_score) if row.applicable else NOT_APPLICABLE
    return [row.stt, row.title, points(row.max_points), self_score, row.explanation or ""]


def document_texts(document: DossierDocument | None) -> list[str]:
    if document is None:
        return [""] * len(DOCUMENT_HEADERS)
    return [
        document.number or "",
        day(document.issue_date),
        document.summary or "",
        document.page_ref or "",
        document.path,
    ]


# ---- XLSX


def to_xlsx(dossier: Dossier) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Tự đánh giá"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)
    last = get_column_letter(COLUMNS)

    def merged(cells: str, value, font=None, alignment=centred) -> None:
        sheet.merge_cells(cells)
        cell = sheet[cells.split(":")[0]]
        cell.value = value
        cell.alignment = alignment
        if font is not None:
            cell.font = font

    merged("A1:D1", dossier.unit_name.upper(), bold)
    merged(f"F1:{last}1", QUOC_HIEU, bold)
    merged(f"F2:{last}2", TIEU_NGU, bold)
    merged(f"F3:{last}3", dossier.place_and_date, Font(italic=True))
    merged(f"A5:{last}5", dossier.title, Font(bold=True, size=13))
    merged(f"A6:{last}6", f"{dossier.index_code} – {dossier.index_name} ({dossier.year})")
    merged(f"A7:{last}7", dossier.subtitle, Font(italic=True))

    head = 9
    for column, text in enumerate(HEADERS, start=1):
        letter = get_column_letter(column)
        merged(f"{letter}{head}:{letter}{head + 1}", text, bold)
    first_document = len(HEADERS) + 1
    merged(f"{get_column_letter(first_document)}{head}:{last}{head}", DOCUMENTS_HEADER, bold)
    for offset, text in enumerate(DOCUMENT_HEADERS):
        cell = sheet.cell(head + 1, first_document + offset, text)
        cell.font, cell.alignment = bold, centred

    def fit(row_number: int, texts: list[str]) -> None:
        """Spreadsheets do not grow a row for wrapped text they did not lay out themselves: give it the height."""
        needed = max(
            (
                sum(-(-len(part) // max(1, int(XLSX_WIDTHS[i] * 0.9))) or 1 for part in text.split("\n"))
                for i, text in texts
            ),
            default=1,
        )
        sheet.row_dimensions[row_number].height = max(1, needed) * LINE_POINTS

    number = head + 2
    for line in lines(dossier):
        own = list(enumerate(row_texts(line.row))) if line.first and line.span == 1 else []
        fit(number, own + [(len(HEADERS) + i, t) for i, t in enumerate(document_texts(line.document))])
        row = line.row
        if line.first:
            values: list = [row.stt, row.title, float(row.max_points)]
            values.append(
                float(row.self_score) if row.self_score is not None else (None if row.applicable else NOT_APPLICABLE)
            )
            values.append(row.explanation)
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(number, column, value)
                cell.alignment = wrap
                if row.kind == "area":
                    cell.font = bold
            if line.span > 1:
                for column in range(1, len(HEADERS) + 1):
                    sheet.merge_cells(
                        start_row=number, start_column=column, end_row=number + line.span - 1, end_column=column
                    )
        for offset, text in enumerate(document_texts(line.document)):
            cell = sheet.cell(number, first_document + offset, text or None)
            cell.alignment = wrap
            if offset == 1 and line.document is not None and line.document.issue_date is not None:
                cell.value, cell.number_format = line.document.issue_date, "DD/MM/YYYY"
        number += 1
    sheet.merge_cells(f"A{number}:B{number}")
    sheet.cell(number, 1, TOTAL).font = bold
    sheet.cell(number, 3, float(dossier.total_max)).font = bold
    sheet.cell(number, 4, float(dossier.total_self_score)).font = bold
    for row_cells in sheet.iter_rows(min_row=head, max_row=number, max_col=COLUMNS):
        for cell in row_cells:
            cell.border = box
    for column in (3, 4):
        for (cell,) in sheet.iter_rows(min_row=head + 2, max_row=number, min_col=column, max_col=column):
            cell.number_format = "0.###"
            cell.alignment = Alignment(horizontal="right", vertical="top")

    sign = number + 2
    merged(f"A{sign}:D{sign}", SIGNATURE_LEFT[0], bold)
    merged(f"A{sign + 1}:D{sign + 1}", SIGNATURE_LEFT[1], Font(italic=True))
    for offset, text in enumerate(SIGNATURE_RIGHT):
        merged(f"F{sign + offset}:{last}{sign + offset}", text, Font(italic=True) if text.startswith("(") else bold)

    for column, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.print_title_rows = f"{head}:{head + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    keep_formulas_as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- DOCX


def to_docx(dossier: Dossier) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(11)

    def write(cell, text: str, *, bold=False, italic=False, centre=False, size=None) -> None:
        paragraph = cell.paragraphs[0] if cell.paragraphs and not cell.paragraphs[0].text else cell.add_paragraph()
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = Pt(size)
        if centre:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    head = document.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    write(left, dossier.unit_name.upper(), bold=True, centre=True)
    write(right, QUOC_HIEU, bold=True, centre=True)
    write(right, TIEU_NGU, bold=True, centre=True)
    write(right, dossier.place_and_date, italic=True, centre=True)
    for text, bold, italic in (
        (dossier.title, True, False),
        (f"{dossier.index_code} – {dossier.index_name} ({dossier.year})", False, False),
        (dossier.subtitle, False, True),
    ):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic

    all_lines = list(lines(dossier))
    table = document.add_table(rows=2 + len(all_lines) + 1, cols=COLUMNS)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # the widths below, not the text, decide the columns (Word and LibreOffice alike)
    for column, width in enumerate(DOCX_WIDTHS_CM):
        table.columns[column].width = Cm(width)
    # The cells, read once: `table.cell()` walks the whole table on every call (minutes for a large index).
    grid = [list(row.cells) for row in table.rows]
    for row_cells in grid:
        for column, cell in enumerate(row_cells):
            cell.width = Cm(DOCX_WIDTHS_CM[column])
    for header_row in table.rows[:2]:  # repeated at the top of every page
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        header_row._tr.get_or_add_trPr().append(flag)

    for number, line in enumerate(all_lines, start=2):
        if line.first:
            for column, text in enumerate(row_texts(line.row)):
                cell = grid[number][column]
                if line.span > 1:
                    cell = cell.merge(grid[number + line.span - 1][column])
                write(cell, text, bold=line.row.kind == "area", size=9)
        for offset, text in enumerate(document_texts(line.document)):
            write(grid[number][len(HEADERS) + offset], text, size=9)
    total = len(all_lines) + 2
    write(grid[total][2], points(dossier.total_max), bold=True, size=9)
    write(grid[total][3], points(dossier.total_self_score), bold=True, size=9)
    write(grid[total][0].merge(grid[total][1]), TOTAL, bold=True, size=9)
    # the headings last: merging across a row takes cells out of it
    for column, text in enumerate(HEADERS):
        write(grid[0][column].merge(grid[1][column]), text, bold=True, centre=True, size=9)
    for offset, text in enumerate(DOCUMENT_HEADERS):
        write(grid[1][len(HEADERS) + offset], text, bold=True, centre=True, size=9)
    documents = grid[0][len(HEADERS)].merge(grid[0][COLUMNS - 1])
    write(documents, DOCUMENTS_HEADER, bold=True, centre=True, size=9)

    document.add_paragraph()
    signature = document.add_table(rows=1, cols=2)
    left, right = signature.rows[0].cells
    write(left, SIGNATURE_LEFT[0], bold=True, centre=True)
    write(left, SIGNATURE_LEFT[1], italic=True, centre=True)
    for text in SIGNATURE_RIGHT:
        write(right, text, bold=not text.startswith("("), italic=text.startswith("("), centre=True)
    document.core_properties.title = dossier.title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---- PDF


def to_pdf(dossier: Dossier) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_title(dossier.title)
    pdf.set_creator("Minh Chứng")
    pdf.add_page()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2

    def block(x: float, y: float, texts: list[tuple[str, str]]) -> float:
        pdf.set_xy(x, y)
        for style, text in texts:
            pdf.set_font("DejaVu", style, 10)
            pdf.set_x(x)
            pdf.multi_cell(half, 5, text, align="C", new_x="LEFT", new_y="NEXT")
        return pdf.get_y()

    top = pdf.get_y()
    bottom = max(
        block(pdf.l_margin, top, [("B", dossier.unit_name.upper())]),
        block(pdf.l_margin + half, top, [("B", QUOC_HIEU), ("B", TIEU_NGU), ("", dossier.place_and_date)]),
    )
    pdf.set_xy(pdf.l_margin, bottom + 6)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 6, dossier.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        0, 5, f"{dossier.index_code} – {dossier.index_name} ({dossier.year})", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.multi_cell(0, 5, dossier.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    pdf.set_font("DejaVu", "", 7.5)
    heading = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=(10, 52, 14, 14, 40, 24, 21, 40, 12, 46),
        num_heading_rows=2,
        headings_style=heading,
        line_height=3.6,
        text_align="LEFT",
        v_align="TOP",
    ) as table:
        first = table.row()
        for text in HEADERS:
            first.cell(text, rowspan=2, align="CENTER")
        first.cell(DOCUMENTS_HEADER, colspan=len(DOCUMENT_HEADERS), align="CENTER")
        second = table.row()
        for text in DOCUMENT_HEADERS:
            second.cell(text, align="CENTER")
        for line in lines(dossier):
            row = table.row()
            style = heading if line.row.kind == "area" else None
            own = row_texts(line.row) if line.first else [""] * len(HEADERS)
            for text in own:
                row.cell(text, style=style)
            for text in document_texts(line.document):
                row.cell(text)
        total = table.row()
        total.cell(TOTAL, colspan=2, style=heading)
        total.cell(points(dossier.total_max), style=heading)
        total.cell(points(dossier.total_self_score), style=heading)
        total.cell("", colspan=COLUMNS - 4)

    pdf.ln(6)
    if pdf.get_y() > pdf.h - 45:  # the signature stays with the end of the table's page, or starts a page whole
        pdf.add_page()
    top = pdf.get_y()
    block(pdf.l_margin, top, [("B", SIGNATURE_LEFT[0]), ("", SIGNATURE_LEFT[1])])
    block(pdf.l_margin + half, top, [("B" if not t.startswith("(") else "", t) for t in SIGNATURE_RIGHT])
    return bytes(pdf.output())


RENDERERS: dict[str, Callable[[Dossier], bytes]] = {"xlsx": to_xlsx, "docx": to_docx, "pdf": to_pdf}


def render_dossier(dossier: Dossier, fmt: str) -> bytes:
    return RENDERERS[fmt](dossier)
