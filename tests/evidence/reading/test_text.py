"""read_text on each form a document comes in (text PDF, scanned PDF, phone photo, Word, Excel), and its clear
errors: a damaged file, a missing Tesseract. OCR runs on a few single pages only (about 2 s each)."""

from __future__ import annotations

import io
import os
import tracemalloc
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfReader, PdfWriter

from evidence_app.evidence.reading import text as reading_text
from evidence_app.evidence.reading.fields import fold, propose_fields
from evidence_app.evidence.reading.text import OcrUnavailable, ReadingError, parse_tsv, read_text
from tests.evidence.reading import documents

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read(sample: documents.Sample, tmp_path: Path):
    return read_text(str(sample.write(tmp_path, "doc")), sample.content_type)


def assert_fields(found: dict[str, str], truth: documents.Truth, *, ocr: bool = False) -> None:
    """The fields right; after OCR, the signer's name right but for a tone mark ("Đỉnh" for "Đinh")."""
    assert found.get("number") == truth.number
    assert found.get("issue_date") == truth.issue_date
    assert found.get("issuer", "").upper() == truth.issuer.upper()
    if ocr:
        assert fold(found.get("signer", "")) == fold(truth.signer)
    else:
        assert found.get("signer") == truth.signer


def test_text_pdf_is_read_from_its_text_layer_page_by_page(tmp_path):
    sample = documents.sample(21, "text_pdf", pages=3)
    result = read(sample, tmp_path)
    assert result.method == "text"
    assert result.pages == len(PdfReader(io.BytesIO(sample.content)).pages) >= 2
    assert result.confidence is None and result.page_confidences is None
    assert result.text.count("\f") == result.pages - 1  # a form feed between pages
    assert_fields(propose_fields(result.text), sample.truth)


def test_an_encrypted_pdf_that_opens_without_a_password_is_read(tmp_path):
    sample = documents.sample(32, "text_pdf")
    writer = PdfWriter(clone_from=io.BytesIO(sample.content))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as out:
        writer.write(out)
    result = read_text(str(path), "application/pdf")
    assert result.method == "text" and propose_fields(result.text)["number"] == sample.truth.number


def test_docx_is_read_from_the_file_with_its_header_table_column_by_column(tmp_path):
    sample = documents.sample(22, "docx")
    result = read(sample, tmp_path)
    assert result.method == "office"
    assert result.text.splitlines()[0] == (sample.spec.parent or sample.spec.issuer_lines[0])
    assert_fields(propose_fields(result.text), sample.truth)


def test_xlsx_cells_are_read_row_by_row(tmp_path):
    workbook = Workbook()
    workbook.active.append(["Tổ dân phố", "Hồ sơ tiếp nhận"])
    workbook.active.append(["Tổ 1", 125])
    path = tmp_path / "bieu.xlsx"
    workbook.save(path)
    result = read_text(str(path), XLSX)
    assert result.method == "office"
    assert result.text.splitlines() == ["Tổ dân phố\tHồ sơ tiếp nhận", "Tổ 1\t125"]


def test_scanned_pdf_is_ocred_with_its_confidence(tmp_path):
    sample = documents.sample(23, "scanned_pdf", pages=1)
    assert PdfReader(io.BytesIO(sample.content)).pages[0].extract_text().strip() == ""  # no text layer
    result = read(sample, tmp_path)
    assert result.method == "ocr" and result.pages == 1 and result.language == "vie"
    assert result.page_confidences is not None and len(result.page_confidences) == 1
    assert 70 <= result.confidence <= 100 and result.confidence == result.page_confidences[0]
    assert_fields(propose_fields(result.text), sample.truth, ocr=True)


def test_a_pdf_with_text_and_scanned_pages_ocrs_only_the_scanned_ones_in_page_order(tmp_path):
    first_scan = documents.sample(25, "scanned_pdf", pages=1)
    text = documents.sample(24, "text_pdf", pages=1)
    last_scan = documents.sample(33, "scanned_pdf", pages=1)
    writer = PdfWriter()
    for sample in (first_scan, text, last_scan):
        writer.append(io.BytesIO(sample.content))
    path = tmp_path / "mixed.pdf"
    with open(path, "wb") as out:
        writer.write(out)
    result = read_text(str(path), "application/pdf")
    assert result.method == "ocr" and result.pages == 3
    assert result.page_confidences is not None
    assert result.page_confidences[1] == reading_text.TEXT_LAYER_CONFIDENCE
    scanned = [result.page_confidences[0], result.page_confidences[2]]
    assert all(70 <= c < 100 for c in scanned) and min(scanned) <= result.confidence <= max(scanned)
    pages = result.text.split("\f")
    for page, sample in zip(pages, (first_scan, text, last_scan), strict=True):
        assert propose_fields(page)["issue_date"] == sample.truth.issue_date


def test_ocr_over_its_time_limit_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(reading_text, "OCR_TIMEOUT", 0.01)
    with pytest.raises(ReadingError, match="OCR of page 1 took longer than"):
        read(documents.sample(34, "scanned_pdf", pages=1), tmp_path)


def test_phone_photo_stored_sideways_is_turned_upright_and_read(tmp_path):
    spec = documents.make_spec(26, pages=1)
    sample = documents.Sample(spec, "phone_photo", documents.phone_photo(spec, size=(1920, 2560), sideways=True))
    with Image.open(io.BytesIO(sample.content)) as stored:
        assert stored.width > stored.height and stored.getexif().get(0x0112) == 6
    result = read(sample, tmp_path)
    assert result.method == "ocr" and result.pages == 1 and result.confidence > 60
    assert_fields(propose_fields(result.text), sample.truth, ocr=True)


