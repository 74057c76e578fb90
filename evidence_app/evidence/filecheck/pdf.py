"""PDF checks with pypdf: the file parses, has pages, and opens without a user password.

pypdf gets an open file handle: given a path it would copy the whole file into memory. It still
keeps the objects it parses.
"""

from __future__ import annotations

from .kinds import CheckedFile, accepted_as
from .messages import Refusal

# Actions a PDF viewer runs by itself or on a click: scripts, programs, form submissions, other files.
# (/URI, a web link, and /GoTo, a page of the same file, are what documents normally hold.)
DANGEROUS_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/RichMediaExecute"}


def _refuse_active_content(reader) -> None:
    """Refuse a PDF that runs something: JavaScript, a program, an embedded file (ASVS V12.2, OWASP)."""
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names:
        raise Refusal("pdf_active_content", "document-level JavaScript (/Names /JavaScript)")
    if "/EmbeddedFiles" in names:
        raise Refusal("pdf_active_content", "embedded files (/Names /EmbeddedFiles)")
    _check_action(root.get("/OpenAction"), "/OpenAction")
    _check_additional_actions(root.get("/AA"), "/AA of the document")
    for number, page in enumerate(reader.pages, start=1):
        _check_additional_actions(page.get("/AA"), f"/AA of page {number}")
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            _check_action(annotation.get("/A"), f"a link on page {number}")
            _check_additional_actions(annotation.get("/AA"), f"/AA of a link on page {number}")
            if annotation.get("/Subtype") == "/FileAttachment":
                raise Refusal("pdf_active_content", f"an attached file on page {number}")


def _check_additional_actions(actions, where: str) -> None:
    actions = actions.get_object() if actions is not None else None
    if hasattr(actions, "values"):
        for action in actions.values():
            _check_action(action, where)


def _check_action(action, where: str, depth: int = 0) -> None:
    action = action.get_object() if action is not None else None
    if not hasattr(action, "get") or depth > 8:  # a destination (an array), nothing, or a loop of /Next
        return
    kind = action.get("/S")
    if kind in DANGEROUS_ACTIONS or "/JS" in action:
        raise Refusal("pdf_active_content", f"{kind or '/JS'} action in {where}")
    following = action.get("/Next")
    following = following.get_object() if following is not None else None
    for step in following if isinstance(following, list) else [following]:
        _check_action(step, where, depth + 1)


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
            _refuse_active_content(reader)
    except Refusal:
        raise
    except RecursionError:
        raise Refusal("pdf_corrupt", "recursion in the object structure") from None
    except Exception as exc:  # pypdf raises many types on damaged input (PdfReadError, KeyError, ...)
        raise Refusal("pdf_corrupt", f"{type(exc).__name__}: {exc}"[:300]) from None
    if pages < 1:
        raise Refusal("pdf_corrupt", "no pages")
    return accepted_as("pdf", page_count=pages)
