"""Personal API tokens: shown once, stored hashed, revocable, with a last-used time; the CLI and the page that
make them; the session as the other way in, which must carry the CSRF token to change anything."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from evidence_app.api.models import ApiToken
from evidence_app.api.operations import create_token
from evidence_app.catalog.models import Criterion
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, User
from tests.conftest import build_app
from tests.helpers import PASSWORD


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_the_cli_prints_a_token_once_and_keeps_only_its_hash(ward, runner, client):
    result = runner.invoke(args=["tokens", "create", "--user", "cb-vp-tk", "--name", "máy quét"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("mc_") and len(secret) > 40
    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.token_hash, stored.prefix, stored.name} and secret.startswith(stored.prefix)
    assert stored.last_used_at is None

    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json["username"] == "cb-vp-tk" and response.json["unit"]["code"] == "gieng-day"
    assert "Set-Cookie" not in response.headers, "a token request opens no session"
    db.session.expire_all()
    assert db.session.get(ApiToken, stored.id).last_used_at is not None

    listed = runner.invoke(args=["tokens", "list", "--user", "cb-vp-tk"])
    assert stored.prefix in listed.output and "máy quét" in listed.output and secret not in listed.output
    assert runner.invoke(args=["tokens", "create", "--user", "nobody"]).exit_code != 0

    revoked = runner.invoke(args=["tokens", "revoke", str(stored.id)])
    assert revoked.exit_code == 0, revoked.output
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_token"
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.action.like("token.%"))).scalars().all()
    assert actions == ["token.create", "token.revoke"]


@pytest.mark.parametrize("header", ["Bearer mc_not-a-real-token", "Basic Y2I6cGFzcw==", "Bearer", ""])
def test_bad_credentials_are_refused_in_both_languages(ward, client, header):
    response = client.get("/api/v1/indices", headers={"Authorization": header})
    assert response.status_code == 401
    error = response.json["error"]
    assert error["code"] == "invalid_token"
    assert error["message"] != error["message_en"] and "token" in error["message_en"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_at_all(ward, client):
    response = client.get("/api/v1/my/items")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthenticated"
    assert client.get("/api/v1/openapi.json").status_code == 200, "the description itself is public"


def test_a_disabled_users_token_stops_working(ward, client):
    _token, secret = create_token(user("cb-vp-tk"), "script")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    user("cb-vp-tk").active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def csrf_app(tmp_path, ward):
    """The app as it runs in production, with CSRF protection on (the test config turns it off). Its requests
    run in contexts of their own; the test reads the same database through the `app` fixture's session."""
    app = build_app(tmp_path / "csrf", db.engine.url.render_as_string(hide_password=False), WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def _signed_in(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(page)})
    assert response.status_code == 302
    return client


def test_the_token_page_shows_a_new_token_once_and_revokes_it(csrf_app):
    client = _signed_in(csrf_app, "cb-vp-tk")
    page = client.get("/account/tokens/")
    assert page.status_code == 200
    token = _csrf(page.get_data(as_text=True))
    assert client.post("/account/tokens/", data={"name": "không có mã"}).status_code == 400, "CSRF is required"
    created = client.post("/account/tokens/", data={"name": "Excel của bộ phận", "csrf_token": token})
    assert created.status_code == 201
    secret = re.search(r'id="new-token">(mc_[^<]+)<', created.get_data(as_text=True)).group(1)
    again = client.get("/account/tokens/").get_data(as_text=True)
    assert "Excel của bộ phận" in again and secret not in again, "the secret is shown once"

    api = csrf_app.test_client()
    assert api.get("/api/v1/me", headers=bearer(secret)).json["username"] == "cb-vp-tk"
    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert client.post(f"/account/tokens/{stored.id}/revoke").status_code == 400, "CSRF is required"
    assert client.post(f"/account/tokens/{stored.id}/revoke", data={"csrf_token": token}).status_code == 303
    assert api.get("/api/v1/me", headers=bearer(secret)).status_code == 401

    other = _signed_in(csrf_app, "reviewer")
    other_token = _csrf(other.get("/account/tokens/").get_data(as_text=True))
    theirs, _secret = create_token(user("cb-vp-tk"), "not yours")
    response = other.post(f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": other_token})
    assert response.status_code == 404, "nobody revokes another person's token"
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_a_session_needs_the_csrf_header_to_change_anything_and_a_token_does_not(csrf_app):
    client = _signed_in(csrf_app, "reviewer")
    c = db.session.execute(select(Criterion).where(Criterion.code == "1.2")).scalar_one()
    assert client.get("/api/v1/me").json["username"] == "reviewer", "the pages' own calls use the session"
    url = f"/api/v1/criteria/{c.id}/self-score"
    refused = client.put(url, json={"score": 6})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    token = _csrf(client.get("/account/tokens/").get_data(as_text=True))
    accepted = client.put(url, json={"score": 6}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.json["score"] == 6
    _t, secret = create_token(user("reviewer"), "script")
    scripted = csrf_app.test_client().put(url, json={"score": 7}, headers=bearer(secret))
    assert scripted.status_code == 200 and scripted.json["score"] == 7
