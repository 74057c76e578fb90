"""Issue 16: probes for whoever runs the app, and a server that refuses to start where it could only fail."""

from __future__ import annotations

import shutil

import pytest
from flask_migrate import upgrade

from config import ConfigError, config_from_env
from evidence_app import create_app
from evidence_app.extensions import db
from evidence_app.health import SchemaBehind, expected_revision
from tests.conftest import build_app

PRODUCTION_SECRET = "Kq3vX9-production-secret-key-for-tests-Zm7"
PRODUCTION_AUDIT_KEY = "Ta8wN2-production-audit-key-for-tests-Yp5"


@pytest.fixture
def migrated(tmp_path, empty_database_url):
    """An app on a database built by the migrations, as in production."""
    app = build_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_healthz_answers_without_a_sign_in_or_a_cookie(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_checks_the_database_its_schema_and_the_store(migrated):
    response = migrated.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ready", body
    assert set(body["checks"]) == {"database", "schema", "store"}
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())
    assert body["checks"]["schema"]["detail"] == f"revision {expected_revision()}"
    assert "Set-Cookie" not in response.headers


def test_readyz_says_the_schema_is_not_migrated(app):
    never_migrated = app.test_client().get("/readyz")  # the test database is made from the models
    assert never_migrated.status_code == 503
    schema = never_migrated.get_json()["checks"]["schema"]
    assert not schema["ok"] and "minhchung db upgrade" in schema["detail"]


def test_readyz_says_the_store_is_gone(migrated):
    shutil.rmtree(migrated.config["STORAGE_URL"].removeprefix("file://"))
    store_gone = migrated.test_client().get("/readyz").get_json()
    assert store_gone["status"] == "not ready" and not store_gone["checks"]["store"]["ok"]
    assert store_gone["checks"]["database"]["ok"] and store_gone["checks"]["schema"]["ok"]


def test_readyz_with_the_database_down(tmp_path):
    down = build_app(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    response = down.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and not body["checks"]["database"]["ok"]
    assert body["checks"]["schema"] == {"ok": False, "detail": "no database"}


def test_a_server_refuses_to_start_on_an_outdated_schema(tmp_path, empty_database_url):
    with pytest.raises(SchemaBehind, match=r"none \(never migrated\).*minhchung db upgrade"):
        build_app(tmp_path, empty_database_url, CHECK_SCHEMA_AT_START=True)
    app = build_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade(revision="0009")
        db.session.remove()
        db.engine.dispose()
    with pytest.raises(SchemaBehind, match=f"at revision 0009, this version of Minh Chứng needs {expected_revision()}"):
        build_app(tmp_path, empty_database_url, CHECK_SCHEMA_AT_START=True)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    build_app(tmp_path, empty_database_url, CHECK_SCHEMA_AT_START=True)  # at head: it starts


def test_production_without_a_database_or_store_url_refuses_to_start(tmp_path):
    environ = {
        "MINHCHUNG_ENV": "production",
        "MINHCHUNG_DATA_DIR": str(tmp_path),
        "SECRET_KEY": PRODUCTION_SECRET,
        "MINHCHUNG_AUDIT_KEY": PRODUCTION_AUDIT_KEY,
        "MINHCHUNG_CHECK_SCHEMA": "0",
    }
    with pytest.raises(ConfigError, match="DATABASE_URL and STORAGE_URL are not set"):
        create_app(config_from_env(environ))
    with pytest.raises(ConfigError, match="^STORAGE_URL is not set"):
        create_app(config_from_env({**environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}))
    create_app(config_from_env({**environ, "MINHCHUNG_ALLOW_LOCAL_DEFAULTS": "1"}))


def test_a_production_form_over_plain_http_says_https_is_needed(tmp_path, empty_database_url):
    app = build_app(tmp_path, empty_database_url, SESSION_COOKIE_SECURE=True, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        db.session.remove()
    client = app.test_client()
    client.get("/login")  # the cookie of this answer is Secure: the browser does not send it back over HTTP
    response = client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Cần HTTPS" in page and "https://localhost/login" in page
    secure = client.post("/login", data={"username": "x", "password": "y"}, base_url="https://localhost")
    assert "Cần HTTPS" not in secure.get_data(as_text=True)
