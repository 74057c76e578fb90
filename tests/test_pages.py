"""The first pages: signing in and out, the catalog browsable in Vietnamese, scoped to the user's unit,
CSRF on every form and security headers on every response."""

from __future__ import annotations

import re

from sqlalchemy import select

from evidence_app.catalog.models import Area, Criterion, Index
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, User
from tests.conftest import build_app
from tests.helpers import PASSWORD, import_file, login, make_unit, make_user


def test_pages_need_signing_in(client, ward):
    response = client.get("/catalog/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/").headers["Location"].endswith("/login")


def test_sign_in_browse_and_sign_out_in_vietnamese(client, ward):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and 'lang="vi"' in page

    response = login(client, "cb-vp-tk")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/catalog/").get_data(as_text=True)
    assert "Bộ chỉ số của UBND phường Giếng Đáy" in page
    assert "15,84" in page and "−4,16" in page  # decimal comma; 20 − 15.84 lost

    index = db.session.execute(select(Index)).scalar_one()
    page = client.get(f"/catalog/{index.id}").get_data(as_text=True)
    assert "Chỉ đạo, điều hành" in page and "9,5" in page and "−2,5" in page
    assert "Báo cáo Quý I quá hạn" in page and "15/12/2024" in page

    area = db.session.execute(select(Area).where(Area.code == "1")).scalar_one()
    page = client.get(f"/catalog/areas/{area.id}").get_data(as_text=True)
    assert "1.1 Báo cáo CCHC định kỳ" in page and "ước tính" in page and "Văn phòng – Thống kê" in page
    assert "14/03/2024" in page  # the next due date of 1.1

    criterion = db.session.execute(select(Criterion).where(Criterion.code == "1.1")).scalar_one()
    page = client.get(f"/catalog/criteria/{criterion.id}").get_data(as_text=True)
    assert "CCHC-1.1-a" in page and "Báo cáo CCHC Quý I/2024" in page and "Ký số; gửi trước hạn" in page
    assert "báo cáo định kỳ" in page and "hạn 14/03/2024; báo cáo trễ hạn không thể khắc phục" in page
    assert "Trừ 1,25 điểm cho mỗi vi phạm." in page
    assert "thiếu minh chứng" not in page and "báo cáo trễ hạn / không nộp" in page

    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/catalog/").status_code == 302


def test_english_is_available(client, ward):
    login(client, "cb-vp-tk")
    page = client.get("/catalog/?lang=en").get_data(as_text=True)
    assert "Indices of UBND phường Giếng Đáy" in page and "15.84" in page
    assert "Indices of" in client.get("/catalog/").get_data(as_text=True), "the choice is kept in the session"


def test_wrong_password_is_refused_and_audited(client, ward):
    response = login(client, "cb-vp-tk", "wrong password")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)
    assert client.get("/catalog/").status_code == 302
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.action == "auth.login_failed" and event.data == {"username": "cb-vp-tk", "address": "127.0.0.1"}


def test_disabled_user_cannot_sign_in(client, ward):
    user = db.session.execute(select(User).where(User.username == "cb-vp-tk")).scalar_one()
    user.active = False
    db.session.commit()
    assert login(client, "cb-vp-tk").status_code == 401


