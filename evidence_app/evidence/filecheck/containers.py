"""Checks of the zip-based Office formats: OOXML (.docx, .xlsx, .pptx) and ODF (.odt, .ods).

The central directory is checked before a byte is decompressed (entry count, declared sizes, ratios,
overlapping entries, unsafe names, symlinks); macros, encryption and links to remote content are
refused; then every entry is streamed once in 64 KiB chunks (CRC checked) and the main XML part is
parsed for well-formedness, DTDs refused. Only small XML parts are read whole, with a hard cap.
"""

from __future__ import annotations

import re
import stat
import struct
import zipfile
from xml.parsers import expat

from .kinds import CheckedFile, accepted_as, expect_extension
from .messages import Refusal

# Limits are module constants so the application or a test can read them; not configuration.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024  # declared, summed over all entries
ZIP_MAX_RATIO = 100  # uncompressed:compressed, only for entries larger than ZIP_RATIO_MIN_SIZE
ZIP_RATIO_MIN_SIZE = 1024 * 1024
ZIP_MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024  # bytes; zipfile reads it whole and builds a ZipInfo per entry
XML_SMALL_PART_MAX = 2 * 1024 * 1024  # [Content_Types].xml, *.rels, manifest.xml

_CHUNK = 64 * 1024

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
_DANGEROUS_EXTERNAL_REL = ("/attachedtemplate", "/oleobject", "/frame", "/subdocument", "/image")
# Targets Windows would open by itself: Office's own protocols, scripts, searches, files and shared folders
# (a UNC path leaks the user's credentials to that server).
_DANGEROUS_TARGET = re.compile(r"^\s*((mhtml|ms-[a-z-]+|vbscript|javascript|search-ms|search|file)\s*:|\\\\|//)", re.I)
_EMBEDDED_OBJECT_REL = "/oleobject"  # an OLE object inside the file runs its own program when opened


def check_zip(path: str, size: int, name_ext: str) -> CheckedFile:
    office_ext = name_ext in {".docx", ".xlsx", ".pptx", ".odt", ".ods"}
    not_ok = "office_corrupt" if office_ext else "type_not_allowed"
    _precheck_zip_directory(path, size, not_ok)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.LargeZipFile as exc:  # pragma: no cover - ZIP64 reading is allowed by default
        raise Refusal("zip_bomb", str(exc)) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        raise Refusal(not_ok, f"zip: {type(exc).__name__}: {exc}"[:200]) from None
    with zf:
        infos = zf.infolist()
        _check_zip_entries(zf, infos)
        if infos and infos[0].filename == "mimetype":
            return _check_odf(zf, infos, name_ext)
        by_name = {zi.filename.casefold(): zi for zi in infos}
        if "[content_types].xml" in by_name:
            return _check_ooxml(zf, infos, by_name, name_ext)
        raise Refusal(not_ok, "zip archive that is neither OOXML nor ODF")


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
            raise Refusal(not_ok, "no end of central directory")
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
        raise Refusal("zip_bomb", f"{n_total} entries declared")
    if cd_size > ZIP_MAX_CENTRAL_DIRECTORY:
        raise Refusal("zip_bomb", f"central directory of {cd_size} bytes")


def _name_is_unsafe(raw: str) -> bool:
    if not raw or "\\" in raw or "\x00" in raw or raw.startswith("/"):
        return True
    if re.match(r"[A-Za-z]:", raw):
        return True
    return ".." in raw.split("/")


