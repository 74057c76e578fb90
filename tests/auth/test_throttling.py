"""Sign-in throttling (issue 13, finding 6): per account and address, per account, and per address counting
distinct usernames; kept in the database so it holds across workers; lifted by an unlock or a password reset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from evidence_app.auth import throttle
from evidence_app.auth.models import LoginFailure
from evidence_app.clock import frozen_at
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.conftest import build_app
from tests.helpers import PASSWORD, login, make_unit, make_user

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def sign_in(client, username, password=PASSWORD, address="10.0.0.1", **headers):
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}, **headers
    )


@pytest.fixture
def people(app):
    unit = make_unit()
    make_user(unit, "admin", role="admin")
    return {name: make_user(unit, name) for name in ("lan", "minh")}


def test_an_account_is_held_at_an_address_after_repeated_failures_and_the_advice_works(app, client, people):
    with frozen_at(START):
        for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
            assert sign_in(client, "lan", "wrong").status_code == 401
        response = sign_in(client, "lan")
    assert response.status_code == 429, "held even with the right password"
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= throttle.WINDOW.total_seconds()
    page = response.get_data(as_text=True)
    minutes = int(re.search(r"Thử lại sau (\d+) phút", page).group(1))
    assert minutes * 60 >= wait and "nhờ quản trị viên" in page
    with frozen_at(START + timedelta(seconds=wait - 2)):
        assert sign_in(client, "lan").status_code == 429
        assert sign_in(app.test_client(), "lan", address="10.0.0.2").status_code == 302, "another address is not held"
    with frozen_at(START + timedelta(minutes=minutes)):  # trying again when the page says works
        assert sign_in(client, "lan").status_code == 302
    assert db.session.execute(select(LoginFailure).where(LoginFailure.address == "10.0.0.1")).first() is None, (
        "a successful sign-in forgets the account's failures from its address"
    )


def test_failures_of_a_few_people_do_not_hold_anyone_else_at_the_same_address(app, client, people):
    """The ward behind one NAT address: 20 failures in all (the old per-address limit), by four people, each
    held on their own account only."""
    for name in ("lan", "hoa", "tuan", "mai"):
        for _ in range(5):
            assert sign_in(app.test_client(), name, "wrong").status_code == 401
    assert sign_in(client, "minh").status_code == 302
    assert sign_in(app.test_client(), "lan").status_code == 429


def test_an_account_is_held_everywhere_after_failures_from_many_addresses(app, client, people):
    for n in range(throttle.MAX_PER_ACCOUNT):
        assert sign_in(app.test_client(), "lan", "wrong", address=f"10.1.0.{n}").status_code == 401
    response = sign_in(client, "lan", address="10.2.0.1")
    assert response.status_code == 429 and "nhờ quản trị viên" in response.get_data(as_text=True)
    assert sign_in(client, "minh", address="10.2.0.1").status_code == 302


def test_an_address_is_held_after_failures_on_many_usernames(app, client, people):
    for n in range(throttle.MAX_USERNAMES_PER_ADDRESS - 1):
        for _ in range(3):  # repeated failures of one username count once
            assert sign_in(app.test_client(), f"guess-{n}", "wrong").status_code == 401
    assert sign_in(app.test_client(), "minh").status_code == 302, "one username short of the limit"
    sign_in(app.test_client(), "guess-last", "wrong")
    response = sign_in(client, "lan")
    assert response.status_code == 429
    assert "tên đăng nhập khác nhau từ mạng này" in response.get_data(as_text=True)
    assert sign_in(app.test_client(), "lan", address="10.0.0.7").status_code == 302, "another address is not held"


def test_a_forged_x_forwarded_for_does_not_change_the_address(app, people):
    """MINHCHUNG_PROXY_COUNT=0 (the default): the client's own address counts, whatever X-Forwarded-For says."""
    assert app.config["PROXY_COUNT"] == 0
    for n in range(throttle.MAX_USERNAMES_PER_ADDRESS):
        forged = {"headers": {"X-Forwarded-For": f"192.0.2.{n}"}}
        assert sign_in(app.test_client(), f"guess-{n}", "wrong", **forged).status_code == 401
    assert set(db.session.execute(select(LoginFailure.address)).scalars()) == {"10.0.0.1"}
    forged = {"headers": {"X-Forwarded-For": "192.0.2.200"}}
    assert sign_in(app.test_client(), "lan", **forged).status_code == 429


def test_behind_a_proxy_the_forwarded_address_counts(tmp_path, server_database_url, app, people):
    proxied = build_app(tmp_path / "proxied", app.config["SQLALCHEMY_DATABASE_URI"], PROXY_COUNT=1)
    for n in range(throttle.MAX_USERNAMES_PER_ADDRESS):
        sign_in(proxied.test_client(), f"guess-{n}", "wrong", headers={"X-Forwarded-For": "192.0.2.9"})
    assert set(db.session.execute(select(LoginFailure.address)).scalars()) == {"192.0.2.9"}
    other = {"headers": {"X-Forwarded-For": "192.0.2.10"}}
    assert sign_in(proxied.test_client(), "lan", **other).status_code == 302, "the proxy's address is not held"


def test_the_count_is_shared_by_every_app_server(app, tmp_path, server_database_url, people):
    """Two apps on one database (two gunicorn workers, two machines) see the same failures."""
    first = app.test_client()
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS - 1):
        sign_in(first, "lan", "wrong")
    second_app = build_app(tmp_path / "second", server_database_url or app.config["SQLALCHEMY_DATABASE_URI"])
    second = second_app.test_client()
    assert sign_in(second, "lan", "wrong").status_code == 401
    assert sign_in(second, "lan").status_code == 429
    assert sign_in(first, "lan").status_code == 429


def hold_lan(app):
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        sign_in(app.test_client(), "lan", "wrong")
    assert sign_in(app.test_client(), "lan").status_code == 429


def test_the_unlock_command(app, runner, people):
    hold_lan(app)
    result = runner.invoke(args=["users", "unlock", "--username", "lan"])
    assert result.exit_code == 0 and "5 failed sign-in(s) forgotten" in result.output, result.output
    assert sign_in(app.test_client(), "lan").status_code == 302
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.unlock")).scalar_one()
    assert event.actor_id is None and event.object_id == people["lan"].id and event.data["failures_cleared"] == 5
    assert runner.invoke(args=["users", "unlock", "--username", "nobody"]).exit_code == 2


def test_an_administrator_unlocks_from_the_user_page(app, client, people):
    hold_lan(app)
    assert login(client, "admin").status_code == 302
    page = client.get(f"/admin/users/{people['lan'].id}").get_data(as_text=True)
    assert f'action="/admin/users/{people["lan"].id}/unlock"' in page
    response = client.post(f"/admin/users/{people['lan'].id}/unlock")
    assert response.status_code == 303
    assert sign_in(app.test_client(), "lan").status_code == 302
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.unlock")).scalar_one()
    admin_id = db.session.execute(select(AuditEvent.actor_id).where(AuditEvent.action == "auth.login")).scalar()
    assert event.actor_id == admin_id and event.object_id == people["lan"].id


def test_an_administrators_password_reset_lifts_the_hold(app, client, people):
    hold_lan(app)
    login(client, "admin")
    page = client.post(f"/admin/users/{people['lan'].id}/password").get_data(as_text=True)
    password = re.search(r"chỉ hiển thị một lần\): (\S+)<", page).group(1)
    assert sign_in(app.test_client(), "lan", password).status_code == 302
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.password_reset")).scalar_one()
    assert event.data["failures_cleared"] == throttle.MAX_PER_ACCOUNT_AND_ADDRESS
