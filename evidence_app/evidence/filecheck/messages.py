"""Why an upload is refused: the refusal codes, the message shown for each, and the two exceptions.

Messages are lazy strings (English msgids, Vietnamese from the translations), rendered in the
request's language when the caller turns them into str. The checkers raise `Refusal`; `check_file()`
and `make_previews()` turn it into the public `FileRefused`, which carries the upload's clean name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def refusal_message(code: str, **params):
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
            "The image is too large (more than %(limit)s megapixels). Reduce its resolution (for example "
            "to 4000 × 3000 pixels), or save it as JPEG or PDF, and upload again.",
            **params,
        )
    if code == "image_frames":
        return _l(
            "The image has more than %(limit)s pages or frames. Save it as a PDF, or as separate JPEG "
            "pictures, and upload again.",
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
    if code == "pdf_active_content":
        return _l(
            "The PDF contains a script, a program or an attached file that would run or open by itself, which "
            "is not accepted for security reasons. Print it to a new PDF (or scan the signed paper), and upload "
            "again."
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
            "The document loads content from outside the file (a linked template, picture or object, or a "
            "link to a shared folder) or holds an embedded object, which is not accepted for security reasons. "
            "Save a copy without them, or print it to PDF, and upload again."
        )
    raise ValueError(f"unknown refusal code {code!r}")


REFUSAL_CODES = (
    "empty",
    "too_large",
    "type_not_allowed",
    "extension_mismatch",
    "macro",
    "zip_bomb",
    "zip_unsafe_path",
    "image_bomb",
    "image_frames",
    "image_corrupt",
    "pdf_corrupt",
    "pdf_encrypted",
    "pdf_active_content",
    "office_corrupt",
    "office_encrypted",
    "office_external_content",
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


class Refusal(Exception):
    """Raised deep inside a checker; turned into FileRefused, with the upload's name, at the top."""

    def __init__(self, code: str, detail: str = "", **params):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail
        self.params = params

    def for_file(self, filename: str) -> FileRefused:
        return FileRefused(self.code, refusal_message(self.code, **self.params), filename, self.detail)
