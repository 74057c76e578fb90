"""Vietnamese first: every message of the code and templates has a Vietnamese translation, and the compiled
catalog that ships is up to date with it."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LC = ROOT / "evidence_app" / "translations" / "vi" / "LC_MESSAGES"
# `translate` is what checklists/rules/ call the gettext the app hands them (their descriptions).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "translate": None}


def source_messages() -> set:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    for package in ("evidence_app", "checklists"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=method_map, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_message_has_a_vietnamese_translation():
    catalog = read_po(open(LC / "messages.po", "rb"))
    missing = []
    for message in source_messages():
        key = message if isinstance(message, str) else message[0]
        entry = catalog.get(key)
        translated = (
            entry is not None
            and not entry.fuzzy
            and (all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string))
        )
        if not translated:
            missing.append(message)
    assert not missing, (
        f"add Vietnamese for these to messages.po, then `pybabel compile -d evidence_app/translations`: {missing}"
    )


def test_the_compiled_catalog_matches_the_po_file():
    po = read_po(open(LC / "messages.po", "rb"))
    mo = read_mo(open(LC / "messages.mo", "rb"))

    def pairs(catalog):
        as_key = lambda value: tuple(value) if isinstance(value, (list, tuple)) else value
        return {as_key(m.id): as_key(m.string) for m in catalog if m.id}

    po_pairs, mo_pairs = pairs(po), pairs(mo)
    assert po_pairs == mo_pairs, "messages.mo is stale: run `pybabel compile -d evidence_app/translations`"
