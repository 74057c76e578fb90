"""What no request may carry, refused before any page or service sees it (400/404, never a 500 from deep inside):
NUL characters in the query or a form, and ids beyond the database's 32-bit integers in a URL."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # ids are 32-bit integers in the database


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number above LARGEST_ID matches nothing (404), as another unit's id does."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app) -> None:
    app.url_map.converters["int"] = IdConverter  # before any route is added

    @app.before_request
    def refuse_nul_characters():
        # Only bodies Flask has parsed already: an upload's multipart body is read by its route, as a stream.
        values = list(request.args.values())
        if request.mimetype == "application/x-www-form-urlencoded":
            values += list(request.form.values())
        if any("\x00" in value for value in values):
            abort(400, description=_("A field contains a NUL character; type it again without it."))
