"""*My work* on a phone (issue 14): narrowed by the query string (search, state, index, due), a progress line per
index, overdue first, approved items folded away, and reminders that link to the list they count."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem, Index
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import User
from evidence_app.review.operations import decide
from tests.evidence import corpus
from tests.helpers import login


def _user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _item(code):
    return db.session.execute(select(ChecklistItem).where(ChecklistItem.code == code)).scalar_one()


def _approve(tmp_path, code):
    path = corpus.pdf(tmp_path, f"{code}.pdf")
    evidence = upload_document(
        path, path.name, user=_user("cb-vp-tk"), items=[_item(code)], fields=DocumentFields()
    ).new_links[0]
    decide(evidence, _user("reviewer"), "approved", expected_version=evidence.version)


def _codes(page: str, table_id: str) -> list[str]:
    """The item codes of one list on the page, in order."""
    match = re.search(rf'<table class="grid card-table" id="{table_id}">(.*?)</table>', page, re.S)
    return re.findall(r'/items/\d+">([^<]+)</a>', match.group(1)) if match else []


@pytest.fixture
def staff(ward, app, client, tmp_path):
    app.config["TODAY"] = date(2024, 6, 1)  # vp-tk: CCHC-1.1-a overdue (14/03); 2.1-a (30/11), 1.1-b (05/12) not yet
    _approve(tmp_path, "CCHC-1.1-b")
    login(client, "cb-vp-tk")
    return client


def test_progress_per_index_and_approved_items_folded_away(staff):
    page = staff.get("/my").get_data(as_text=True)
    assert "1/3 đã duyệt" in page
    assert _codes(page, "my-work") == ["CCHC-1.1-a", "CCHC-2.1-a"], "overdue first; approved not among them"
    assert '<details class="approved-fold" id="approved">' in page, "folded: not open"
    assert _codes(page, "my-work-approved") == ["CCHC-1.1-b"]
    assert "1 mục đã duyệt" in page


def test_reminders_link_to_the_list_they_count(staff):
    page = staff.get("/my").get_data(as_text=True)
    assert re.search(r'<a class="flash flash-error" href="/my\?due=overdue">1 mục đã quá hạn', page)
    overdue = staff.get("/my?due=overdue").get_data(as_text=True)
    assert _codes(overdue, "my-work") == ["CCHC-1.1-a"] and "1 mục phù hợp" in overdue


@pytest.mark.parametrize(
    ("query", "open_codes", "approved_codes"),
    [
        ("q=2.1-a", ["CCHC-2.1-a"], []),
        ("q=cchc-1.1", ["CCHC-1.1-a"], ["CCHC-1.1-b"]),  # any case; approved ones still in their fold
        ("state=missing", ["CCHC-1.1-a", "CCHC-2.1-a"], []),
        ("state=approved", [], ["CCHC-1.1-b"]),
        ("state=nonsense", ["CCHC-1.1-a", "CCHC-2.1-a"], ["CCHC-1.1-b"]),  # an unknown state filters nothing
        ("q=no+such+words", [], []),
    ],
)
def test_search_and_filter_by_the_query_string(staff, query, open_codes, approved_codes):
    page = staff.get(f"/my?{query}").get_data(as_text=True)
    assert _codes(page, "my-work") == open_codes
    assert _codes(page, "my-work-approved") == approved_codes
    if not open_codes and not approved_codes:
        assert "Không có mục nào phù hợp." in page


def test_filter_by_index(staff):
    index = db.session.execute(select(Index)).scalars().first()
    page = staff.get(f"/my?index={index.id}").get_data(as_text=True)
    assert f'<option value="{index.id}" selected>' in page
    assert _codes(page, "my-work") == ["CCHC-1.1-a", "CCHC-2.1-a"]
    assert _codes(staff.get(f"/my?index={index.id + 99}").get_data(as_text=True), "my-work") == []
