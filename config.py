"""Configuration of Minh Chứng, read from the environment (and a `.env` file if present).

`Config` is the embedded default (SQLite and files in the data directory), `ProductionConfig` refuses to
start without a real secret key, `TestConfig` is what the test suite builds apps from.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret", "minhchung", "please-change-me"}
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which variable and what to do."""


def _load_env_file() -> None:
    # A .env in the working directory, never overriding what the environment already says.
    load_dotenv(Path.cwd() / ".env", override=False)


def _int(environ: dict, name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from None


class Config:
    """The embedded default: SQLite and the local disk inside the data directory."""

    ENV_NAME = "development"
    TESTING = False

    def __init__(self, environ: dict | None = None) -> None:
        if environ is None:
            _load_env_file()
            environ = dict(os.environ)
        self.DATA_DIR = Path(environ.get("MINHCHUNG_DATA_DIR") or "instance").resolve()
        self.SQLALCHEMY_DATABASE_URI = environ.get("DATABASE_URL") or f"sqlite:///{self.DATA_DIR / 'minhchung.sqlite3'}"
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.STORAGE_URL = environ.get("STORAGE_URL") or (self.DATA_DIR / "files").as_uri()
        self.SECRET_KEY = environ.get("SECRET_KEY", "")
        self.MAX_UPLOAD_MB = _int(environ, "MINHCHUNG_MAX_UPLOAD_MB", 50)
        self.MAX_CONTENT_LENGTH = (self.MAX_UPLOAD_MB + 1) * 1024 * 1024
        # the largest image accepted, in pixels, checked on its header before decoding (a 50 MP photo passes)
        self.MAX_IMAGE_PIXELS = _int(environ, "MINHCHUNG_MAX_IMAGE_PIXELS", 52_000_000)
        self.BABEL_DEFAULT_LOCALE = "vi"
        self.BABEL_DEFAULT_TIMEZONE = environ.get("MINHCHUNG_TIMEZONE") or "Asia/Ho_Chi_Minh"
        self.LANGUAGES = ("vi", "en")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_ENABLED = True
        self.SMTP_HOST = environ.get("MINHCHUNG_SMTP_HOST") or None  # unset: `minhchung remind` prints
        self.SMTP_PORT = _int(environ, "MINHCHUNG_SMTP_PORT", 587)
        self.SMTP_USER = environ.get("MINHCHUNG_SMTP_USER") or None
        self.SMTP_PASSWORD = environ.get("MINHCHUNG_SMTP_PASSWORD") or None
        self.SMTP_STARTTLS = (environ.get("MINHCHUNG_SMTP_STARTTLS") or "true").lower() in ("1", "true", "yes")
        self.MAIL_FROM = environ.get("MINHCHUNG_MAIL_FROM") or "minhchung@localhost"
        self.LOG_LEVEL = environ.get("MINHCHUNG_LOG_LEVEL") or "INFO"  # DEBUG, INFO, WARNING, ERROR
        self.PROXY_COUNT = _int(environ, "MINHCHUNG_PROXY_COUNT", 0)  # reverse proxies in front (for client addresses)
        # Argon2id parameters (argon2-cffi's defaults, RFC 9106's second recommendation); slow on purpose.
        self.PASSWORD_HASH_PARAMETERS = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}

    def prepare(self) -> None:
        """Create the data directory and settle the secret key (called once by create_app)."""
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///") or self.STORAGE_URL.startswith("file://"):
            self.DATA_DIR.mkdir(parents=True, exist_ok=True)
        if not self.SECRET_KEY:
            self.SECRET_KEY = self._generated_secret_key()

    def _generated_secret_key(self) -> str:
        """A random key kept in the data directory, so sessions survive a restart of the demo."""
        self.DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = self.DATA_DIR / "secret_key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self, environ: dict | None = None) -> None:
        super().__init__(environ)
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True

    def prepare(self) -> None:
        key = self.SECRET_KEY
        if key.strip().lower() in DEFAULT_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                "SECRET_KEY is missing or is a default value, and MINHCHUNG_ENV=production requires a real one. "
                f"Set SECRET_KEY to a random string of at least {MIN_SECRET_KEY_LENGTH} characters, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        super().prepare()


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True

    def __init__(self, environ: dict | None = None, *, data_dir: Path | str, database_url: str | None = None) -> None:
        environ = dict(environ or {})
        environ["MINHCHUNG_DATA_DIR"] = str(data_dir)
        if database_url:
            environ["DATABASE_URL"] = database_url
        environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-tests")
        super().__init__(environ)
        self.WTF_CSRF_ENABLED = False
        # The smallest Argon2 cost: a test user then costs microseconds instead of a second.
        self.PASSWORD_HASH_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def config_from_env(environ: dict | None = None) -> Config:
    """The configuration named by MINHCHUNG_ENV (`production` or the development default)."""
    if environ is None:
        _load_env_file()
        environ = dict(os.environ)
    env = (environ.get("MINHCHUNG_ENV") or "development").strip().lower()
    if env == "production":
        return ProductionConfig(environ)
    if env in ("development", "dev", ""):
        return Config(environ)
    raise ConfigError(f"MINHCHUNG_ENV={env!r} is not known: use 'production' or leave it unset.")
