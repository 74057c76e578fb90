"""What an uploaded file really is, and whether Minh Chứng accepts it.

`check_file()` inspects a file that is already on disk (the upload's temporary file). It trusts
neither the client's file name nor its Content-Type: the type comes from the first bytes (magic)
and is then confirmed by a real parser for that family:

- PDF: pypdf (encrypted → refused unless it opens with an empty user password; page count kept);
- OOXML (.docx/.xlsx/.pptx) and ODF (.odt/.ods): zip container checks on the central directory
  *before* anything is decompressed (entry count, declared sizes, ratios, overlapping entries,
  unsafe names, symlinks), macros refused, then every entry is streamed once (CRC) and the main
  XML part is parsed for well-formedness (no DTDs);
- legacy .doc/.xls: OLE2 directory via olefile (macros and encryption refused);
- images (JPEG, PNG, WebP, TIFF, HEIC/HEIF): Pillow restricted to the one detected decoder, a
  60-megapixel cap checked on the header before decoding, then a full decode to catch truncation.

Memory: the file is never read whole into memory by this module. It reads a 4 KiB head, the zip
central directory (capped), small XML parts (capped) and streams everything else in 64 KiB chunks.
pypdf gets an open file handle (it seeks; it does not copy the file into a BytesIO, which it would
do if given a path) but keeps the objects it parses; olefile reads the FAT and the directory.
Decoding an image to verify it needs its pixels (JPEG is decoded at 1/8 scale; other formats at
full size, so at most 60 MP × 4 bytes ≈ 240 MB for the largest image accepted).

`make_previews()` (implemented in images.py) re-encodes images into a thumbnail and a preview that
carry pixels only: EXIF orientation applied, every piece of metadata dropped, ICC converted to sRGB.
The original file is never modified.

Nothing here imports Flask or touches a database or a storage backend; messages are lazy strings
(`flask_babel.lazy_gettext`), rendered in the request's language when the caller turns them into str.
"""
from __future__ import annotations

import os
import re
import stat
import struct
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from xml.parsers import expat

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

try:  # HEIC/HEIF photos from iPhones; registers the "HEIF" Pillow format
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a hard dependency; degrade to "not allowed"
    pillow_heif = None

__all__ = [
    "CheckedFile",
    "FileRefused",
    "check_file",
    "clean_filename",
    "make_previews",
    "ALLOWED_KINDS",
    "IMAGE_KINDS",
]

# --------------------------------------------------------------------------------------------
# Limits (module constants so the application or a test can read them; not configuration).
# --------------------------------------------------------------------------------------------
MAX_IMAGE_PIXELS = 60_000_000  # 60 MP: above every normal phone photo (12-50 MP) and A4 scan at 600 dpi (35 MP)
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024  # declared, summed over all entries
ZIP_MAX_RATIO = 100  # uncompressed:compressed, only for entries larger than ZIP_RATIO_MIN_SIZE
ZIP_RATIO_MIN_SIZE = 1024 * 1024
ZIP_MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024  # bytes; zipfile reads it whole and builds a ZipInfo per entry
XML_SMALL_PART_MAX = 2 * 1024 * 1024  # [Content_Types].xml, *.rels, manifest.xml
FALLBACK_STEM = "tai-lieu"
MAX_NAME_BYTES = 255

_HEAD_BYTES = 4096
_CHUNK = 64 * 1024

# --------------------------------------------------------------------------------------------
# Kinds
# --------------------------------------------------------------------------------------------
_KINDS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    # kind: (content type, canonical extension, other accepted extensions, label for messages)
    "pdf": ("application/pdf", ".pdf", (), "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", (), "Word (.docx)"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", (), "Excel (.xlsx)"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", (), "PowerPoint (.pptx)"),
    "doc": ("application/msword", ".doc", (), "Word 97-2003 (.doc)"),
    "xls": ("application/vnd.ms-excel", ".xls", (), "Excel 97-2003 (.xls)"),
    "odt": ("application/vnd.oasis.opendocument.text", ".odt", (), "OpenDocument Text (.odt)"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ".ods", (), "OpenDocument Spreadsheet (.ods)"),
    "jpeg": ("image/jpeg", ".jpg", (".jpeg", ".jpe", ".jfif"), "JPEG"),
    "png": ("image/png", ".png", (), "PNG"),
    "webp": ("image/webp", ".webp", (), "WebP"),
    "tiff": ("image/tiff", ".tiff", (".tif",), "TIFF"),
    "heic": ("image/heic", ".heic", (".heif",), "HEIC"),
}
ALLOWED_KINDS = frozenset(_KINDS)
IMAGE_KINDS = frozenset({"jpeg", "png", "webp", "tiff", "heic"})
_PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF", "heic": "HEIF"}


def _extensions_for(kind: str) -> set[str]:
    _, canonical, aliases, _ = _KINDS[kind]
    return {canonical, *aliases}


