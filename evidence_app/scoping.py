"""Every object a user reaches is looked up inside the user's unit, and anything else answers 404 (never 403:
another unit's ids are not even confirmed to exist). The lookups themselves live with their feature
(`catalog/queries.py`, `evidence/queries.py`); each ends in `one_in_unit_or_404`."""

from __future__ import annotations

from flask import abort

from .extensions import db


def one_in_unit_or_404(statement):
    """The one row `statement` (already restricted to the user's unit) finds, or 404."""
    obj = db.session.execute(statement).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj
