"""Word and Excel files are shown to the reviewer as their text and tables, read on the server, under the preview
sandbox: no script or markup from the file reaches the page, XML tricks are refused, long files are cut and say so."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from evidence_app.evidence.models import Document
from evidence_app.evidence.office_previews import (
    DOCX,
    MAX_ROWS,
    XLSX,
    Paragraph,
    PreviewUnavailable,
    Table,
    office_preview,
)
from evidence_app.extensions import db
from evidence_app.files import get_storage
from tests.evidence import corpus
from tests.evidence.test_upload import post, staff  # noqa: F401 (fixture)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(tmp_path, body: str, name: str = "bao-cao.docx", prolog: str = "") -> bytes:
    parts = corpus.ooxml_parts("docx")
    parts["word/document.xml"] = (
        f'{corpus.XML_DECL}{prolog}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    )
    return corpus.zip_file(tmp_path, name, parts).read_bytes()


def para(text: str, style: str | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}<w:r><w:t>{text}</w:t></w:r></w:p>"


def xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Chỉ tiêu"
    sheet.append(["STT", "Chỉ tiêu", "Kết quả", "Ngày"])
    sheet.append([1, "Tỷ lệ hồ sơ trực tuyến", 86.5, datetime(2024, 3, 14)])
    sheet.append([2, "=SUM(C2:C2)", 2.0, None])
    book.create_sheet("Ghi chú").append(["<script>alert(1)</script>"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_word_file_gives_its_headings_paragraphs_and_tables(tmp_path):
    table = (
        "<w:tbl><w:tr><w:tc>" + para("Chỉ tiêu") + "</w:tc><w:tc>" + para("Kết quả") + "</w:tc></w:tr>"
        "<w:tr><w:tc>" + para("Hồ sơ đúng hạn") + "</w:tc><w:tc>" + para("98%") + "</w:tc></w:tr></w:tbl>"
    )
    data = docx_bytes(tmp_path, para("BÁO CÁO", "Heading1") + para("Kết quả quý I năm 2024") + table)
    preview = office_preview(io.BytesIO(data), DOCX)
    assert preview.blocks == [
        Paragraph("BÁO CÁO", heading=True),
        Paragraph("Kết quả quý I năm 2024"),
        Table([["Chỉ tiêu", "Kết quả"], ["Hồ sơ đúng hạn", "98%"]]),
    ]
    assert not preview.truncated


def test_a_workbook_gives_each_sheet_with_saved_values_and_vietnamese_dates():
    preview = office_preview(io.BytesIO(xlsx_bytes()), XLSX)
    first, second = preview.blocks
    assert first.title == "Chỉ tiêu" and second.title == "Ghi chú"
    assert first.rows[1] == ["1", "Tỷ lệ hồ sơ trực tuyến", "86.5", "14/03/2024"]
    assert first.rows[2][1] == "", "a formula is never evaluated: openpyxl wrote no cached value, so nothing shows"


def test_a_long_table_is_cut_and_says_so():
    book = Workbook()
    for n in range(MAX_ROWS + 50):
        book.active.append([n])
    out = io.BytesIO()
    book.save(out)
    preview = office_preview(io.BytesIO(out.getvalue()), XLSX)
    assert len(preview.blocks[0].rows) == MAX_ROWS and preview.truncated


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["entity-expansion", "external-entity"],
)
def test_xml_with_a_doctype_is_not_read(tmp_path, prolog):
    data = docx_bytes(tmp_path, para("&b;" if "ENTITY a" in prolog else "&x;"), prolog=prolog)
    with pytest.raises(PreviewUnavailable):
        office_preview(io.BytesIO(data), DOCX)


def test_the_reviewer_sees_a_word_file_as_escaped_text_under_the_sandbox(staff, tmp_path):  # noqa: F811
    data = docx_bytes(tmp_path, para("Kế hoạch &lt;script&gt;alert(1)&lt;/script&gt; số 100/KH-UBND"))
    assert post(staff, "CCHC-1.2-a", (data, "Kế hoạch.docx")).status_code == 303
    document = db.session.execute(select(Document)).scalar_one()
    response = staff.get(f"/documents/{document.id}/preview")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    assert "Kế hoạch &lt;script&gt;alert(1)&lt;/script&gt; số 100/KH-UBND" in page
    assert "<script" not in page
    assert f'href="/documents/{document.id}/preview"' in staff.get(f"/documents/{document.id}").get_data(as_text=True)


def test_a_spreadsheet_preview_shows_every_sheet(staff):  # noqa: F811
    assert post(staff, "CCHC-1.2-a", (xlsx_bytes(), "Số liệu.xlsx")).status_code == 303
    document = db.session.execute(select(Document)).scalar_one()
    page = staff.get(f"/documents/{document.id}/preview").get_data(as_text=True)
    assert "<h2>Chỉ tiêu</h2>" in page and "<h2>Ghi chú</h2>" in page and "14/03/2024" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page


def test_a_damaged_word_file_says_it_cannot_be_previewed(staff, tmp_path):  # noqa: F811
    assert post(staff, "CCHC-1.2-a", (docx_bytes(tmp_path, para("Nội dung")), "Hỏng.docx")).status_code == 303
    document = db.session.execute(select(Document)).scalar_one()
    not_word = corpus.zip_file(tmp_path, "khac.docx", {"khac.txt": "x"}).read_bytes()
    document.storage_key = get_storage().save(io.BytesIO(not_word)).key  # stored bytes without word/document.xml
    db.session.commit()
    page = staff.get(f"/documents/{document.id}/preview").get_data(as_text=True)
    assert "Không đọc được tệp này để xem trước" in page


def test_a_photo_shows_when_it_was_taken_and_uploads_show_local_time(staff, tmp_path):  # noqa: F811
    photo = corpus.jpeg(tmp_path, exif=corpus.exif_block(taken="2024:03:15 09:30:00")).read_bytes()
    assert post(staff, "CCHC-1.2-a", (photo, "IMG_0001.JPG")).status_code == 303
    document = db.session.execute(select(Document)).scalar_one()
    page = staff.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "Ngày chụp" in page and "15/03/2024 09:30" in page
