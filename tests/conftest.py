"""Fixtures: apps built from create_app(TestConfig) on SQLite (default) or on PostgreSQL when
TEST_DATABASE_URL is set — in which case an unreachable server fails the run instead of skipping it."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from flask import g
from hypothesis import settings as hypothesis_settings

from config import TestConfig
from evidence_app import create_app
from evidence_app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
# Property tests: a fast profile for every run and CI (40 examples each, a failure printed with its
# reproduction blob); `HYPOTHESIS_PROFILE=thorough` (3000 each, ~15 minutes) on demand.
hypothesis_settings.register_profile("fast", max_examples=40, deadline=None, print_blob=True)
hypothesis_settings.register_profile("thorough", max_examples=3000, deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))
pytest_plugins = ["tests.s3_servers"]


def reset_database(url: str) -> None:
    """Drop every table (ours and Alembic's) so a test starts from an empty database."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            meta = sa.MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)
    engine.dispose()


@pytest.fixture(scope="session")
def server_database_url():
    """The PostgreSQL URL of this run, checked once: set but unreachable is an error, never a skip."""
    if TEST_DATABASE_URL is None:
        return None
    engine = sa.create_engine(TEST_DATABASE_URL)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"TEST_DATABASE_URL is set but the database does not answer: {exc}", pytrace=False)
    finally:
        engine.dispose()
    return _database_of_this_worker(TEST_DATABASE_URL)


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker resets its own database (`test_gw0`, …), created beside the given one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def empty_database_url(tmp_path, server_database_url):
    """A database with no tables at all: PostgreSQL when configured, otherwise a new SQLite file."""
    if server_database_url:
        reset_database(server_database_url)
        return server_database_url
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def build_app(tmp_path: Path, database_url: str | None, **overrides):
    config = TestConfig(data_dir=tmp_path / "data", database_url=database_url)
    for name, value in overrides.items():
        setattr(config, name, value)
    app = create_app(config)

    def forget_the_previous_requests_user():
        # The tests keep an app context open, and requests made inside it share its `g`, where Flask-Login
        # caches the signed-in user: without this, a second test client would act as the first one's user.
        g.pop("_login_user", None)

    # First of all: the app's own hooks read current_user (auth.routes.password_change_first).
    app.before_request_funcs.setdefault(None, []).insert(0, forget_the_previous_requests_user)

    return app


@pytest.fixture
def app(tmp_path, server_database_url, sqlite_schema):
    if server_database_url:
        reset_database(server_database_url)
    else:  # a copy of the empty schema, where creating it would cost most of a small test's time
        (tmp_path / "data").mkdir()
        shutil.copyfile(sqlite_schema, tmp_path / "data" / "minhchung.sqlite3")
    app = build_app(tmp_path, server_database_url)
    with app.app_context():
        if server_database_url:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """An SQLite file with every table and trigger of the models and nothing in them, made once per process."""
    folder = tmp_path_factory.mktemp("schema")
    template = build_app(folder, f"sqlite:///{folder / 'schema.sqlite3'}")
    with template.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return folder / "schema.sqlite3"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- a small catalog, as a dict that tests can alter before writing it out

MINI_CATALOG = {
    "format": 1,
    "departments": [
        {"code": "vp-tk", "name": "Văn phòng – Thống kê"},
        {"code": "vh-tt", "name": "Văn hoá – Thông tin"},
    ],
    "index": {
        "code": "CCHC",
        "name": "Chỉ số cải cách hành chính",
        "year": 2024,
        "max_points": 20,
        "assessment_date": "2024-12-15",
        "deviation": {"threshold_percent": 5, "penalty_points": 1, "source": "Kế hoạch kiểm thử, mục 2"},
        "last_year": {"year": 2023, "score": 15.84},
    },
    "areas": [
        {
            "code": "1",
            "name": "Chỉ đạo, điều hành",
            "max_points": 12,
            "last_year_score": 9.5,
            "loss_causes": ["Báo cáo Quý I quá hạn"],
            "criteria": [
                {
                    "code": "1.1",
                    "title": "Báo cáo CCHC định kỳ",
                    "max_points": 4,
                    "last_year_score": 1.5,
                    "points_estimated": True,
                    "department": "vp-tk",
                    "rule": {"type": "deduction", "per_violation": 1.25},
                    "loss_causes": [{"type": "late_report", "text": "Báo cáo Quý I quá hạn"}],
                    "items": [
                        {
                            "code": "CCHC-1.1-a",
                            "title": "Báo cáo CCHC Quý I/2024",
                            "checks": "Ký số; gửi trước hạn",
                            "owner": "vp-tk",
                            "report": {
                                "period": "Quý I/2024",
                                "deadline": "2024-03-14",
                                "source": "Kế hoạch kiểm thử, mục 1",
                            },
                        },
                        {
                            "code": "CCHC-1.1-b",
                            "title": "Báo cáo CCHC năm 2024",
                            "checks": "Ký số; gửi trước hạn",
                            "owner": "vp-tk",
                            "report": {
                                "period": "Năm 2024",
                                "deadline": "2024-12-05",
                                "source": "Kế hoạch kiểm thử, mục 1",
                            },
                        },
                    ],
                },
                {
                    "code": "1.2",
                    "title": "Tuyên truyền CCHC",
                    "max_points": 8,
                    "last_year_score": 8,
                    "rule": {"type": "binary"},
                    "department": "vh-tt",
                    "items": [
                        {
                            "code": "CCHC-1.2-a",
                            "title": "Kế hoạch tuyên truyền",
                            "checks": "Có dấu, chữ ký",
                            "owner": "vh-tt",
                            "due": "2024-04-30",
                        }
                    ],
                },
            ],
        },
        {
            "code": "2",
            "name": "Chính quyền số",
            "max_points": 8,
            "last_year_score": 6.34,
            "criteria": [
                {
                    "code": "2.1",
                    "title": "Tỷ lệ số hoá hồ sơ",
                    "max_points": 7.5,
                    "last_year_score": 6.34,
                    "rule": {
                        "type": "percentage_tiers",
                        "tiers": [{"min_percent": 100, "fraction": 1}, {"min_percent": 90, "fraction": 0.5}],
                    },
                    "items": [
                        {
                            "code": "CCHC-2.1-a",
                            "title": "Thống kê số hoá",
                            "checks": "Trích xuất từ hệ thống",
                            "owner": "vp-tk",
                            "due": "2024-11-30",
                        }
                    ],
                },
                {
                    "code": "2.2",
                    "title": "Tiêu chí không áp dụng",
                    "max_points": 0.5,
                    "rule": {"type": "not_applicable"},
                },
            ],
        },
    ],
}


@pytest.fixture
def catalog_dict():
    return copy.deepcopy(MINI_CATALOG)


@pytest.fixture
def write_catalog(tmp_path):
    def write(data, name="catalog.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


# The ward most tests work in: the small catalog above, and one user of each kind. Tests that need another
# shape of ward define their own `ward` fixture, which overrides this one in their module.
WARD_USERS = (
    ("cb-vp-tk", "staff", ["vp-tk"]),
    ("cb-vh-tt", "staff", ["vh-tt"]),
    ("reviewer", "reviewer", ["vp-tk"]),
    ("reviewer2", "reviewer", []),
    ("admin", "admin", []),
)


@pytest.fixture
def ward(app, catalog_dict, write_catalog):
    from tests.helpers import import_file, make_unit, make_user

    unit = make_unit()
    import_file(write_catalog(catalog_dict), unit)
    for username, role, departments in WARD_USERS:
        make_user(unit, username, role=role, departments=departments)
    return unit
