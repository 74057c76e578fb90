"""Migration 0018 (decision 0008): an item weight other than 1 is kept only where the criterion's rule divides
its points among its documents (`shares`); elsewhere it scored nothing, and is set to 1 so that the rubric the
next cycle exports imports again."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from evidence_app.catalog.models import ChecklistItem
from evidence_app.extensions import db
from tests.conftest import build_app
from tests.helpers import import_file, make_unit


def test_weights_are_kept_only_under_shares(tmp_path, empty_database_url, catalog_dict, write_catalog):
    app = build_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade()  # the ward is imported through today's models, then the schema goes back to before 0018
        catalog_dict["areas"][0]["criteria"][1]["rule"] = {"type": "shares"}
        import_file(write_catalog(catalog_dict), make_unit())
        db.session.remove()
        downgrade(revision="0018-1")
        weights = {"CCHC-1.1-a": 2, "CCHC-1.2-a": 3}  # 1.1 is a deduction: its weight was stored, never used
        items = ChecklistItem.__table__
        for code, weight in weights.items():  # the table's columns of then: only those named
            db.session.execute(update(items).where(items.c.code == code).values(weight=weight))
        db.session.commit()
        db.session.remove()
        upgrade()
        stored = dict(db.session.execute(select(ChecklistItem.code, ChecklistItem.weight)).all())
        assert (stored["CCHC-1.1-a"], stored["CCHC-1.2-a"]) == (1, 3)
        assert all(weight == 1 for code, weight in stored.items() if code != "CCHC-1.2-a")
