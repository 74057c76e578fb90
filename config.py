"""Configuration of Minh Chứng, read from the environment (and a `.env` file if present).

`Config` is the embedded default (SQLite and files in the data directory), `ProductionConfig` refuses to
start without a real secret key, `TestConfig` is what the test suite builds apps from.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret", "minhchung", "please-change-me"}
MIN_SECRET_KEY_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 12  # a random key of 32 characters has about 25; "aaaa…" or "abab…" has 1 or 2


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which variable and what to do."""


def _load_env_file() -> None:
    # A .env in the working directory, never overriding what the environment already says.
    load_dotenv(Path.cwd() / ".env", override=False)


def _int(environ: dict, name: str, default: int, *, minimum: int | None = None) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={raw!r} is too small: use a whole number of at least {minimum}.")
    return value


def engine_options(database_url: str, connect_timeout: int, statement_timeout: int) -> dict:
    """SQLAlchemy's engine options: connections checked before use and, on PostgreSQL, every wait bounded — a
    server that does not answer fails the request within `connect_timeout` seconds (an error page, HTTP 503)
    instead of hanging it, and no statement runs longer than `statement_timeout` seconds (0: no limit)."""
    options: dict = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        options["pool_timeout"] = connect_timeout  # waiting for a free connection of the pool
        options["connect_args"] = {
            "connect_timeout": connect_timeout,
            "options": f"-c statement_timeout={statement_timeout * 1000}",
        }
    return options


