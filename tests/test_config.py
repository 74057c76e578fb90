"""Configuration from the environment: the embedded default, DATABASE_URL and STORAGE_URL overrides, a
generated secret key kept in the data directory, and a production start-up that refuses a default key."""

from __future__ import annotations

import os
import stat

import pytest

from config import Config, ConfigError, ProductionConfig, config_from_env
from evidence_app import create_app

PRODUCTION_SECRET = "Kq3vX9-production-secret-key-for-tests-Zm7"
PRODUCTION_AUDIT_KEY = "Ta8wN2-production-audit-key-for-tests-Yp5"


def test_defaults_live_in_the_data_directory(tmp_path):
    config = Config({"MINHCHUNG_DATA_DIR": str(tmp_path / "inst")})
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'inst' / 'minhchung.sqlite3'}"
    assert config.STORAGE_URL == (tmp_path / "inst" / "files").as_uri()
    assert config.MAX_UPLOAD_MB == 50


def test_environment_overrides(tmp_path):
    config = Config(
        {
            "MINHCHUNG_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql+psycopg://u@db/minhchung",
            "STORAGE_URL": "s3://evidence?endpoint_url=http://127.0.0.1:9000",
            "MINHCHUNG_MAX_UPLOAD_MB": "200",
        }
    )
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@db/minhchung"
    assert config.STORAGE_URL.startswith("s3://evidence")
    assert config.MAX_UPLOAD_MB == 200


def test_bad_number_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="MINHCHUNG_MAX_UPLOAD_MB='lots' is not a whole number"):
        Config({"MINHCHUNG_DATA_DIR": str(tmp_path), "MINHCHUNG_MAX_UPLOAD_MB": "lots"})


def test_bounded_waits_for_the_database_and_the_upload_size(tmp_path):
    """Issue 13, finding 5: PostgreSQL connections had no connect or statement timeout (a hung server hung every
    request); an upload had no cap on its number of files."""
    base = {"MINHCHUNG_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://minhchung@db/minhchung"}
    config = Config(base)
    assert (config.DB_CONNECT_TIMEOUT, config.DB_STATEMENT_TIMEOUT, config.MAX_FILES_PER_UPLOAD) == (3, 30, 20)
    assert config.SQLALCHEMY_ENGINE_OPTIONS == {
        "pool_pre_ping": True,
        "pool_timeout": 3,
        "connect_args": {"connect_timeout": 3, "options": "-c statement_timeout=30000"},
    }
    config = Config(
        {
            **base,
            "MINHCHUNG_DB_CONNECT_TIMEOUT": "5",
            "MINHCHUNG_DB_STATEMENT_TIMEOUT": "0",
            "MINHCHUNG_MAX_FILES_PER_UPLOAD": "50",
        }
    )
    assert config.SQLALCHEMY_ENGINE_OPTIONS["connect_args"] == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=0",  # 0: no limit (e.g. for a long migration)
    }
    assert config.MAX_FILES_PER_UPLOAD == 50
    sqlite = Config({"MINHCHUNG_DATA_DIR": str(tmp_path)})  # SQLite waits on locks by its own busy timeout
    assert sqlite.SQLALCHEMY_ENGINE_OPTIONS == {"pool_pre_ping": True}
    for name, value in (
        ("MINHCHUNG_DB_CONNECT_TIMEOUT", "0"),
        ("MINHCHUNG_DB_STATEMENT_TIMEOUT", "-1"),
        ("MINHCHUNG_MAX_FILES_PER_UPLOAD", "0"),
    ):
        with pytest.raises(ConfigError, match=f"{name}='{value}' is too small: use a whole number of at least"):
            Config({**base, name: value})


def test_generated_secret_key_is_kept_private_and_reused(tmp_path):
    first = Config({"MINHCHUNG_DATA_DIR": str(tmp_path)})
    first.prepare()
    key_file = tmp_path / "secret_key"
    assert len(first.SECRET_KEY) >= 32 and key_file.read_text() == first.SECRET_KEY
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = Config({"MINHCHUNG_DATA_DIR": str(tmp_path)})
    second.prepare()
    assert second.SECRET_KEY == first.SECRET_KEY


@pytest.mark.parametrize("key", [None, "", "dev", "change-me", "short-key"])
def test_production_refuses_a_missing_or_default_secret_key(tmp_path, key):
    environ = {"MINHCHUNG_ENV": "production", "MINHCHUNG_DATA_DIR": str(tmp_path)}
    if key is not None:
        environ["SECRET_KEY"] = key
    config = config_from_env(environ)
    assert isinstance(config, ProductionConfig)
    with pytest.raises(ConfigError, match="SECRET_KEY is missing or is a default value"):
        create_app(config)
    assert not (tmp_path / "secret_key").exists(), "production never invents a key"


