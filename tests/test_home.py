"""Each role starts on the page of its daily work (issue 14); reviewers see in the menu how many documents wait,
and the province's officers have no ward menus."""

from __future__ import annotations

import pytest

from evidence_app.extensions import db
from evidence_app.models import Unit
from tests.helpers import login, make_unit, make_user


@pytest.fixture
def province_user(ward):
    make_user(make_unit("quang-ninh", "UBND tỉnh Quảng Ninh"), "tinh", role="province")


@pytest.mark.parametrize(
    ("username", "home"),
    [("cb-vp-tk", "/my"), ("reviewer", "/review/"), ("admin", "/reports/"), ("tinh", "/reports/province")],
)
def test_each_role_starts_on_its_own_page(app, province_user, username, home):
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).headers["Location"] == home
    assert client.get("/").headers["Location"] == home
    assert client.get(home).status_code == 200


def test_the_reviewers_menu_counts_what_waits(app, ward, client, tmp_path):
    from evidence_app.evidence.operations import DocumentFields, upload_document
    from tests.evidence import corpus
    from tests.evidence.test_my_work_page import _item, _user

    login(client, "reviewer")
    assert 'class="badge"' not in client.get("/my").get_data(as_text=True), "nothing waits: no number"
    for code in ("CCHC-1.1-a", "CCHC-2.1-a"):
        path = corpus.pdf(tmp_path, f"{code}.pdf")
        upload_document(path, path.name, user=_user("cb-vp-tk"), items=[_item(code)], fields=DocumentFields())
    page = client.get("/my").get_data(as_text=True)
    assert '<span class="badge" title="2 tài liệu chờ duyệt">2</span>' in page
    assert 'Menu <span class="badge">2</span>' in page, "also on the phone's folded menu"
    staff = app.test_client()
    login(staff, "cb-vp-tk")
    assert 'class="badge"' not in staff.get("/my").get_data(as_text=True)


def test_the_province_has_no_ward_menus(app, province_user):
    client = app.test_client()
    login(client, "tinh")
    page = client.get("/reports/province").get_data(as_text=True)
    assert 'href="/my"' not in page and 'href="/catalog/"' not in page
    assert db.session.query(Unit).count() == 2
