"""Checks of legacy Word (.doc) and Excel (.xls) files: the OLE2 directory, read with olefile.

Macros and encryption are refused. olefile reads the FAT and the directory; of the streams only the
first bytes of the Word or Excel stream are read here.
"""

from __future__ import annotations

import struct

from .kinds import CheckedFile, accepted_as, expect_extension
from .messages import Refusal

_OLE_MACRO_STORAGES = {"macros", "_vba_project_cur", "_vba_project", "vba"}
_BIFF_BOF = {0x0809, 0x0409, 0x0209, 0x0009}
_BIFF_FILEPASS = 0x002F


def check_ole(path: str, name_ext: str) -> CheckedFile:
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency
        raise Refusal("type_not_allowed", "OLE file and olefile is not installed") from None

    try:
        with olefile.OleFileIO(path) as ole:
            entries = ole.listdir(streams=True, storages=True)
            lowered = [[part.casefold() for part in entry] for entry in entries]
            roots = {entry[0] for entry in lowered}
            if "encryptedpackage" in roots or "encryptioninfo" in roots:
                raise Refusal("office_encrypted", "encrypted OOXML package in an OLE container")
            for entry in lowered:
                if _OLE_MACRO_STORAGES.intersection(entry):
                    raise Refusal("macro", "/".join(entry))
            if "worddocument" in roots:
                kind = "doc"
                head = _ole_stream_head(ole, "worddocument", 32)
                if len(head) < 12 or head[:2] != b"\xec\xa5":
                    raise Refusal("office_corrupt", "WordDocument stream without a FIB")
                if struct.unpack("<H", head[10:12])[0] & 0x0100:  # FibBase.fEncrypted
                    raise Refusal("office_encrypted", "Word fEncrypted")
            elif "workbook" in roots or "book" in roots:
                kind = "xls"
                head = _ole_stream_head(ole, "workbook" if "workbook" in roots else "book", 512)
                if _biff_is_encrypted(head):
                    raise Refusal("office_encrypted", "Excel FILEPASS")
            else:
                names = ", ".join(sorted(roots))[:200]
                raise Refusal("type_not_allowed", f"OLE file that is not Word/Excel: {names}")
    except Refusal:
        raise
    except Exception as exc:  # olefile: OSError/"incorrect OLE sector index"/...
        raise Refusal("office_corrupt", f"OLE: {type(exc).__name__}: {exc}"[:200]) from None
    expect_extension(name_ext, kind)
    return accepted_as(kind)


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
        raise Refusal("office_corrupt", "Workbook stream without BOF")
    pos = 0
    for _ in range(8):  # FILEPASS comes right after BOF (and an optional WRITEPROT)
        if pos + 4 > len(head):
            break
        rec_type, rec_len = struct.unpack("<HH", head[pos : pos + 4])
        if rec_type == _BIFF_FILEPASS:
            return True
        pos += 4 + rec_len
    return False