@pytest.mark.parametrize("name", ["SECRET_KEY", "MINHCHUNG_AUDIT_KEY"])
@pytest.mark.parametrize("key", ["a" * 36, "ab" * 20, "0123456789" * 4])
def test_production_refuses_a_long_but_weak_key(tmp_path, name, key):
    environ = {
        "MINHCHUNG_ENV": "production",
        "MINHCHUNG_DATA_DIR": str(tmp_path),
        "SECRET_KEY": PRODUCTION_SECRET,
        "MINHCHUNG_AUDIT_KEY": PRODUCTION_AUDIT_KEY,
        name: key,
    }
    with pytest.raises(ConfigError, match=f"^{name} looks weak: it has only {len(set(key))} different characters"):
        create_app(config_from_env(environ))


def test_production_with_a_real_key_starts_with_secure_cookies(tmp_path):
    config = config_from_env(
        {
            "MINHCHUNG_ENV": "production",
            "MINHCHUNG_DATA_DIR": str(tmp_path),
            "SECRET_KEY": PRODUCTION_SECRET,
            "MINHCHUNG_AUDIT_KEY": PRODUCTION_AUDIT_KEY,
            "MINHCHUNG_ALLOW_LOCAL_DEFAULTS": "1",
            "MINHCHUNG_CHECK_SCHEMA": "0",
        }
    )
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SECRET_KEY"] == PRODUCTION_SECRET and app.config["AUDIT_KEY"] == PRODUCTION_AUDIT_KEY


@pytest.mark.parametrize("key", [None, "", "change-me", "short-key"])
def test_production_refuses_a_missing_or_default_audit_key(tmp_path, key):
    """Issue 13, finding 2: the audit trail's hashes are keyed with a key the database never holds."""
    environ = {"MINHCHUNG_ENV": "production", "MINHCHUNG_DATA_DIR": str(tmp_path), "SECRET_KEY": PRODUCTION_SECRET}
    if key is not None:
        environ["MINHCHUNG_AUDIT_KEY"] = key
    with pytest.raises(ConfigError, match="MINHCHUNG_AUDIT_KEY is missing or is a default value"):
        create_app(config_from_env(environ))


def test_outside_production_the_audit_key_is_derived_from_the_secret_key(tmp_path):
    first, second = Config({"MINHCHUNG_DATA_DIR": str(tmp_path)}), Config({"MINHCHUNG_DATA_DIR": str(tmp_path)})
    first.prepare()
    second.prepare()
    assert len(first.AUDIT_KEY) == 64 and first.AUDIT_KEY == second.AUDIT_KEY != first.SECRET_KEY
    assert first.AUDIT_KEY not in (tmp_path / "secret_key").read_text()


def test_unknown_environment_name(tmp_path):
    with pytest.raises(ConfigError, match="MINHCHUNG_ENV='staging' is not known"):
        config_from_env({"MINHCHUNG_ENV": "staging"})


def test_dotenv_file_is_read_without_overriding_the_environment(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:////tmp/from-dotenv.sqlite3\nMINHCHUNG_MAX_UPLOAD_MB=7\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("MINHCHUNG_MAX_UPLOAD_MB", raising=False)
    monkeypatch.setenv("MINHCHUNG_DATA_DIR", str(tmp_path / "inst"))
    monkeypatch.setenv("MINHCHUNG_MAX_UPLOAD_MB", "9")
    try:
        config = config_from_env()
        assert config.SQLALCHEMY_DATABASE_URI == "sqlite:////tmp/from-dotenv.sqlite3"
        assert config.MAX_UPLOAD_MB == 9
    finally:
        os.environ.pop("DATABASE_URL", None)  # load_dotenv wrote it into this process's environment


def test_a_server_says_at_start_which_database_and_store_it_uses_without_secrets(tmp_path, caplog):
    import logging

    from evidence_app import create_app

    config = Config(
        {
            "MINHCHUNG_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql+psycopg://minhchung:s3cret@db.example:5432/minhchung",
            "STORAGE_URL": "s3://evidence?endpoint_url=http://s3.example",
            "MINHCHUNG_CHECK_SCHEMA": "0",  # nothing answers at db.example
        }
    )
    with caplog.at_level(logging.INFO, logger="evidence_app"):
        create_app(config)
    [line] = [r.getMessage() for r in caplog.records if "database" in r.getMessage()]
    assert "db.example:5432/minhchung" in line and "s3://evidence" in line
    assert "s3cret" not in line


def test_a_new_worker_uses_the_templates_another_one_compiled(tmp_path, monkeypatch):
    """gunicorn's workers, and the same workers after a restart, share the compiled templates of the data directory."""
    settings = {
        "MINHCHUNG_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "a-secret-key-long-enough-for-the-tests-0123",
        "MINHCHUNG_CHECK_SCHEMA": "0",  # no database needed to load templates
    }
    first = create_app(Config(settings))
    with first.test_request_context():
        first.jinja_env.get_template("auth/login.html")
    assert list((tmp_path / "cache" / "templates").iterdir()), "compiled templates kept in the data directory"

    def compile_again(*args, **kwargs):
        raise AssertionError("a template compiled again")

    second = create_app(Config(settings))
    monkeypatch.setattr(second.jinja_env, "compile", compile_again)
    with second.test_request_context():
        assert second.jinja_env.get_template("auth/login.html").render  # loaded from the first worker's code
