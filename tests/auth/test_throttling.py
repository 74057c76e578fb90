"""Sign-in throttling per account and per address, kept in the database so it holds across workers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from evidence_app.auth import throttle
from evidence_app.auth.models import LoginFailure
from evidence_app.extensions import db
from tests.conftest import build_app
from tests.helpers import PASSWORD, login, make_unit, make_user


def test_an_account_is_held_after_repeated_failures_even_with_the_right_password(app, client):
    unit = make_unit()
    make_user(unit, "cb-vp-tk")
    for _ in range(throttle.MAX_PER_ACCOUNT):
        assert login(client, "cb-vp-tk", "wrong").status_code == 401
    response = login(client, "cb-vp-tk", PASSWORD)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)
    # the window passes
    for failure in db.session.execute(select(LoginFailure)).scalars():
        failure.failed_at -= throttle.WINDOW + timedelta(seconds=1)
    db.session.commit()
    assert login(client, "cb-vp-tk", PASSWORD).status_code == 302
    assert db.session.execute(select(LoginFailure).where(LoginFailure.username == "cb-vp-tk")).first() is None, (
        "a successful sign-in clears the account's failures"
    )


def test_an_address_is_held_after_failures_on_many_accounts(app, client):
    unit = make_unit()
    make_user(unit, "cb-vp-tk")
    for n in range(throttle.MAX_PER_ADDRESS):
        login(client, f"guess-{n}", "wrong")
    assert login(client, "cb-vp-tk", PASSWORD).status_code == 429
    other_address = app.test_client()
    response = other_address.post(
        "/login", data={"username": "cb-vp-tk", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.7"}
    )
    assert response.status_code == 302, "another address is not held"


def test_the_count_is_shared_by_every_app_server(app, tmp_path, server_database_url):
    """Two apps on one database (two gunicorn workers, two machines) see the same failures."""
    unit = make_unit()
    make_user(unit, "cb-vp-tk")
    first = app.test_client()
    for _ in range(throttle.MAX_PER_ACCOUNT - 1):
        login(first, "cb-vp-tk", "wrong")
    if server_database_url:
        second_app = build_app(tmp_path / "second", server_database_url)
    else:
        second_app = build_app(tmp_path / "second", app.config["SQLALCHEMY_DATABASE_URI"])
    second = second_app.test_client()
    assert login(second, "cb-vp-tk", "wrong").status_code == 401
    assert login(second, "cb-vp-tk", PASSWORD).status_code == 429
    assert login(first, "cb-vp-tk", PASSWORD).status_code == 429
