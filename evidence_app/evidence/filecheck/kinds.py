"""The kinds of file Minh Chứng accepts, and `CheckedFile`, the description of an accepted upload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .messages import Refusal

_KINDS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    # kind: (content type, canonical extension, other accepted extensions, label for messages)
    "pdf": ("application/pdf", ".pdf", (), "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", (), "Word (.docx)"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", (), "Excel (.xlsx)"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
        (),
        "PowerPoint (.pptx)",
    ),
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
LABELS_BY_CONTENT_TYPE = {content_type: label for content_type, _, _, label in _KINDS.values()}
OFFICE_TEXT_TYPES = frozenset({_KINDS["docx"][0], _KINDS["xlsx"][0]})  # previewed as text: office_previews.py


def _extensions_for(kind: str) -> set[str]:
    _, canonical, aliases, _ = _KINDS[kind]
    return {canonical, *aliases}


@dataclass
class CheckedFile:
    kind: str  # one of ALLOWED_KINDS
    content_type: str
    extension: str  # canonical, with the dot (".pdf", ".jpg")
    page_count: int | None = None  # PDFs
    image_size: tuple[int, int] | None = None  # images: (width, height) as displayed (EXIF orientation applied)
    taken_at: datetime | None = None  # images: EXIF DateTimeOriginal (naive unless OffsetTimeOriginal is set)


def expect_extension(name_ext: str, kind: str) -> None:
    """No extension is fine (the canonical one is used); otherwise it must be one of the kind's."""
    if name_ext and name_ext not in _extensions_for(kind):
        raise Refusal(
            "extension_mismatch",
            f"name says {name_ext}, content is {kind}",
            actual=name_ext,
            detected=_KINDS[kind][3],
            expected=_KINDS[kind][1],
        )


def accepted_as(kind: str, **extra) -> CheckedFile:
    """The CheckedFile of an accepted file of this kind."""
    content_type, canonical, _, _ = _KINDS[kind]
    return CheckedFile(kind=kind, content_type=content_type, extension=canonical, **extra)
