"""The text of a document: a PDF's text layer page by page, OCR (Tesseract) of the pages that have none and of
photos and scans, and the text of Word and Excel files.

Memory stays bounded by a few pages: a PDF page without a text layer is rendered (pypdfium2, 300 dpi, grayscale)
and handed to Tesseract; at most OCR_WORKERS pages are being OCRed at once (one process per core, each limited to
one thread), and a page is rendered only when one of them is done. Tesseract runs as the `tesseract` command (from
Debian) with a time limit per page; its TSV output gives both the text and each word's confidence, and a page's
confidence is the mean confidence of its words (0–100). A page with a text layer counts as 100: it was read, not
guessed. Nothing here touches the database or the network.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from defusedxml import ElementTree
from PIL import Image, ImageChops, ImageFilter, ImageOps

from ..filecheck.images import bomb_warnings_as_errors  # also registers the HEIF opener (pillow-heif)
from ..filecheck.kinds import OFFICE_TEXT_TYPES
from ..office_previews import DOCX, Paragraph, PreviewUnavailable, office_preview

PDF = "application/pdf"
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/tiff", "image/heic"})

TESSERACT = "tesseract"
OCR_DPI = 300
OCR_WORKERS = 2  # pages OCRed at once: one Tesseract process per core of a 2-core server
OCR_TIMEOUT = 180  # seconds for one page: about 5 s on an idle core, much more on a busy shared machine
MAX_OCR_PAGES = 60  # pages OCRed in one document (the job's time limit is 15 minutes); later ones: no text, 0
MIN_TEXT_LAYER_CHARS = 20  # letters and digits below which a page's text layer is taken for a scan's stamp
MAX_RENDER_PIXELS = 40_000_000  # a page larger than A3 is rendered below 300 dpi
SMALL_IMAGE_SIDE = 2400  # an image whose long side is shorter is enlarged before OCR (text height matters)
TEXT_LAYER_CONFIDENCE = 100.0


@dataclass
class TextResult:
    text: str
    method: str  # "text" (a PDF's text layer), "ocr", "office" (Word, Excel), "none"
    pages: int
    confidence: float | None = None  # OCR: mean word confidence 0–100
    page_confidences: list[float] | None = None
    language: str | None = None


class ReadingError(Exception):
    """The file cannot be read (a damaged PDF or Office file, an image that does not decode, OCR that failed)."""


class OcrUnavailable(ReadingError):
    """Tesseract, or the language data asked for, is not installed on this machine."""


@dataclass
class OcrPage:
    text: str
    confidence: float  # mean word confidence; 0 when no word was found
    words: int


def read_text(path: str, content_type: str, *, languages: str = "vie") -> TextResult:
    """The text of the file at `path`; empty with method "none" for kinds that carry no readable text."""
    if content_type == PDF:
        return _read_pdf(path, languages)
    if content_type in IMAGE_TYPES:
        return _read_image(path, languages)
    if content_type in OFFICE_TEXT_TYPES:
        return _read_office(path, content_type)
    return TextResult(text="", method="none", pages=0)


# ----------------------------------------------------------------------------------------------------------- PDF
def _read_pdf(path: str, languages: str) -> TextResult:
    with open(path, "rb") as stream:  # given a path, pypdf would read the whole file into memory
        return _read_pdf_stream(stream, path, languages)


def _read_pdf_stream(stream: BinaryIO, path: str, languages: str) -> TextResult:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(stream, strict=False)  # as the upload check read it
        if reader.is_encrypted:
            reader.decrypt("")  # opens without a password, as filecheck accepts; else the pages raise below
        page_count = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ReadingError(f"the PDF cannot be read (damaged or not a PDF): {error}") from error
    texts: list[str] = [""] * page_count
    confidences: list[float] = [TEXT_LAYER_CONFIDENCE] * page_count
    ocred: list[OcrPage] = []
    renderer = None
    in_flight: deque[tuple[int, Future[OcrPage]]] = deque()

    def collect_oldest() -> None:
        index, future = in_flight.popleft()
        page = future.result()
        texts[index], confidences[index] = page.text, page.confidence
        ocred.append(page)

    with ThreadPoolExecutor(max_workers=OCR_WORKERS, thread_name_prefix="ocr") as pool:
        try:
            for index in range(page_count):
                layer = _text_layer(reader, index)
                if _letters(layer) >= MIN_TEXT_LAYER_CHARS:
                    texts[index] = layer.strip()
                    continue
                if len(ocred) + len(in_flight) >= MAX_OCR_PAGES:
                    confidences[index] = 0.0  # not read at all
                    continue
                if renderer is None:
                    renderer = _open_pdfium(path)
                while len(in_flight) >= OCR_WORKERS:  # at most OCR_WORKERS + 1 page images in memory
                    collect_oldest()
                image = _render_page(renderer, index)
                in_flight.append((index, pool.submit(_ocr, image, languages, page=index + 1, dpi=OCR_DPI)))
            while in_flight:
                collect_oldest()
        finally:
            for _, future in in_flight:
                future.cancel()
            if renderer is not None:
                renderer.close()
    if not ocred:
        return TextResult(text=_join_pages(texts), method="text", pages=page_count)
    return TextResult(
        text=_join_pages(texts),
        method="ocr",
        pages=page_count,
        confidence=_mean_confidence([(page.confidence, page.words) for page in ocred]),
        page_confidences=confidences,
        language=languages,
    )


def _text_layer(reader, index: int) -> str:
    try:
        return reader.pages[index].extract_text() or ""
    except Exception as error:  # pypdf raises many kinds on a damaged content stream
        raise ReadingError(f"page {index + 1} of the PDF cannot be read: {error}") from error


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _open_pdfium(path: str):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        raise ReadingError(f"the PDF cannot be rendered (damaged): {error}") from error


def _render_page(document, index: int) -> Image.Image:
    """One page as a grayscale image at OCR_DPI (less for a page so large it would exceed MAX_RENDER_PIXELS)."""
    page = document[index]
    try:
        width, height = page.get_size()  # points
        scale = OCR_DPI / 72
        pixels = width * scale * height * scale
        if pixels > MAX_RENDER_PIXELS:
            scale *= (MAX_RENDER_PIXELS / pixels) ** 0.5
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return bitmap.to_pil().convert("L")
        finally:
            bitmap.close()
    except Exception as error:
        raise ReadingError(f"page {index + 1} of the PDF cannot be rendered: {error}") from error
    finally:
        page.close()


def _join_pages(texts: list[str]) -> str:
    return "\n\f\n".join(texts).strip(" \n")  # a form feed between pages (as pdftotext does), kept at the ends


# -------------------------------------------------------------------------------------------------------- images
def _read_image(path: str, languages: str) -> TextResult:
    """OCR of a photo or a scanned image, turned upright by its EXIF orientation (a multi-page TIFF: its first page,
    the one the upload checks decoded)."""
    try:
        with bomb_warnings_as_errors(), Image.open(path) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened) or opened
            image = _prepare_photo(image)
    except ReadingError:
        raise
    except Exception as error:
        raise ReadingError(f"the image cannot be decoded: {type(error).__name__}: {error}") from error
    page = _ocr(image, languages, page=1)
    return TextResult(
        text=page.text.strip(),
        method="ocr",
        pages=1,
        confidence=page.confidence,
        page_confidences=[page.confidence],
        language=languages,
    )


def _prepare_photo(image: Image.Image) -> Image.Image:
    """Grayscale, lighting evened out, contrast stretched, and small images enlarged: what helps Tesseract most
    with a phone's picture of a page (its own binarisation is global, so a shadow across the page loses words)."""
    gray = image.convert("L")
    long_side = max(gray.size)
    if long_side < SMALL_IMAGE_SIDE:
        factor = SMALL_IMAGE_SIDE / long_side
        gray = gray.resize((round(gray.width * factor), round(gray.height * factor)), Image.Resampling.LANCZOS)
    return ImageOps.autocontrast(_flatten_lighting(gray), cutoff=1)


