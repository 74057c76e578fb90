"""Sessions that end (issue 13, finding 3): a saved cookie stops working after sign-out, a password reset,
disabling and a role change; tokens are revoked by a reset; idle and absolute lifetimes; session protection that
keeps a phone signed in when its address changes; one source of the client address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import config
from evidence_app.api.models import ApiToken
from evidence_app.api.operations import create_token
from evidence_app.clock import frozen_at
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, User
from tests.helpers import PASSWORD, make_unit, make_user

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def people(app):
    unit = make_unit()
    return {"admin": make_user(unit, "admin", role="admin"), "lan": make_user(unit, "lan")}


def signed_in(app, username, password=PASSWORD, **kwargs):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}, **kwargs).status_code == 302
    return client


def is_signed_in(client, **kwargs) -> bool:
    response = client.get("/my", **kwargs)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def replay(app, client):
    """Another client holding a copy of `client`'s session cookie, as an attacker who saved it would."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def test_a_saved_cookie_no_longer_works_after_sign_out(app, people):
    lan = signed_in(app, "lan")
    saved = replay(app, lan)
    assert is_signed_in(saved)
    assert lan.post("/logout").status_code == 302
    assert not is_signed_in(lan)
    assert not is_signed_in(saved), "the cookie saved before signing out is refused"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "auth.logout")).scalar_one()
    assert event.actor_id == people["lan"].id


def test_an_administrators_password_reset_ends_sessions_and_revokes_tokens(app, people):
    lan = signed_in(app, "lan")
    _token, secret = create_token(people["lan"], "script")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/my/items", headers=bearer).status_code == 200
    admin = signed_in(app, "admin")
    page = admin.post(f"/admin/users/{people['lan'].id}/password").get_data(as_text=True)
    password = re.search(r"chỉ hiển thị một lần\): (\S+)<", page).group(1)
    assert not is_signed_in(lan), "the old cookie is refused"
    assert app.test_client().get("/api/v1/my/items", headers=bearer).status_code == 401, "the token is revoked"
    assert db.session.execute(select(ApiToken.revoked_at)).scalar() is not None
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.password_reset")).scalar_one()
    assert event.actor_id == people["admin"].id and event.object_id == people["lan"].id
    assert [t["name"] for t in event.data["tokens_revoked"]] == ["script"]
    fresh = signed_in(app, "lan", password)
    assert fresh.get("/my").headers["Location"] == "/account/password", "signed in, asked to choose a password"
    assert is_signed_in(admin), "the administrator's own session goes on"