# --------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------
def _message(code: str, **params):
    """The user-facing message for `code` (English msgids; literal strings so Babel extracts them)."""
    if code == "empty":
        return _l("The file is empty (0 bytes). Check that you chose the right file and upload it again.")
    if code == "too_large":
        return _l(
            "The file is larger than the %(limit)s MB limit. Compress it (for example scan at a lower "
            "resolution) or split it into smaller files, and upload again.",
            **params,
        )
    if code == "type_not_allowed":
        return _l(
            "This type of file is not accepted. Upload a PDF, a Word, Excel or PowerPoint file (.docx, "
            ".xlsx, .pptx, .doc, .xls), an OpenDocument file (.odt, .ods) or a photo (JPEG, PNG, WebP, "
            "TIFF, HEIC). Save or export the document in one of these formats, or print it to PDF, "
            "and upload again."
        )
    if code == "extension_mismatch":
        return _l(
            "The file name ends in %(actual)s, but the file itself is of type %(detected)s. Rename it "
            "to end in %(expected)s (or check that you chose the right file) and upload again.",
            **params,
        )
    if code == "macro":
        return _l(
            "The document contains macros, which are not accepted for security reasons. Save a copy "
            "without macros (for example as .docx or .xlsx), or print it to PDF, and upload again."
        )
    if code == "zip_bomb":
        return _l(
            "The document expands to far more data than its size suggests, so it cannot be checked "
            "safely. Open it, save it again as a new file (or print it to PDF), and upload again."
        )
    if code == "zip_unsafe_path":
        return _l(
            "The document contains parts with unsafe names, so it cannot be accepted. Open it, save it "
            "again as a new file (or print it to PDF), and upload again."
        )
    if code == "image_bomb":
        return _l(
            "The image is too large (more than %(limit)s megapixels). Reduce its resolution, or take "
            "a new photo or scan at a lower resolution, and upload again.",
            **params,
        )
    if code == "image_corrupt":
        return _l(
            "The image is damaged or incomplete and cannot be opened. Upload it again from the "
            "original, or take a new photo or screenshot."
        )
    if code == "pdf_corrupt":
        return _l(
            "The PDF is damaged and cannot be read. Open it and print it to a new PDF (or export it "
            "again from the program that made it), and upload again."
        )
    if code == "pdf_encrypted":
        return _l(
            "The file is encrypted (password-protected). Remove the password, or print it to a new "
            "PDF, and upload again."
        )
    if code == "office_corrupt":
        return _l(
            "The document is damaged or is not a valid Office/OpenDocument file. Open it in Word, "
            "Excel or LibreOffice, save it again (or print it to PDF), and upload again."
        )
    if code == "office_encrypted":
        return _l(
            "The document is protected with a password. Save a copy without the password, or print "
            "it to PDF, and upload again."
        )
    if code == "office_external_content":
        return _l(
            "The document loads content from outside the file (a linked template or object), which is "
            "not accepted for security reasons. Save a copy without links, or print it to PDF, and "
            "upload again."
        )
    raise ValueError(f"unknown refusal code {code!r}")


REFUSAL_CODES = (
    "empty", "too_large", "type_not_allowed", "extension_mismatch", "macro", "zip_bomb",
    "zip_unsafe_path", "image_bomb", "image_corrupt", "pdf_corrupt", "pdf_encrypted",
    "office_corrupt", "office_encrypted", "office_external_content",
)


class FileRefused(Exception):
    """An upload that Minh Chứng does not accept.

    code     stable machine-readable reason (see REFUSAL_CODES), for logs, tests and the API
    message  lazy translatable text for the user: what is wrong and what to do
    filename the cleaned display name of the upload (safe to show)
    detail   English, untranslated, for logs only (e.g. "ELF executable", "entry ../evil")
    """

    def __init__(self, code: str, message, filename: str = "", detail: str = ""):
        super().__init__(code)
        self.code = code
        self.message = message
        self.filename = filename
        self.detail = detail

    def __str__(self) -> str:
        try:
            text = str(self.message)
        except Exception:  # pragma: no cover - a broken translation must not hide the code
            text = ""
        return f"{self.code}: {text}" if text else self.code

    def __repr__(self) -> str:
        return f"FileRefused(code={self.code!r}, filename={self.filename!r}, detail={self.detail!r})"


class _Refusal(Exception):
    """Internal: raised deep inside a checker, turned into FileRefused (with the filename) at the top."""

    def __init__(self, code: str, detail: str = "", **params):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail
        self.params = params


@dataclass
class CheckedFile:
    kind: str  # one of ALLOWED_KINDS
    content_type: str
    extension: str  # canonical, with the dot (".pdf", ".jpg")
    page_count: int | None = None  # PDFs
    image_size: tuple[int, int] | None = None  # images: (width, height) as displayed (EXIF orientation applied)
    taken_at: datetime | None = None  # images: EXIF DateTimeOriginal (naive unless OffsetTimeOriginal is set)


# --------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------
_EXT_RE = re.compile(r"\.([A-Za-z0-9]{1,10})\Z")
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # controls, format chars (bidi, NUL...), surrogates, line/para separators


