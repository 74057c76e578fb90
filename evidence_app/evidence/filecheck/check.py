"""`check_file()`: identify an upload by its content, then let the checker for its family confirm it.

The type comes from the first 4 KiB (sniffing.py), and the extension of the client's name must agree
with it. The file is only read, never modified, and never read whole into memory by these modules.
"""

from __future__ import annotations

import os
import stat

from .containers import check_zip
from .images import check_image
from .kinds import IMAGE_KINDS, CheckedFile, expect_extension
from .messages import Refusal
from .names import clean_filename, name_extension
from .ole import check_ole
from .pdf import check_pdf
from .sniffing import sniff

_HEAD_BYTES = 4096


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
    except Refusal as r:
        raise r.for_file(display) from None


def _check(path: str, filename: str, max_bytes: int) -> CheckedFile:
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{path!r} is not a regular file")
    if st.st_size == 0:
        raise Refusal("empty")
    if st.st_size > max_bytes:
        raise Refusal("too_large", f"{st.st_size} bytes > {max_bytes}", limit=_format_mb(max_bytes))
    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES)
    family, detail = sniff(head)
    if family is None:
        raise Refusal("type_not_allowed", detail)

    name_ext = name_extension(filename)
    if family == "pdf":
        expect_extension(name_ext, "pdf")
        return check_pdf(path)
    if family in IMAGE_KINDS:
        expect_extension(name_ext, family)
        return check_image(path, family)
    if family == "zip":
        return check_zip(path, st.st_size, name_ext)
    return check_ole(path, name_ext)
