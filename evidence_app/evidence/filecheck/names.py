"""Upload names: a safe display name (`clean_filename()`) and the extension a client's name claims."""

from __future__ import annotations

import re
import unicodedata

FALLBACK_STEM = "tai-lieu"
MAX_NAME_BYTES = 255

_EXT_RE = re.compile(r"\.([A-Za-z0-9]{1,10})\Z")
_DROP_CATEGORIES = {
    "Cc",
    "Cf",
    "Cs",
    "Zl",
    "Zp",
}  # controls, format chars (bidi, NUL...), surrogates, line/para separators


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


def name_extension(filename: str) -> str:
    return _split_ext(_basic_name(filename))[1].lower()