def _check_zip_entries(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Everything that can be decided from the central directory, before decompressing a byte."""
    if len(infos) > ZIP_MAX_ENTRIES:
        raise Refusal("zip_bomb", f"{len(infos)} entries")
    seen: set[str] = set()
    total = 0
    for zi in infos:
        raw = zi.orig_filename
        if _name_is_unsafe(raw):
            raise Refusal("zip_unsafe_path", f"entry {raw!r}")
        mode = zi.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise Refusal("zip_unsafe_path", f"symlink entry {raw!r}")
        key = zi.filename.casefold()
        if key in seen:
            raise Refusal("zip_unsafe_path", f"duplicate entry {raw!r}")
        seen.add(key)
        total += zi.file_size
        if total > ZIP_MAX_TOTAL_UNCOMPRESSED:
            raise Refusal("zip_bomb", f"more than {ZIP_MAX_TOTAL_UNCOMPRESSED} bytes uncompressed")
        if zi.file_size > ZIP_RATIO_MIN_SIZE and zi.file_size > ZIP_MAX_RATIO * max(zi.compress_size, 1):
            raise Refusal("zip_bomb", f"entry {raw!r}: {zi.file_size} from {zi.compress_size} bytes")
    # Entries whose data overlap (the "non-recursive zip bomb" reuses one compressed stream).
    previous_end = 0
    for zi in sorted(infos, key=lambda z: z.header_offset):
        if zi.header_offset < previous_end:
            raise Refusal("zip_bomb", f"overlapping entry {zi.orig_filename!r}")
        encoding = "utf-8" if zi.flag_bits & 0x800 else "cp437"
        name_len = len(zi.orig_filename.encode(encoding, "replace"))
        previous_end = zi.header_offset + 30 + name_len + zi.compress_size
    if previous_end > getattr(zf, "start_dir", previous_end):
        raise Refusal("zip_bomb", "entry data runs into the central directory")


def _read_capped(zf: zipfile.ZipFile, zi: zipfile.ZipInfo, cap: int = XML_SMALL_PART_MAX) -> bytes:
    """A small part, read with a hard cap whatever its declared size says."""
    if zi.file_size > cap:
        raise Refusal("office_corrupt", f"{zi.filename} is {zi.file_size} bytes")
    try:
        with zf.open(zi) as f:
            data = f.read(cap + 1)
    except Exception as exc:
        raise Refusal("office_corrupt", f"{zi.filename}: {type(exc).__name__}: {exc}"[:200]) from None
    if len(data) > cap:
        raise Refusal("office_corrupt", f"{zi.filename} longer than declared")
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
    except Refusal:
        raise
    except (_XmlRefused, expat.ExpatError) as exc:
        raise Refusal("office_corrupt", f"{what}: {exc}") from None


def _check_ooxml(zf, infos, by_name, name_ext: str) -> CheckedFile:
    for zi in infos:
        if zi.filename.rsplit("/", 1)[-1].casefold() == "vbaproject.bin":
            raise Refusal("macro", f"entry {zi.filename!r}")

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
            raise Refusal("macro", f"content type {ct}")

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
            raise Refusal("office_corrupt", "no officeDocument relationship in _rels/.rels")
        raise Refusal("type_not_allowed", "OPC package that is not a Word/Excel/PowerPoint document")
    part = _part_key(targets[0])
    ct = (overrides.get(part) or defaults.get(part.rsplit(".", 1)[-1], "")).strip().lower()
    if ct not in _OOXML_MAIN:
        if ct.endswith(".main+xml"):  # templates (.dotx, .xltx, .potx), slide shows (.ppsx), ...
            raise Refusal("type_not_allowed", f"OOXML main part of type {ct[:120]}")
        raise Refusal("office_corrupt", f"main part {part!r} has content type {ct[:120]!r}")
    kind, prefix = _OOXML_MAIN[ct]
    if not part.startswith(prefix) or part not in by_name:
        raise Refusal("office_corrupt", f"main part {part!r} missing or misplaced")
    main_part = by_name[part]

    if any(zi.flag_bits & 0x1 for zi in infos):
        raise Refusal("office_encrypted", "zip-encrypted entries")
    expect_extension(name_ext, kind)
    _check_relationships(zf, infos)
    _stream_all_entries(zf, infos, xml_entry=main_part)
    return accepted_as(kind)


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
                raise Refusal("office_external_content", f"{_where}: external {rel_type} → {target[:100]}")
            if rel_type.endswith(_EMBEDDED_OBJECT_REL):
                raise Refusal("office_external_content", f"{_where}: embedded OLE object {target[:100]}")
            if _DANGEROUS_TARGET.match(target):
                raise Refusal("office_external_content", f"{_where}: target {target[:100]}")

        _parse_small_xml(_read_capped(zf, zi), zi.filename, on_rel)


def _check_odf(zf, infos, name_ext: str) -> CheckedFile:
    mimetype = _read_capped(zf, infos[0], 200).decode("ascii", "replace").strip()
    kind = _ODF_MIMETYPES.get(mimetype)
    if kind is None:
        raise Refusal("type_not_allowed", f"zip with mimetype {mimetype[:80]!r}")
    for zi in infos:
        lowered = zi.filename.casefold()
        if lowered.startswith(("basic/", "scripts/")):
            raise Refusal("macro", f"entry {zi.filename!r}")
    by_name = {zi.filename: zi for zi in infos}
    manifest = by_name.get("META-INF/manifest.xml")
    content = by_name.get("content.xml")
    if manifest is None or content is None:
        raise Refusal("office_corrupt", "no META-INF/manifest.xml or content.xml")
    encrypted = []
    _parse_small_xml(
        _read_capped(zf, manifest),
        "META-INF/manifest.xml",
        lambda tag, attrs: encrypted.append(tag) if tag == "encryption-data" else None,
    )
    if encrypted or any(zi.flag_bits & 0x1 for zi in infos):
        raise Refusal("office_encrypted", "ODF encryption-data in the manifest")
    expect_extension(name_ext, kind)
    _stream_all_entries(zf, infos, xml_entry=content)
    return accepted_as(kind)


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
                        raise Refusal("zip_bomb", "more data than declared")
                    if parser is not None:
                        parser.Parse(chunk, False)
            if parser is not None:
                parser.Parse(b"", True)
        except Refusal:
            raise
        except Exception as exc:  # BadZipFile (CRC), zlib.error, ExpatError, _XmlRefused, unsupported method...
            raise Refusal("office_corrupt", f"{zi.filename}: {type(exc).__name__}: {exc}"[:200]) from None