def _basic_name(name: str) -> str:
    """Basename, NFC, no control/format characters, no leading spaces, no trailing spaces/dots."""
    if isinstance(name, bytes):  # pragma: no cover - defensive: multipart names are str in Werkzeug
        name = name.decode("utf-8", "replace")
    name = str(name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROP_CATEGORIES)
    # Odd spaces (NBSP, ideographic space, ...) become plain spaces.
    name = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in name)
    name = unicodedata.normalize("NFC", name)  # again: a removed character may have separated a base and its mark
    return name.lstrip(" ").rstrip(" .")


def _split_ext(name: str) -> tuple[str, str]:
    """("Báo cáo", ".PDF") for "Báo cáo.PDF"; ("v1.2", "") — an extension has 1-10 ASCII letters/digits, one letter."""
    m = _EXT_RE.search(name)
    if m and re.search(r"[A-Za-z]", m.group(1)):
        return name[: m.start()], m.group(0)
    return name, ""


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` that fits in max_bytes of UTF-8, never cutting a character
    (nor leaving a combining mark without its base)."""
    if max_bytes <= 0:
        return ""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    cut = encoded[:max_bytes].decode("utf-8", "ignore")
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]
    return cut


def clean_filename(name: str, extension: str | None = None) -> str:
    """A safe display/download name for an upload: never a filesystem path.

    Basename only (split on / and \\), NFC (Apple devices send NFD), control and format characters
    (NUL, bidi overrides, zero-width...) removed, leading/trailing spaces and dots trimmed, at most
    255 UTF-8 bytes (the stem is shortened at a character boundary, the extension kept). Vietnamese
    diacritics are kept: "Đơn đề nghị.docx" stays exactly that.

    `extension` (optional, e.g. CheckedFile.extension) is appended when the name has no extension.
    An empty result becomes "tai-lieu" + extension.
    """
    base = _basic_name(name)
    stem, ext = _split_ext(base)
    stem = stem.strip(" .")
    if not ext and extension:
        ext = extension if extension.startswith(".") else "." + extension
    if len(ext.encode("utf-8")) > 32:  # pragma: no cover - _split_ext caps at 11 bytes; guard for `extension`
        ext = ""
    if not stem:
        stem = FALLBACK_STEM
    stem = _truncate_utf8(stem, MAX_NAME_BYTES - len(ext.encode("utf-8"))).rstrip(" .") or FALLBACK_STEM
    return stem + ext


def _name_extension(filename: str) -> str:
    return _split_ext(_basic_name(filename))[1].lower()


# --------------------------------------------------------------------------------------------
# Magic bytes
# --------------------------------------------------------------------------------------------
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_GENERIC_BRANDS = {b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}


def _sniff(head: bytes) -> tuple[str | None, str]:
    """(family, detail): family is "pdf", an image kind, "zip", "ole", or None when not allowed."""
    if head.startswith(b"%PDF-"):
        return "pdf", ""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", ""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", ""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", ""
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff", ""
    if head[4:8] == b"ftyp":
        box = struct.unpack(">I", head[:4])[0]
        end = min(max(box, 16), len(head), 256)
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, end - 3, 4)}
        if brands & _HEIF_BRANDS or (brands & _HEIF_GENERIC_BRANDS and not brands & _AVIF_BRANDS):
            return ("heic", "") if pillow_heif is not None else (None, "HEIF (pillow-heif missing)")
        return None, f"ISO media, brand {head[8:12]!r} (video, AVIF...)"
    if head.startswith(b"PK\x03\x04"):
        return "zip", ""
    if head.startswith(_OLE_MAGIC):
        return "ole", ""
    return None, _describe(head)


def _describe(head: bytes) -> str:
    """A short English label for refused content (logs only)."""
    known = [
        (b"MZ", "Windows executable"),
        (b"\x7fELF", "ELF executable"),
        (b"#!", "script"),
        (b"\xca\xfe\xba\xbe", "Mach-O/Java class"),
        (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
        (b"Rar!\x1a\x07", "RAR archive"),
        (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
        (b"\x1f\x8b", "gzip archive"),
        (b"BZh", "bzip2 archive"),
        (b"\xfd7zXZ\x00", "xz archive"),
        (b"PK\x05\x06", "empty zip archive"),
        (b"PK\x07\x08", "spanned zip archive"),
        (b"{\\rtf", "RTF document"),
        (b"GIF8", "GIF image"),
        (b"BM", "BMP image"),
        (b"8BPS", "Photoshop image"),
        (b"<?php", "PHP script"),
    ]
    for magic, label in known:
        if head.startswith(magic):
            return label
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n\x00").lower()
    if text.startswith(b"<"):
        if b"<svg" in text:
            return "SVG image"
        if b"<html" in text or b"<!doctype html" in text or b"<script" in text:
            return "HTML document"
        return "XML/markup document"
    return "unrecognised content"


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------
def _format_mb(max_bytes: int) -> str:
    mb = max_bytes / (1024 * 1024)
    text = f"{mb:.1f}".rstrip("0").rstrip(".")
    return text if text != "0" else f"{mb:.2g}"


def check_file(path: str | os.PathLike, filename: str, *, max_bytes: int) -> CheckedFile:
    """Identify the file at `path` by its content and check it; raise FileRefused if it is not accepted.

    `filename` is the client's name (used only to compare its extension with the content, and,
    cleaned, in the error). `max_bytes` is the size limit for this upload.
    """
    display = clean_filename(filename)
    try:
        return _check(os.fspath(path), filename, max_bytes)
    except _Refusal as r:
        raise FileRefused(r.code, _message(r.code, **r.params), display, r.detail) from None


def _check(path: str, filename: str, max_bytes: int) -> CheckedFile:
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{path!r} is not a regular file")
    if st.st_size == 0:
        raise _Refusal("empty")
    if st.st_size > max_bytes:
        raise _Refusal("too_large", f"{st.st_size} bytes > {max_bytes}", limit=_format_mb(max_bytes))
    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES)
    family, detail = _sniff(head)
    if family is None:
        raise _Refusal("type_not_allowed", detail)

    name_ext = _name_extension(filename)
    if family == "pdf":
        _expect_extension(name_ext, "pdf")
        return _check_pdf(path)
    if family in IMAGE_KINDS:
        _expect_extension(name_ext, family)
        return _check_image(path, family)
    if family == "zip":
        return _check_zip(path, st.st_size, name_ext)
    return _check_ole(path, name_ext)


def _expect_extension(name_ext: str, kind: str) -> None:
    """No extension is fine (the canonical one is used); otherwise it must be one of the kind's."""
    if name_ext and name_ext not in _extensions_for(kind):
        raise _Refusal(
            "extension_mismatch",
            f"name says {name_ext}, content is {kind}",
            actual=name_ext,
            detected=_KINDS[kind][3],
            expected=_KINDS[kind][1],
        )


def _result(kind: str, **extra) -> CheckedFile:
    content_type, canonical, _, _ = _KINDS[kind]
    return CheckedFile(kind=kind, content_type=content_type, extension=canonical, **extra)


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------
def _check_pdf(path: str) -> CheckedFile:
    from pypdf import PdfReader

    try:
        with open(path, "rb") as f:  # a handle, not the path: pypdf would copy a path's bytes into memory
            reader = PdfReader(f, strict=False)
            if reader.is_encrypted:
                # Owner-password-only PDFs (printing/copying restrictions, common for official
                # documents) open in every viewer without a password: accept those.
                try:
                    opened = reader.decrypt("")
                except Exception as exc:  # e.g. AES without the `cryptography` package
                    raise _Refusal("pdf_encrypted", f"cannot try the empty password: {exc}") from None
                if not opened:
                    raise _Refusal("pdf_encrypted", "needs a user password")
            pages = len(reader.pages)
    except _Refusal:
        raise
    except RecursionError:
        raise _Refusal("pdf_corrupt", "recursion in the object structure") from None
    except Exception as exc:  # pypdf raises many types on damaged input (PdfReadError, KeyError, ...)
        raise _Refusal("pdf_corrupt", f"{type(exc).__name__}: {exc}"[:300]) from None
    if pages < 1:
        raise _Refusal("pdf_corrupt", "no pages")
    return _result("pdf", page_count=pages)


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------
def _open_image(path: str, kind: str) -> Image.Image:
    """Open with only the detected decoder, refusing pixel floods from the header (before decoding).

    Call inside `_bomb_warnings_as_errors()`. Pillow's own check (MAX_IMAGE_PIXELS, 89 MP by
    default) runs in Image.open; ours is stricter and does not change Pillow's global setting.
    """
    try:
        im = Image.open(path, formats=[_PIL_FORMAT[kind]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _Refusal("image_bomb", str(exc)[:200], limit=MAX_IMAGE_PIXELS // 1_000_000) from None
    except UnidentifiedImageError as exc:
        raise _Refusal("image_corrupt", str(exc)[:200]) from None
    except Exception as exc:
        raise _Refusal("image_corrupt", f"{type(exc).__name__}: {exc}"[:200]) from None
    width, height = im.size
    if width < 1 or height < 1:
        im.close()
        raise _Refusal("image_corrupt", f"size {im.size}")
    if width * height > MAX_IMAGE_PIXELS:
        im.close()
        raise _Refusal("image_bomb", f"{width}x{height}", limit=MAX_IMAGE_PIXELS // 1_000_000)
    return im


class _bomb_warnings_as_errors(warnings.catch_warnings):
    """DecompressionBombWarning → exception, for the duration of the block only."""

    def __enter__(self):
        result = super().__enter__()
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return result


def _check_image(path: str, kind: str) -> CheckedFile:
    with _bomb_warnings_as_errors():
        im = _open_image(path, kind)
        try:
            im.verify()  # structure (PNG chunk CRCs, ...) without decoding
        except _Refusal:
            raise
        except Exception as exc:
            raise _Refusal("image_corrupt", f"verify: {type(exc).__name__}: {exc}"[:200]) from None
        finally:
            im.close()
        im = _open_image(path, kind)  # verify() leaves the image unusable: open again
        try:
            size = im.size
            exif = _safe_exif(im)
            if kind == "jpeg":
                im.draft(None, (max(1, size[0] // 8), max(1, size[1] // 8)))  # decode at 1/8 scale
            im.load()  # truncated data → OSError (LOAD_TRUNCATED_IMAGES is never set)
        except _Refusal:
            raise
        except Exception as exc:
            raise _Refusal("image_corrupt", f"load: {type(exc).__name__}: {exc}"[:200]) from None
        finally:
            im.close()
    orientation = exif.get(0x0112) if exif is not None else None
    if orientation in (5, 6, 7, 8):
        size = (size[1], size[0])
    return _result(kind, image_size=size, taken_at=_taken_at(exif))


def _safe_exif(im: Image.Image):
    try:
        return im.getexif()
    except Exception:
        return None


_EXIF_DT = re.compile(r"\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"\s*([+-])(\d{2}):(\d{2})")


def _taken_at(exif) -> datetime | None:
    """EXIF DateTimeOriginal (0x9003 in the Exif IFD), with OffsetTimeOriginal (0x9011) when present."""
    if exif is None:
        return None
    try:
        ifd = exif.get_ifd(0x8769)
    except Exception:
        return None
    raw = ifd.get(0x9003)
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not isinstance(raw, str):
        return None
    m = _EXIF_DT.match(raw)
    if not m:
        return None
    try:
        taken = datetime(*(int(g) for g in m.groups()))
    except ValueError:  # "0000:00:00 00:00:00", month 13...
        return None
    if taken.year < 1900:
        return None
    offset = ifd.get(0x9011)
    if isinstance(offset, bytes):
        offset = offset.decode("ascii", "ignore")
    if isinstance(offset, str) and (om := _EXIF_OFFSET.match(offset)):
        delta = timedelta(hours=int(om.group(2)), minutes=int(om.group(3)))
        if delta < timedelta(hours=15):
            taken = taken.replace(tzinfo=timezone(-delta if om.group(1) == "-" else delta))
    return taken


# --------------------------------------------------------------------------------------------
# Zip containers: OOXML and ODF
# --------------------------------------------------------------------------------------------
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": ("docx", "word/"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xlsx", "xl/"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": ("pptx", "ppt/"),
}
_OOXML_PREFIXES = ("word/", "xl/", "ppt/")
_MACRO_CONTENT_TYPE = re.compile(r"macroenabled|vbaproject|macrosheet|vbadata", re.I)
_ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# External relationships that make Office fetch and run/render remote content (template injection,
# remote OLE objects as in CVE-2022-30190). Hyperlinks and external workbook links are fine.
_DANGEROUS_EXTERNAL_REL = ("/attachedtemplate", "/oleobject", "/frame", "/subdocument")
_DANGEROUS_TARGET = re.compile(r"^\s*(mhtml|ms-[a-z-]+|vbscript|javascript)\s*:", re.I)


def _check_zip(path: str, size: int, name_ext: str) -> CheckedFile:
    office_ext = name_ext in {".docx", ".xlsx", ".pptx", ".odt", ".ods"}
    not_ok = "office_corrupt" if office_ext else "type_not_allowed"
    _precheck_zip_directory(path, size, not_ok)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.LargeZipFile as exc:  # pragma: no cover - ZIP64 reading is allowed by default
        raise _Refusal("zip_bomb", str(exc)) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        raise _Refusal(not_ok, f"zip: {type(exc).__name__}: {exc}"[:200]) from None
    with zf:
        infos = zf.infolist()
        _check_zip_entries(zf, infos)
        if infos and infos[0].filename == "mimetype":
            return _check_odf(zf, infos, name_ext)
        by_name = {zi.filename.casefold(): zi for zi in infos}
        if "[content_types].xml" in by_name:
            return _check_ooxml(zf, infos, by_name, name_ext)
        raise _Refusal(not_ok, "zip archive that is neither OOXML nor ODF")


def _precheck_zip_directory(path: str, size: int, not_ok: str) -> None:
    """Read the end-of-central-directory record ourselves and refuse absurd entry counts or
    directory sizes before zipfile reads the directory and builds a ZipInfo object per entry."""
    tail_len = min(size, 22 + 65535 + 20)
    with open(path, "rb") as f:
        f.seek(size - tail_len)
        tail = f.read(tail_len)
        # The last signature whose comment length reaches exactly the end of the file.
        pos = tail.rfind(b"PK\x05\x06")
        while pos >= 0 and not (
            len(tail) - pos >= 22 and pos + 22 + struct.unpack("<H", tail[pos + 20 : pos + 22])[0] == len(tail)
        ):
            pos = tail.rfind(b"PK\x05\x06", 0, pos)
        if pos < 0 or len(tail) - pos < 22:
            raise _Refusal(not_ok, "no end of central directory")
        (_sig, _disk, _disk_cd, _n_disk, n_total, cd_size, cd_offset, _clen) = struct.unpack(
            "<4s4H2LH", tail[pos : pos + 22]
        )
        if (n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF) and pos >= 20:
            loc = tail[pos - 20 : pos]
            if loc[:4] == b"PK\x06\x07":
                z64_offset = struct.unpack("<Q", loc[8:16])[0]
                if z64_offset + 56 <= size:
                    f.seek(z64_offset)
                    rec = f.read(56)
                    if rec[:4] == b"PK\x06\x06":
                        n_total, cd_size = struct.unpack("<QQ", rec[32:48])
    if n_total > ZIP_MAX_ENTRIES:
        raise _Refusal("zip_bomb", f"{n_total} entries declared")
    if cd_size > ZIP_MAX_CENTRAL_DIRECTORY:
        raise _Refusal("zip_bomb", f"central directory of {cd_size} bytes")


def _name_is_unsafe(raw: str) -> bool:
    if not raw or "\\" in raw or "\x00" in raw or raw.startswith("/"):
        return True
    if re.match(r"[A-Za-z]:", raw):
        return True
    return ".." in raw.split("/")


def _check_zip_entries(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Everything that can be decided from the central directory, before decompressing a byte."""
    if len(infos) > ZIP_MAX_ENTRIES:
        raise _Refusal("zip_bomb", f"{len(infos)} entries")
    seen: set[str] = set()
    total = 0
    for zi in infos:
        raw = zi.orig_filename
        if _name_is_unsafe(raw):
            raise _Refusal("zip_unsafe_path", f"entry {raw!r}")
        mode = zi.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _Refusal("zip_unsafe_path", f"symlink entry {raw!r}")
        key = zi.filename.casefold()
        if key in seen:
            raise _Refusal("zip_unsafe_path", f"duplicate entry {raw!r}")
        seen.add(key)
        total += zi.file_size
        if total > ZIP_MAX_TOTAL_UNCOMPRESSED:
            raise _Refusal("zip_bomb", f"more than {ZIP_MAX_TOTAL_UNCOMPRESSED} bytes uncompressed")
        if zi.file_size > ZIP_RATIO_MIN_SIZE and zi.file_size > ZIP_MAX_RATIO * max(zi.compress_size, 1):
            raise _Refusal("zip_bomb", f"entry {raw!r}: {zi.file_size} from {zi.compress_size} bytes")
    # Entries whose data overlap (the "non-recursive zip bomb" reuses one compressed stream).
    previous_end = 0
    for zi in sorted(infos, key=lambda z: z.header_offset):
        if zi.header_offset < previous_end:
            raise _Refusal("zip_bomb", f"overlapping entry {zi.orig_filename!r}")
        encoding = "utf-8" if zi.flag_bits & 0x800 else "cp437"
        name_len = len(zi.orig_filename.encode(encoding, "replace"))
        previous_end = zi.header_offset + 30 + name_len + zi.compress_size
    if previous_end > getattr(zf, "start_dir", previous_end):
        raise _Refusal("zip_bomb", "entry data runs into the central directory")


def _read_capped(zf: zipfile.ZipFile, zi: zipfile.ZipInfo, cap: int = XML_SMALL_PART_MAX) -> bytes:
    """A small part, read with a hard cap whatever its declared size says."""
    if zi.file_size > cap:
        raise _Refusal("office_corrupt", f"{zi.filename} is {zi.file_size} bytes")
    try:
        with zf.open(zi) as f:
            data = f.read(cap + 1)
    except Exception as exc:
        raise _Refusal("office_corrupt", f"{zi.filename}: {type(exc).__name__}: {exc}"[:200]) from None
    if len(data) > cap:
        raise _Refusal("office_corrupt", f"{zi.filename} longer than declared")
    return data


class _XmlRefused(Exception):
    pass


def _xml_parser(on_element=None) -> expat.XMLParserType:
    """An expat parser that refuses DTDs (OOXML and ODF never need one: no entity tricks)."""
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_args):
        raise _XmlRefused("DTD in an Office XML part")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    if on_element is not None:
        parser.StartElementHandler = lambda name, attrs: on_element(name.rsplit("}", 1)[-1], attrs)
    return parser


def _parse_small_xml(data: bytes, what: str, on_element) -> None:
    try:
        _xml_parser(on_element).Parse(data, True)
    except _Refusal:
        raise
    except (_XmlRefused, expat.ExpatError) as exc:
        raise _Refusal("office_corrupt", f"{what}: {exc}") from None


def _check_ooxml(zf, infos, by_name, name_ext: str) -> CheckedFile:
    for zi in infos:
        if zi.filename.rsplit("/", 1)[-1].casefold() == "vbaproject.bin":
            raise _Refusal("macro", f"entry {zi.filename!r}")

    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}

    def on_ct(tag, attrs):
        if tag == "Default":
            defaults[attrs.get("Extension", "").casefold()] = attrs.get("ContentType", "")
        elif tag == "Override":
            overrides[_part_key(attrs.get("PartName", ""))] = attrs.get("ContentType", "")

    _parse_small_xml(_read_capped(zf, by_name["[content_types].xml"]), "[Content_Types].xml", on_ct)
    for ct in [*defaults.values(), *overrides.values()]:
        if _MACRO_CONTENT_TYPE.search(ct):
            raise _Refusal("macro", f"content type {ct}")

    # The main part is the target of the package's officeDocument relationship (OPC), and its
    # content type comes from an Override or, failing that, the Default for its extension.
    targets: list[str] = []

    def on_package_rel(tag, attrs):
        if tag == "Relationship" and attrs.get("Type", "").strip().lower().endswith("/officedocument"):
            targets.append(attrs.get("Target", ""))

    package_rels = by_name.get("_rels/.rels")
    if package_rels is not None:
        _parse_small_xml(_read_capped(zf, package_rels), "_rels/.rels", on_package_rel)
    if not targets:
        if any(key.startswith(_OOXML_PREFIXES) for key in by_name):
            raise _Refusal("office_corrupt", "no officeDocument relationship in _rels/.rels")
        raise _Refusal("type_not_allowed", "OPC package that is not a Word/Excel/PowerPoint document")
    part = _part_key(targets[0])
    ct = (overrides.get(part) or defaults.get(part.rsplit(".", 1)[-1], "")).strip().lower()
    if ct not in _OOXML_MAIN:
        if ct.endswith(".main+xml"):  # templates (.dotx, .xltx, .potx), slide shows (.ppsx), ...
            raise _Refusal("type_not_allowed", f"OOXML main part of type {ct[:120]}")
        raise _Refusal("office_corrupt", f"main part {part!r} has content type {ct[:120]!r}")
    kind, prefix = _OOXML_MAIN[ct]
    if not part.startswith(prefix) or part not in by_name:
        raise _Refusal("office_corrupt", f"main part {part!r} missing or misplaced")
    main_part = by_name[part]

    if any(zi.flag_bits & 0x1 for zi in infos):
        raise _Refusal("office_encrypted", "zip-encrypted entries")
    _expect_extension(name_ext, kind)
    _check_relationships(zf, infos)
    _stream_all_entries(zf, infos, xml_entry=main_part)
    return _result(kind)


def _part_key(name: str) -> str:
    """An OPC part name as a key of by_name: no leading slash, case-folded (part names are case-insensitive)."""
    return name.strip().lstrip("/").casefold()


def _check_relationships(zf, infos) -> None:
    for zi in infos:
        if not zi.filename.casefold().endswith(".rels"):
            continue

        def on_rel(tag, attrs, _where=zi.filename):
            if tag != "Relationship":
                return
            rel_type = attrs.get("Type", "").strip().lower()
            target = attrs.get("Target", "")
            external = attrs.get("TargetMode", "").strip().lower() == "external"
            if external and rel_type.endswith(_DANGEROUS_EXTERNAL_REL):
                raise _Refusal("office_external_content", f"{_where}: external {rel_type} → {target[:100]}")
            if _DANGEROUS_TARGET.match(target):
                raise _Refusal("office_external_content", f"{_where}: target {target[:100]}")

        _parse_small_xml(_read_capped(zf, zi), zi.filename, on_rel)


def _check_odf(zf, infos, name_ext: str) -> CheckedFile:
    mimetype = _read_capped(zf, infos[0], 200).decode("ascii", "replace").strip()
    kind = _ODF_MIMETYPES.get(mimetype)
    if kind is None:
        raise _Refusal("type_not_allowed", f"zip with mimetype {mimetype[:80]!r}")
    for zi in infos:
        lowered = zi.filename.casefold()
        if lowered.startswith(("basic/", "scripts/")):
            raise _Refusal("macro", f"entry {zi.filename!r}")
    by_name = {zi.filename: zi for zi in infos}
    manifest = by_name.get("META-INF/manifest.xml")
    content = by_name.get("content.xml")
    if manifest is None or content is None:
        raise _Refusal("office_corrupt", "no META-INF/manifest.xml or content.xml")
    encrypted = []
    _parse_small_xml(
        _read_capped(zf, manifest),
        "META-INF/manifest.xml",
        lambda tag, attrs: encrypted.append(tag) if tag == "encryption-data" else None,
    )
    if encrypted or any(zi.flag_bits & 0x1 for zi in infos):
        raise _Refusal("office_encrypted", "ODF encryption-data in the manifest")
    _expect_extension(name_ext, kind)
    _stream_all_entries(zf, infos, xml_entry=content)
    return _result(kind)


def _stream_all_entries(zf, infos, xml_entry) -> None:
    """Decompress every entry once, in chunks (zipfile checks each CRC at the end), with a hard cap
    on the bytes actually produced; the main XML part is parsed on the way (well-formed, no DTD)."""
    produced = 0
    for zi in infos:
        if zi.is_dir():
            continue
        parser = _xml_parser() if zi is xml_entry else None
        try:
            with zf.open(zi) as f:
                while chunk := f.read(_CHUNK):
                    produced += len(chunk)
                    if produced > ZIP_MAX_TOTAL_UNCOMPRESSED:
                        raise _Refusal("zip_bomb", "more data than declared")
                    if parser is not None:
                        parser.Parse(chunk, False)
            if parser is not None:
                parser.Parse(b"", True)
        except _Refusal:
            raise
        except Exception as exc:  # BadZipFile (CRC), zlib.error, ExpatError, _XmlRefused, unsupported method...
            raise _Refusal("office_corrupt", f"{zi.filename}: {type(exc).__name__}: {exc}"[:200]) from None


# --------------------------------------------------------------------------------------------
# OLE2 (legacy .doc / .xls)
# --------------------------------------------------------------------------------------------
_OLE_MACRO_STORAGES = {"macros", "_vba_project_cur", "_vba_project", "vba"}
_BIFF_BOF = {0x0809, 0x0409, 0x0209, 0x0009}
_BIFF_FILEPASS = 0x002F


def _check_ole(path: str, name_ext: str) -> CheckedFile:
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency
        raise _Refusal("type_not_allowed", "OLE file and olefile is not installed") from None

    try:
        with olefile.OleFileIO(path) as ole:
            entries = ole.listdir(streams=True, storages=True)
            lowered = [[part.casefold() for part in entry] for entry in entries]
            roots = {entry[0] for entry in lowered}
            if "encryptedpackage" in roots or "encryptioninfo" in roots:
                raise _Refusal("office_encrypted", "encrypted OOXML package in an OLE container")
            for entry in lowered:
                if _OLE_MACRO_STORAGES.intersection(entry):
                    raise _Refusal("macro", "/".join(entry))
            if "worddocument" in roots:
                kind = "doc"
                head = _ole_stream_head(ole, "worddocument", 32)
                if len(head) < 12 or head[:2] != b"\xec\xa5":
                    raise _Refusal("office_corrupt", "WordDocument stream without a FIB")
                if struct.unpack("<H", head[10:12])[0] & 0x0100:  # FibBase.fEncrypted
                    raise _Refusal("office_encrypted", "Word fEncrypted")
            elif "workbook" in roots or "book" in roots:
                kind = "xls"
                head = _ole_stream_head(ole, "workbook" if "workbook" in roots else "book", 512)
                if _biff_is_encrypted(head):
                    raise _Refusal("office_encrypted", "Excel FILEPASS")
            else:
                names = ", ".join(sorted(roots))[:200]
                raise _Refusal("type_not_allowed", f"OLE file that is not Word/Excel: {names}")
    except _Refusal:
        raise
    except Exception as exc:  # olefile: OSError/"incorrect OLE sector index"/...
        raise _Refusal("office_corrupt", f"OLE: {type(exc).__name__}: {exc}"[:200]) from None
    _expect_extension(name_ext, kind)
    return _result(kind)


def _ole_stream_head(ole, name: str, n: int) -> bytes:
    """The first n bytes of a root-level stream, without olefile loading the whole stream."""
    for entry in ole.root.kids:
        if entry.name.casefold() == name and entry.entry_type == 2:  # STGTY_STREAM
            break
    else:
        return b""
    if entry.size < ole.minisectorcutoff:
        return ole.openstream(entry.name).read(n)  # small stream: from the mini stream
    n = min(n, entry.size, ole.sectorsize)
    ole.fp.seek((entry.isectStart + 1) * ole.sectorsize)
    return ole.fp.read(n)


def _biff_is_encrypted(head: bytes) -> bool:
    """True if the workbook globals start with FILEPASS; refuses a stream that does not start with BOF."""
    if len(head) < 4 or struct.unpack("<H", head[:2])[0] not in _BIFF_BOF:
        raise _Refusal("office_corrupt", "Workbook stream without BOF")
    pos = 0
    for _ in range(8):  # FILEPASS comes right after BOF (and an optional WRITEPROT)
        if pos + 4 > len(head):
            break
        rec_type, rec_len = struct.unpack("<HH", head[pos : pos + 4])
        if rec_type == _BIFF_FILEPASS:
            return True
        pos += 4 + rec_len
    return False


# --------------------------------------------------------------------------------------------
# Previews (evidence_app/evidence/images.py)
# --------------------------------------------------------------------------------------------
def make_previews(path: str | os.PathLike, kind: str, out_dir: str | os.PathLike) -> dict[str, str]:
    """For image kinds: {"thumb": path, "preview": path} of new, metadata-free files in out_dir
    (≤ 320 px and ≤ 1600 px on the long side); {} for documents. See images.make_previews."""
    from .images import make_previews as _make_previews

    return _make_previews(path, kind, out_dir)