def _positive(environ: dict, name: str, default: int) -> int:
    value = _int(environ, name, default)
    if value < 1:
        raise ConfigError(f"{name}={value} must be at least 1.")
    return value


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
        self.DB_CONNECT_TIMEOUT = _int(environ, "MINHCHUNG_DB_CONNECT_TIMEOUT", 3, minimum=1)
        self.DB_STATEMENT_TIMEOUT = _int(environ, "MINHCHUNG_DB_STATEMENT_TIMEOUT", 30, minimum=0)
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(
            self.SQLALCHEMY_DATABASE_URI, self.DB_CONNECT_TIMEOUT, self.DB_STATEMENT_TIMEOUT
        )
        self.STORAGE_URL = environ.get("STORAGE_URL") or (self.DATA_DIR / "files").as_uri()
        self.SECRET_KEY = environ.get("SECRET_KEY", "")
        # Keys the audit trail's hashes (HMAC-SHA256); never stored in the database, so that its owner cannot
        # recompute the chain after a rewrite. Unset outside production: derived from SECRET_KEY in prepare().
        self.AUDIT_KEY = environ.get("MINHCHUNG_AUDIT_KEY", "")
        self.MAX_UPLOAD_MB = _int(environ, "MINHCHUNG_MAX_UPLOAD_MB", 50)
        self.MAX_CONTENT_LENGTH = (self.MAX_UPLOAD_MB + 1) * 1024 * 1024
        # files in one upload of the page (each is checked and stored in turn, within the request's time)
        self.MAX_FILES_PER_UPLOAD = _int(environ, "MINHCHUNG_MAX_FILES_PER_UPLOAD", 20, minimum=1)
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
        self.LOG_FORMAT = (environ.get("MINHCHUNG_LOG_FORMAT") or "text").strip().lower()
        if self.LOG_FORMAT not in ("text", "json"):
            raise ConfigError(f"MINHCHUNG_LOG_FORMAT={self.LOG_FORMAT!r} is not known: use text or json.")
        # Sessions end after this long without a request, and this long after signing in, whatever happens.
        self.SESSION_IDLE_MINUTES = _positive(environ, "MINHCHUNG_SESSION_IDLE_MINUTES", 60)
        self.SESSION_MAX_HOURS = _positive(environ, "MINHCHUNG_SESSION_MAX_HOURS", 12)
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=self.SESSION_MAX_HOURS)  # older cookies are not even read
        self.PROXY_COUNT = _int(environ, "MINHCHUNG_PROXY_COUNT", 0)  # reverse proxies in front (for client addresses)
        # A server refuses to start on a schema older (or newer) than its migrations; `minhchung` commands do not
        # check (`db upgrade` must run on one).
        self.CHECK_SCHEMA_AT_START = (environ.get("MINHCHUNG_CHECK_SCHEMA") or "1") not in ("0", "false", "no")
        # Production without DATABASE_URL or STORAGE_URL would quietly use SQLite and the disk in the working
        # directory; it must be asked for.
        self.LOCAL_DEFAULTS_ALLOWED = (environ.get("MINHCHUNG_ALLOW_LOCAL_DEFAULTS") or "") in ("1", "true", "yes")
        self.UNSET_LOCATIONS = [name for name in ("DATABASE_URL", "STORAGE_URL") if not environ.get(name)]
        # Reading documents (evidence/reading): text, OCR, signatures. With MINHCHUNG_REDIS_URL the work goes to RQ
        # workers (`minhchung reading worker`); without it, to a thread of the app itself (the embedded demo).
        self.REDIS_URL = environ.get("MINHCHUNG_REDIS_URL") or None
        self.READING_MODE = (environ.get("MINHCHUNG_READING") or ("rq" if self.REDIS_URL else "thread")).lower()
        if self.READING_MODE not in ("rq", "thread", "inline", "off"):
            raise ConfigError(f"MINHCHUNG_READING={self.READING_MODE!r} is not known: use rq, thread, inline or off.")
        if self.READING_MODE == "rq" and not self.REDIS_URL:
            raise ConfigError("MINHCHUNG_READING=rq needs MINHCHUNG_REDIS_URL (e.g. redis://127.0.0.1:6379/0).")
        # A folder of CA certificates (PEM or DER) that digital signatures must chain to; none shipped.
        self.TRUST_ROOTS = environ.get("MINHCHUNG_TRUST_ROOTS") or None
        self.OCR_LANGUAGES = environ.get("MINHCHUNG_OCR_LANGUAGES") or "vie"  # Tesseract's language data
        # Argon2id parameters (argon2-cffi's defaults, RFC 9106's second recommendation); slow on purpose.
        self.PASSWORD_HASH_PARAMETERS = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}

    def prepare(self) -> None:
        """Create the data directory and settle the secret key (called once by create_app)."""
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///") or self.STORAGE_URL.startswith("file://"):
            self.DATA_DIR.mkdir(parents=True, exist_ok=True)
        if not self.SECRET_KEY:
            self.SECRET_KEY = self._generated_secret_key()
        if not self.AUDIT_KEY:
            self.AUDIT_KEY = hmac.new(self.SECRET_KEY.encode(), b"minhchung audit key", hashlib.sha256).hexdigest()

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
        for name, key in (("SECRET_KEY", self.SECRET_KEY), ("MINHCHUNG_AUDIT_KEY", self.AUDIT_KEY)):
            if key.strip().lower() in DEFAULT_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
                raise ConfigError(
                    f"{name} is missing or is a default value, and MINHCHUNG_ENV=production requires a real one. "
                    f"Set {name} to a random string of at least {MIN_SECRET_KEY_LENGTH} characters, e.g. the output "
                    "of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
                )
            if len(set(key)) < MIN_DISTINCT_CHARACTERS:
                raise ConfigError(
                    f"{name} looks weak: it has only {len(set(key))} different characters. Set it to a random "
                    "string, e.g. the output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
                )
        if self.UNSET_LOCATIONS and not self.LOCAL_DEFAULTS_ALLOWED:
            names = " and ".join(self.UNSET_LOCATIONS)
            raise ConfigError(
                f"{names} {'is' if len(self.UNSET_LOCATIONS) == 1 else 'are'} not set, and MINHCHUNG_ENV=production "
                "would then keep data in SQLite and files on this disk, in the working directory. Set "
                f"{names} (docs/production.md), or MINHCHUNG_ALLOW_LOCAL_DEFAULTS=1 if that is really what you want."
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
        environ.setdefault("MINHCHUNG_AUDIT_KEY", "test-audit-key-that-is-long-enough-for-tests")
        super().__init__(environ)
        self.WTF_CSRF_ENABLED = False
        self.CHECK_SCHEMA_AT_START = False  # test databases are made from the models; tests/test_health.py checks it
        if "MINHCHUNG_READING" not in environ:
            self.READING_MODE = "off"  # OCR costs seconds a file; tests of reading ask for "inline" (done on upload)
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