@pytest.mark.parametrize(("image_format", "content_type"), [("PNG", "image/png"), ("HEIF", "image/heic")])
def test_a_small_image_is_enlarged_before_ocr(tmp_path, image_format, content_type):
    spec = documents.make_spec(27, pages=1)
    page = next(documents.page_images(documents.text_pdf(spec), 110))  # about 900 × 1290 pixels
    path = tmp_path / "small.img"
    page.convert("RGB").save(path, image_format)
    result = read_text(str(path), content_type)
    assert propose_fields(result.text).get("number") == spec.truth.number


def test_unsupported_kinds_give_empty_text(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert read_text(str(path), "application/msword") == reading_text.TextResult(text="", method="none", pages=0)


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", b"not a pdf at all", b""],
    ids=["truncated", "garbage", "empty"],
)
def test_a_damaged_pdf_gives_a_clear_error(tmp_path, content):
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(ReadingError, match="PDF cannot be read"):
        read_text(str(path), "application/pdf")


def test_a_damaged_image_or_docx_gives_a_clear_error(tmp_path):
    photo = io.BytesIO()
    Image.effect_noise((800, 600), 60).save(photo, "JPEG")
    image = tmp_path / "broken.jpg"
    image.write_bytes(photo.getvalue()[:5000])
    with pytest.raises(ReadingError, match="image cannot be decoded"):
        read_text(str(image), "image/jpeg")
    word = tmp_path / "broken.docx"
    word.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReadingError, match="damaged"):
        read_text(str(word), documents.CONTENT_TYPES["docx"])


def small_scan(tmp_path: Path) -> Path:
    """A one-page PDF without a text layer (a blank page's image)."""
    path = tmp_path / "scan.pdf"
    Image.new("L", (300, 420), 255).save(path, "PDF", resolution=36)
    return path


def test_a_missing_tesseract_gives_a_clear_error(tmp_path, monkeypatch):
    path = small_scan(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `tesseract` anywhere on it
    with pytest.raises(OcrUnavailable, match="Tesseract is not installed"):
        read_text(str(path), "application/pdf")


def test_missing_language_data_gives_a_clear_error(tmp_path):
    with pytest.raises(OcrUnavailable, match="no language data for 'xyz'"):
        read_text(str(small_scan(tmp_path)), "application/pdf", languages="xyz")


def test_a_blank_scan_reads_as_no_words(tmp_path):
    result = read_text(str(small_scan(tmp_path)), "application/pdf")
    assert (result.method, result.pages, result.text, result.confidence) == ("ocr", 1, "", 0.0)


def test_text_pdf_never_calls_tesseract(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert read(documents.sample(31, "text_pdf"), tmp_path).method == "text"


def test_a_large_pdf_is_read_from_the_file_not_copied_into_memory(tmp_path):
    """A 200 MiB upload read by a worker must not cost 200 MiB: pypdf given a path reads the whole file first."""
    sample = documents.sample(32, "text_pdf")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample.content)))
    size = 40 * 1024 * 1024
    writer.add_attachment("phu-luc.bin", os.urandom(size))  # a big PDF's bulk: images, scans, attachments
    path = tmp_path / "big.pdf"
    with path.open("wb") as out:
        writer.write(out)
    del writer
    tracemalloc.start()
    try:
        result = read_text(str(path), sample.content_type)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.method == "text" and result.text
    assert peak < size / 4, f"reading held {peak / 2**20:.0f} MiB of a {size / 2**20:.0f} MiB file"


def test_tsv_gives_lines_paragraphs_and_the_mean_word_confidence():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t",
        "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t96.5\tSố:",
        "5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t90.5\t12/KH-UBND",
        "5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t80\tHà",
        "5\t1\t2\t1\t1\t1\t0\t0\t10\t10\t73\tKẾ",
        "5\t1\t2\t1\t1\t2\t0\t0\t10\t10\t0\t ",
    ]
    page = parse_tsv("\n".join([header, *rows]))
    assert page.text == "Số: 12/KH-UBND\nHà\n\nKẾ"
    assert page.words == 4 and page.confidence == 85.0
    assert parse_tsv(header).confidence == 0.0


def test_pages_past_the_ocr_limit_are_counted_but_not_read(tmp_path, monkeypatch):
    path = tmp_path / "scan.pdf"
    blank = Image.new("L", (300, 420), 255)
    blank.save(path, "PDF", resolution=36, save_all=True, append_images=[blank.copy(), blank.copy()])
    calls = []

    def fake_ocr(image, languages, *, page, dpi=None):
        calls.append(page)
        return reading_text.OcrPage(text=f"trang {page}", confidence=90.0, words=2)

    monkeypatch.setattr(reading_text, "MAX_OCR_PAGES", 2)
    monkeypatch.setattr(reading_text, "_ocr", fake_ocr)
    result = read_text(str(path), "application/pdf")
    assert calls == [1, 2]
    assert (result.pages, result.page_confidences, result.confidence) == (3, [90.0, 90.0, 0.0], 90.0)
    assert [part.strip() for part in result.text.split("\f")] == ["trang 1", "trang 2", ""]