def test_next_parameter_cannot_leave_the_site(client, ward):
    response = client.post("/login?next=https://evil.example/x", data={"username": "cb-vp-tk", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=//evil.example", data={"username": "cb-vp-tk", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_another_units_catalog_answers_404(client, ward, catalog_dict, write_catalog):
    other = make_unit("bai-chay", "UBND phường Bãi Cháy")
    import_file(write_catalog(catalog_dict, "other.yaml"), other)
    login(client, "cb-vp-tk")
    other_index = db.session.execute(select(Index).where(Index.unit_id == other.id)).scalar_one()
    other_area = db.session.execute(select(Area).where(Area.index_id == other_index.id)).scalars().first()
    other_criterion = (
        db.session.execute(select(Criterion).where(Criterion.index_id == other_index.id)).scalars().first()
    )
    for url in (
        f"/catalog/{other_index.id}",
        f"/catalog/areas/{other_area.id}",
        f"/catalog/criteria/{other_criterion.id}",
        "/catalog/999999",
    ):
        assert client.get(url).status_code == 404, url
    assert "Bãi Cháy" not in client.get("/catalog/").get_data(as_text=True)
    own = db.session.execute(select(Index).where(Index.unit_id == ward.id)).scalar_one()
    assert client.get(f"/catalog/{own.id}").status_code == 200


def test_security_headers_on_every_page(client, ward):
    for url in ("/login", "/static/app.css"):
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
    login(client, "cb-vp-tk")
    index = db.session.execute(select(Index)).scalar_one()
    area = db.session.execute(select(Area)).scalars().first()
    criterion = db.session.execute(select(Criterion)).scalars().first()
    for url in ("/catalog/", f"/catalog/{index.id}", f"/catalog/areas/{area.id}", f"/catalog/criteria/{criterion.id}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.get_data(as_text=True)
        assert "<script>" not in body and "style=" not in body, "no inline script or style: the CSP forbids them"
        assert not re.search(r"(src|href)=\"(https?:)?//", body), "every asset is served by the app"


def test_every_form_needs_a_csrf_token(tmp_path, server_database_url):
    from tests.conftest import reset_database

    if server_database_url:
        reset_database(server_database_url)
    app = build_app(tmp_path, server_database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        unit = make_unit()
        make_user(unit, "cb-vp-tk")
        client = app.test_client()
        response = client.post("/login", data={"username": "cb-vp-tk", "password": PASSWORD})
        assert response.status_code == 400 and "Phiên đăng nhập đã hết — đăng nhập lại" in response.get_data(
            as_text=True
        )
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"username": "cb-vp-tk", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        assert client.post("/logout").status_code == 400, "signing out is a form too"
        assert client.get("/catalog/").status_code == 200, "a forged sign-out did nothing"
        db.session.remove()
        db.engine.dispose()


def test_session_cookie_flags(client, ward):
    response = login(client, "cb-vp-tk")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_every_page_of_the_wards_real_catalogs_renders(client):
    """All 84 criteria of CCHC 2024 and QN-DTI 2024, every rule type, through every catalog page."""
    from checklists import CATALOG_DIR

    unit = make_unit()
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, unit)
    make_user(unit, "reviewer", role="reviewer")
    login(client, "reviewer")
    urls = [f"/catalog/{i.id}" for i in db.session.execute(select(Index)).scalars()]
    urls += [f"/catalog/areas/{a.id}" for a in db.session.execute(select(Area)).scalars()]
    urls += [f"/catalog/criteria/{c.id}" for c in db.session.execute(select(Criterion)).scalars()]
    assert len(urls) == 2 + 16 + 84
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get("/catalog/").get_data(as_text=True)
    assert "86,34" in page and "696" in page and "−13,66" in page and "−304" in page


def test_a_sub_criterion_is_named_so(client, ward):
    """A criterion three levels deep (4.22.11, as a province's table brings them) is a tiêu chí thành phần."""
    parent = db.session.execute(select(Criterion).where(Criterion.code == "1.1")).scalar_one()
    part = Criterion(
        index_id=parent.index_id,
        area_id=parent.area_id,
        code="1.1.1",
        title="Báo cáo Quý I",
        max_points=parent.max_points / 4,
        rule_type="binary",
        rule_params={},
    )
    db.session.add(part)
    db.session.commit()
    login(client, "cb-vp-tk")
    area_page = client.get(f"/catalog/areas/{parent.area_id}").get_data(as_text=True)
    assert area_page.count("Tiêu chí thành phần") == 1 and "1.1.1 Báo cáo Quý I" in area_page
    assert "Tiêu chí thành phần" in client.get(f"/catalog/criteria/{part.id}").get_data(as_text=True)
    assert "Tiêu chí thành phần" not in client.get(f"/catalog/criteria/{parent.id}").get_data(as_text=True)
