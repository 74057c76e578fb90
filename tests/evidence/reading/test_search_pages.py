"""The documents page and `GET /api/v1/documents?q=`: the unit's documents found without accents, with number,
summary, the text around the match and the link; never another unit's, through the page or the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evidence_app.api.operations import create_token
from evidence_app.extensions import db
from evidence_app.models import User
from tests.evidence.reading.test_search import BODY, PLAN, add
from tests.helpers import import_file, login, make_unit, make_user


@pytest.fixture
def two_wards(ward, catalog_dict, write_catalog, tmp_path):
    """The same plan, uploaded in Giếng Đáy and in Bãi Cháy; a report only in Giếng Đáy."""
    theirs = make_unit("bai-chay", "UBND phường Bãi Cháy")
    import_file(write_catalog(catalog_dict, "theirs.yaml"), theirs)
    make_user(theirs, "stranger", departments=["vp-tk"])
    ours = add(tmp_path, number="15/KH-UBND", summary=PLAN, issuer="UBND phường Giếng Đáy", text=BODY)
    report = add(tmp_path, number="25/BC-UBND", summary="Báo cáo công tác quý I", filename="bao-cao.pdf")
    stranger = add(tmp_path, by="stranger", number="99/KH-UBND", summary=PLAN, filename="bai-chay.pdf", text=BODY)
    return {"ours": ours.id, "report": report.id, "theirs": stranger.id}


def bearer(username: str) -> dict:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one()
    return {"Authorization": f"Bearer {create_token(user, 'tests')[1]}"}


def test_the_documents_page_finds_without_accents_and_shows_the_text_around(two_wards, client):
    login(client, "cb-vh-tt")
    page = client.get("/documents?q=tuyen truyen cai cach").get_data(as_text=True)
    assert "1 tài liệu được tìm thấy" in page
    assert "15/KH-UBND" in page and PLAN in page, "number and summary"
    assert f'href="/documents/{two_wards["ours"]}"' in page
    assert "<mark>tuyên</mark> <mark>truyền</mark> <mark>cải</mark> <mark>cách</mark> hành chính" in page.lower()
    assert "99/KH-UBND" not in page and f"/documents/{two_wards['theirs']}" not in page, "Bãi Cháy's plan"
    assert "bai-chay.pdf" not in page


def test_the_page_lists_the_newest_and_says_when_nothing_matches(two_wards, client):
    login(client, "cb-vp-tk")
    page = client.get("/documents").get_data(as_text=True)
    assert "Tài liệu mới nhất" in page and "bao-cao.pdf" in page and "bai-chay.pdf" not in page
    page = client.get('/documents?q="cai cach tuyen truyen"').get_data(as_text=True)
    assert "Không có tài liệu phù hợp" in page
    response = client.get("/documents?q=" + "a " * 150)
    assert response.status_code == 422 and "tối đa 200 ký tự" in response.get_data(as_text=True)


def test_my_work_and_the_menu_lead_to_the_search(two_wards, client):
    login(client, "cb-vp-tk")
    page = client.get("/my").get_data(as_text=True)
    assert 'id="document-search" action="/documents"' in page
    assert '<a href="/documents">Tài liệu</a>' in page


def test_the_page_needs_a_signed_in_user(two_wards, client):
    response = client.get("/documents?q=ke hoach")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_api_searches_the_tokens_unit_only(two_wards, client):
    ours, theirs = bearer("cb-vp-tk"), bearer("stranger")
    found = client.get("/api/v1/documents?q=ke hoach cai cach", headers=ours).json
    assert [d["id"] for d in found] == [two_wards["ours"]]
    assert found[0]["number"] == "15/KH-UBND" and found[0]["summary"] == PLAN
    assert "kế hoạch tuyên truyền cải cách" in found[0]["snippet"].lower(), "the text around the first match"
    assert found[0]["phrase"] is True, "the summary holds the words together"
    assert [d["id"] for d in client.get("/api/v1/documents?q=ke hoach", headers=theirs).json] == [two_wards["theirs"]]
    assert client.get("/api/v1/documents?q=25/BC", headers=theirs).json == [], "Giếng Đáy's report"
    found = client.get("/api/v1/documents?q=25/BC", headers=ours).json
    assert [(d["id"], d["snippet"], d["phrase"]) for d in found] == [(two_wards["report"], None, True)]


def test_the_api_lists_the_newest_and_refuses_what_it_cannot_read(two_wards, client):
    ours = bearer("cb-vp-tk")
    newest = client.get("/api/v1/documents?limit=2", headers=ours).json
    assert [d["id"] for d in newest] == [two_wards["report"], two_wards["ours"]]
    assert [d["id"] for d in client.get("/api/v1/documents", headers=bearer("stranger")).json] == [two_wards["theirs"]]
    response = client.get("/api/v1/documents?q=" + "x" * 201, headers=ours)
    assert response.status_code == 422 and response.json["error"]["fields"]["q"]
    for limit in ("0", "101", "abc"):
        response = client.get(f"/api/v1/documents?limit={limit}", headers=ours)
        assert response.status_code == 422 and response.json["error"]["fields"]["limit"], limit
    assert client.get("/api/v1/documents?q=ke").status_code == 401