def test_the_command_lines_new_password_ends_sessions_and_revokes_tokens(app, runner, people):
    lan = signed_in(app, "lan")
    _token, secret = create_token(people["lan"], "script")
    result = runner.invoke(args=["users", "set-password", "--username", "lan", "--password", "ngựa ô chạy qua cầu"])
    assert result.exit_code == 0, result.output
    assert not is_signed_in(lan)
    assert app.test_client().get("/api/v1/my/items", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    refused = runner.invoke(args=["users", "set-password", "--username", "lan", "--password", "Password123"])
    assert refused.exit_code == 1 and "most common" in refused.output


@pytest.mark.parametrize("change", ["disable", "role"])
def test_disabling_or_a_role_change_ends_sessions(app, people, change):
    lan = signed_in(app, "lan")
    saved = replay(app, lan)
    admin = signed_in(app, "admin")
    form = {"full_name": "", "email": "", "role": "staff", "active": "y"}
    if change == "disable":
        del form["active"]
    else:
        form["role"] = "reviewer"
    assert admin.post(f"/admin/users/{people['lan'].id}", data=form).status_code == 303
    if change == "disable":  # enabled again: the sessions from before stay ended
        form["active"] = "y"
        assert admin.post(f"/admin/users/{people['lan'].id}", data=form).status_code == 303
    assert not is_signed_in(lan) and not is_signed_in(saved)
    assert is_signed_in(signed_in(app, "lan"))


def test_an_edit_that_changes_neither_role_nor_state_keeps_sessions(app, people):
    lan = signed_in(app, "lan")
    admin = signed_in(app, "admin")
    form = {"full_name": "Nguyễn Thị Lan", "email": "", "role": "staff", "active": "y"}
    assert admin.post(f"/admin/users/{people['lan'].id}", data=form).status_code == 303
    assert is_signed_in(lan)


def test_a_session_ends_after_the_idle_lifetime(app, people):
    assert app.config["SESSION_IDLE_MINUTES"] == 60
    with frozen_at(START):
        lan = signed_in(app, "lan")
    with frozen_at(START + timedelta(minutes=59)):
        assert is_signed_in(lan)
    with frozen_at(START + timedelta(minutes=59 + 59)):
        assert is_signed_in(lan), "each request starts the idle time again"
    with frozen_at(START + timedelta(minutes=59 + 59 + 61)):
        assert not is_signed_in(lan)
    with frozen_at(START + timedelta(minutes=59 + 59 + 62)):
        assert not is_signed_in(lan), "and it stays ended"


def test_a_session_ends_after_the_absolute_lifetime_however_busy(app, people):
    assert app.config["SESSION_MAX_HOURS"] == 12
    with frozen_at(START):
        lan = signed_in(app, "lan")
    for half_hours in range(1, 24):
        with frozen_at(START + timedelta(minutes=30 * half_hours)):
            assert is_signed_in(lan)
    with frozen_at(START + timedelta(hours=12, minutes=1)):
        assert not is_signed_in(lan)


def test_the_lifetimes_are_configured_from_the_environment(tmp_path):
    settings = config.Config(
        {
            "MINHCHUNG_DATA_DIR": str(tmp_path),
            "MINHCHUNG_SESSION_IDLE_MINUTES": "15",
            "MINHCHUNG_SESSION_MAX_HOURS": "8",
        }
    )
    assert (settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS) == (15, 8)
    assert settings.PERMANENT_SESSION_LIFETIME == timedelta(hours=8), "no cookie older than that is even read"
    with pytest.raises(config.ConfigError, match="MINHCHUNG_SESSION_IDLE_MINUTES"):
        config.Config({"MINHCHUNG_DATA_DIR": str(tmp_path), "MINHCHUNG_SESSION_IDLE_MINUTES": "0"})


def test_a_new_client_address_and_browser_keep_the_session(app, people):
    """A phone moving from Wi-Fi to 4G: another address (and a browser update) does not sign it out."""
    assert app.login_manager.session_protection == "basic"
    lan = signed_in(app, "lan", environ_base={"REMOTE_ADDR": "10.0.0.5"}, headers={"User-Agent": "Phone/1"})
    assert is_signed_in(lan, environ_base={"REMOTE_ADDR": "100.64.7.9"}, headers={"User-Agent": "Phone/2"})
    assert is_signed_in(lan, environ_base={"REMOTE_ADDR": "10.0.0.5"}, headers={"User-Agent": "Phone/1"})


def test_session_protection_reads_no_forwarded_header_without_a_proxy(app):
    """MINHCHUNG_PROXY_COUNT=0: a forged X-Forwarded-For changes nothing Flask-Login compares."""
    assert app.config["PROXY_COUNT"] == 0
    identifiers = set()
    for headers in ({}, {"X-Forwarded-For": "192.0.2.1"}, {"X-Forwarded-For": "198.51.100.7, 10.0.0.1"}):
        with app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"}):
            identifiers.add(app.login_manager._session_identifier_generator())
    assert len(identifiers) == 1


def test_old_sessions_without_an_epoch_are_refused(app, people):
    """A session cookie from before this version (no epoch, no times) signs nobody in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session.update({"_user_id": str(people["lan"].id), "_fresh": True})
    assert not is_signed_in(client)
    assert db.session.get(User, people["lan"].id).session_epoch == 0
