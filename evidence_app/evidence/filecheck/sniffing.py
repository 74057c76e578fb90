"""A file's family from its first bytes (magic numbers), never from its name or Content-Type."""

from __future__ import annotations

import struct

from .images import HEIF_SUPPORTED

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_GENERIC_BRANDS = {b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff(head: bytes) -> tuple[str | None, str]:
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
            return ("heic", "") if HEIF_SUPPORTED else (None, "HEIF (pillow-heif missing)")
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
