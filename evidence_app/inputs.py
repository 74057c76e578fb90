"""What no request may carry, refused before any page or service sees it (400/404, never a 500 from deep inside):
NUL and other control characters in the query or a form, and ids beyond the database's 32-bit integers in a URL."""

from __future__ import annotations

import re

from flask import abort, request
from flask_babel import gettext as _

LARGEST_ID = 2**31 - 1  # ids are 32-bit integers in the database
MAX_JSON_BYTES = 64 * 1024  # the API's JSON bodies are a few fields; files come as multipart
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def database_id(raw: str) -> int:
    """An id sent in a query or a form, as `request.args.get(name, type=database_id)` reads it: ASCII digits of a
    number from 1 to LARGEST_ID, or ValueError (and Werkzeug's default, None). `int` alone takes 10**30, which no
    query can bind, and `str.isdigit` takes "²", which `int` refuses."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= LARGEST_ID:
        raise ValueError(f"not an id: {raw!r}")
    return int(text)


def has_forbidden_characters(text: str) -> bool:
    """NUL and other control characters (tab and line breaks allowed), and lone UTF-16 surrogates, which JSON
    can carry but no database text column can store."""
    return _FORBIDDEN.search(text) is not None


def init_app(app) -> None:
    @app.before_request
    def ids_beyond_the_database_name_nothing():
        # 404 for every method, as another unit's id (a converter with a maximum would answer 405 to some)
        if any(isinstance(v, int) and v > LARGEST_ID for v in (request.view_args or {}).values()):
            abort(404)

    @app.before_request
    def refuse_nul_characters():
        # Only bodies Flask has parsed already: an upload's multipart body is read by its route, as a stream.
        values = list(request.args.values())
        if request.mimetype == "application/x-www-form-urlencoded":
            values += list(request.form.values())
        if any(has_forbidden_characters(value) for value in values):
            abort(
                400, description=_("A field contains a control character (NUL or similar); type it again without it.")
            )