def _flatten_lighting(gray: Image.Image) -> Image.Image:
    """The page's background estimated (text removed by a maximum filter on a small copy, then blurred) and taken
    away: uneven light and shadows become white, dark strokes stay dark."""
    small = gray.resize((max(1, gray.width // 8), max(1, gray.height // 8)), Image.Resampling.BILINEAR)
    background = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(4))
    background = background.resize(gray.size, Image.Resampling.BILINEAR)
    return ImageOps.invert(ImageChops.subtract(background, gray))


# OCR yields the cores to the app's requests: an upload on a server that also reads must not wait for Tesseract
# (benchmarks/upload_with_reading.py). `nice` rather than preexec_fn, which is unsafe in a threaded server.
BELOW_REQUESTS = [NICE, "-n", "15"] if (NICE := shutil.which("nice")) else []


# ----------------------------------------------------------------------------------------------------------- OCR
def _ocr(image: Image.Image, languages: str, *, page: int, dpi: int | None = None) -> OcrPage:
    """Tesseract on one page image (its resolution told when known): its text, line by line, and its mean word
    confidence."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1, **({"dpi": (dpi, dpi)} if dpi else {}))
    image.close()
    tesseract = shutil.which(TESSERACT)
    if tesseract is None:  # looked up first: under `nice`, a missing program is nice's exit status, not an error
        raise OcrUnavailable(
            "Tesseract is not installed (the `tesseract` command was not found): scans and photos cannot be read"
        )
    command = [*BELOW_REQUESTS, tesseract, "stdin", "stdout", "-l", languages, "--psm", "3", "tsv"]
    try:
        done = subprocess.run(
            command,
            input=buffer.getvalue(),
            capture_output=True,
            timeout=OCR_TIMEOUT,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # a process per page: its own threads would only contend
            check=False,
        )
    except FileNotFoundError as error:
        raise OcrUnavailable(
            "Tesseract is not installed (the `tesseract` command was not found): scans and photos cannot be read"
        ) from error
    except subprocess.TimeoutExpired as error:
        raise ReadingError(f"OCR of page {page} took longer than {OCR_TIMEOUT} s") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[-500:]
        if "Failed loading language" in message or "Error opening data file" in message:
            raise OcrUnavailable(f"Tesseract has no language data for {languages!r}: {message}")
        raise ReadingError(f"OCR of page {page} failed (tesseract exit {done.returncode}): {message}")
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> OcrPage:
    """Tesseract's TSV (one row per block, paragraph, line and word) as text: words of a line joined by a space,
    lines by a newline, blocks and paragraphs by an empty line; and the mean confidence of the words."""
    lines: list[str] = []
    current: tuple[str, ...] | None = None
    paragraph: tuple[str, ...] | None = None
    words: list[str] = []
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        word = cells[11].strip()
        if not word:
            continue
        try:
            confidence = float(cells[10])
        except ValueError:
            continue
        key = tuple(cells[1:5])  # page, block, paragraph, line
        if key != current:
            if words:
                lines.append(" ".join(words))
            if paragraph is not None and key[:3] != paragraph:
                lines.append("")
            current, paragraph, words = key, key[:3], []
        words.append(word)
        if confidence >= 0:
            confidences.append(confidence)
    if words:
        lines.append(" ".join(words))
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage(text="\n".join(lines), confidence=round(mean, 1), words=len(confidences))


def _mean_confidence(pages: list[tuple[float, int]]) -> float:
    """The mean word confidence over the OCRed pages (a page of many words weighs more than a nearly empty one)."""
    words = sum(count for _, count in pages)
    if words == 0:
        return 0.0
    return round(sum(confidence * count for confidence, count in pages) / words, 1)


# -------------------------------------------------------------------------------------------------------- Office
def _read_office(path: str, content_type: str) -> TextResult:
    """Paragraphs and tables of a .docx (a table cell by cell, so a two-column header reads column by column), cell
    values of a .xlsx (a row's cells separated by tabs), through the previews' bounded, defused parsing."""
    try:
        with open(path, "rb") as stream:
            preview = office_preview(stream, content_type)
    except PreviewUnavailable as error:
        raise ReadingError(f"the file cannot be read (damaged): {error}") from error
    parts: list[str] = []
    for block in preview.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif content_type == DOCX:
            parts.extend(cell for row in block.rows for cell in row if cell.strip())
        else:
            parts.extend("\t".join(row) for row in block.rows)
    pages = _docx_pages(path) if content_type == DOCX else len(preview.blocks)
    return TextResult(text="\n".join(parts).strip(), method="office", pages=pages)


def _docx_pages(path: str) -> int:
    """The page count Word saved in docProps/app.xml, or 1 when it saved none."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("docProps/app.xml"), forbid_dtd=True)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return 1
    for node in root.iter():
        if node.tag.endswith("}Pages") and (node.text or "").strip().isdigit():
            return max(1, int(node.text.strip()))
    return 1
