"""PDF checks with pypdf: the file parses, has pages, and opens without a user password.

pypdf gets an open file handle: given a path it would copy the whole file into memory. It still
keeps the objects it parses.
"""

from __future__ import annotations

from .kinds import CheckedFile, accepted_as
from .messages import Refusal


def check_pdf(path: str) -> CheckedFile:
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
                    raise Refusal("pdf_encrypted", f"cannot try the empty password: {exc}") from None
                if not opened:
                    raise Refusal("pdf_encrypted", "needs a user password")
            pages = len(reader.pages)
    except Refusal:
        raise
    except RecursionError:
        raise Refusal("pdf_corrupt", "recursion in the object structure") from None
    except Exception as exc:  # pypdf raises many types on damaged input (PdfReadError, KeyError, ...)
        raise Refusal("pdf_corrupt", f"{type(exc).__name__}: {exc}"[:300]) from None
    if pages < 1:
        raise Refusal("pdf_corrupt", "no pages")
    return accepted_as("pdf", page_count=pages)
