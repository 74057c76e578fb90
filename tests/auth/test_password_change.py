"""Every signed-in user changes their own password (issue 13, finding 3), under the one rule for new passwords:
long enough, not a common password, not containing the username."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evidence_app.auth.accounts import AccountRefused, create_user
from evidence_app.auth.passwords import MIN_PASSWORD_LENGTH, new_password, password_problem
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.helpers import PASSWORD, login, make_unit, make_user

NEW = "ba con mèo trèo cây cau"


@pytest.fixture
def lan(app):
    return make_user(make_unit(), "lan.nguyen")


def change(client, current=PASSWORD, new=NEW, again=None):
    data = {"current_password": current, "new_password": new, "new_password_again": new if again is None else again}
    return client.post("/account/password", data=data)


def test_the_page_is_linked_for_every_signed_in_user_and_never_cached(app, client, lan):
    login(client, "lan.nguyen")
    assert 'href="/account/password"' in client.get("/my").get_data(as_text=True)
    response = client.get("/account/password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'name="csrf_token"' in response.get_data(as_text=True) or not app.config["WTF_CSRF_ENABLED"]
    assert app.test_client().get("/account/password").status_code == 302, "signed-in users only"


def test_a_change_ends_the_other_sessions_and_keeps_this_one(app, client, lan):
    login(client, "lan.nguyen")
    other = app.test_client()
    login(other, "lan.nguyen")
    response = change(client)
    assert response.status_code == 303
    assert client.get("/my").status_code == 200, "this browser stays signed in"
    assert other.get("/my").status_code == 302, "the other session has ended"
    assert login(app.test_client(), "lan.nguyen").status_code == 401, "the old password no longer works"
    assert login(app.test_client(), "lan.nguyen", NEW).status_code == 302
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.password_change")).scalar_one()
    assert event.actor_id == lan.id and event.object_id == lan.id


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("not my password", NEW, None, "Đây không phải mật khẩu hiện tại của bạn."),
        (PASSWORD, "ngắn quá", None, f"Ít nhất {MIN_PASSWORD_LENGTH} ký tự."),
        (PASSWORD, "x" * 201, None, "Tối đa 200 ký tự."),
        (PASSWORD, "Matkhau@123", None, "Mật khẩu này thuộc số mật khẩu phổ biến nhất"),
        (PASSWORD, "qwertyuiop", None, "Mật khẩu này thuộc số mật khẩu phổ biến nhất"),
        (PASSWORD, "tôi là LAN.NGUYEN đây", None, "Mật khẩu không được chứa tên đăng nhập."),
        (PASSWORD, NEW, NEW + "!", "Hai mật khẩu mới không khớp nhau."),
        (PASSWORD, PASSWORD, None, "Hãy chọn mật khẩu khác với mật khẩu hiện tại."),
    ],
)
def test_refusals(app, client, lan, current, new, again, message):
    login(client, "lan.nguyen")
    before = lan.password_hash
    response = change(client, current, new, again)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(lan)
    assert lan.password_hash == before and lan.session_epoch == 0
    assert client.get("/my").status_code == 200


def test_one_rule_for_every_new_password(app):
    unit = make_unit()
    with pytest.raises(AccountRefused) as refused:
        create_user(unit, "minh", role="staff", departments=[], password="iloveyou123")
    assert "most common" in refused.value.english
    assert password_problem("a sentence that is long", "minh") is None
    assert password_problem("minh-a sentence", "minh") is not None
    for username in ("an", "lan", "admin"):
        password = new_password(username)
        assert password_problem(password, username) is None


def test_a_session_left_open_is_no_way_to_guess_the_password(app, client, lan):
    from evidence_app.auth import throttle

    login(client, "lan.nguyen")
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        assert change(client, "guess").status_code == 422
    response = change(client)
    assert response.status_code == 422 and "Sai mật khẩu quá nhiều lần" in response.get_data(as_text=True)
    assert login(app.test_client(), "lan.nguyen").status_code == 429, "held for signing in too"
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).first()
