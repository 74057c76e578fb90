"""`minhchung backup` and `minhchung restore` (issue 16): back up, lose everything, restore into an empty database
and store, and find the same rows, the same audit chain and byte-identical files. On SQLite with the local store,
and on PostgreSQL (pg_dump, pg_restore) when TEST_DATABASE_URL is set."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from evidence_app.audit import chain_head, check_chain
from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document, Review
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.files import get_storage
from evidence_app.models import AuditEvent
from evidence_app.review.operations import decide
from tests.conftest import build_app, reset_database
from tests.evidence import corpus


def _user(name: str):
    from evidence_app.auth.models import User

    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _item(code: str) -> ChecklistItem:
    return db.session.execute(select(ChecklistItem).where(ChecklistItem.code == code)).scalar_one()


def _counts() -> dict[str, int]:
    return {
        "documents": db.session.scalar(select(func.count(Document.id))),
        "reviews": db.session.scalar(select(func.count(Review.id))),
        "audit_events": db.session.scalar(select(func.count(AuditEvent.id))),
    }


@pytest.fixture
def with_evidence(app, ward, tmp_path):
    """The ward with two uploaded documents, one of them approved."""
    first = upload_document(
        corpus.pdf(tmp_path, "ke-hoach.pdf", pages=2),
        "ke-hoach.pdf",
        user=_user("cb-vh-tt"),
        items=[_item("CCHC-1.2-a")],
        fields=DocumentFields(),
    ).document
    upload_document(
        corpus.pdf(tmp_path, "bao-cao.pdf", pages=3),
        "bao-cao.pdf",
        user=_user("cb-vp-tk"),
        items=[_item("CCHC-1.1-a")],
        fields=DocumentFields(),
    )
    evidence = first.links[0]
    decide(evidence, _user("admin"), "approved", expected_version=evidence.version)
    return app


def _files() -> dict[str, bytes]:
    storage = get_storage()
    files = {}
    for key in storage.iter_keys():
        with storage.open(key) as f:
            files[key] = f.read()
    return files


def test_backup_then_restore_into_an_empty_database_and_store(with_evidence, runner, tmp_path, server_database_url):
    if server_database_url and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL's pg_dump and pg_restore are not installed")
    out = tmp_path / "backup"
    counts, head, files = _counts(), chain_head(), _files()
    assert counts["documents"] == 2 and counts["reviews"] == 1 and len(files) == 2

    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    description = json.loads((out / "backup.json").read_text(encoding="utf-8"))
    assert description["audit_head"] == head
    assert description["counts"]["documents"] == 2 and description["files"]["count"] == 2
    assert (out / ("database.dump" if server_database_url else "database.sqlite3")).is_file()
    for key, data in files.items():
        assert (out / "files" / key).read_bytes() == data

    # Everything is lost: the database and the store.
    db.session.remove()
    db.engine.dispose()
    if server_database_url:
        reset_database(server_database_url)
        database_url = server_database_url
    else:
        database_url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    new = build_app(tmp_path / "new", database_url)
    with new.app_context():
        assert list(get_storage().iter_keys()) == []
        result = new.test_cli_runner().invoke(args=["restore", str(out)])
        assert result.exit_code == 0, result.output
        assert "storage verify: ok" in result.output and "audit verify: ok" in result.output
        assert _counts() == counts
        assert chain_head() == head
        assert check_chain().intact
        assert _files() == files  # byte-identical, under the same keys
        db.session.remove()
        db.engine.dispose()


def test_backup_refuses_a_folder_that_is_not_empty(with_evidence, runner, tmp_path):
    out = tmp_path / "used"
    out.mkdir()
    (out / "something").write_text("x")
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 1
    assert "not an empty folder" in result.output
    assert [p.name for p in out.iterdir()] == ["something"]


def test_restore_refuses_a_database_that_is_not_empty(with_evidence, runner, tmp_path):
    out = tmp_path / "backup"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    before = _counts()
    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code == 1
    assert "the database is not empty" in result.output
    assert _counts() == before


def test_restore_refuses_a_folder_that_is_no_backup(app, runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path)])
    assert result.exit_code == 1
    assert "no backup of Minh Chứng" in result.output


def test_restore_fails_when_a_file_of_the_backup_was_altered(with_evidence, runner, tmp_path, server_database_url):
    if server_database_url and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL's pg_dump and pg_restore are not installed")
    out = tmp_path / "backup"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    victim = next(p for p in (out / "files").rglob("*") if p.is_file())
    victim.write_bytes(b"not the document")
    db.session.remove()
    db.engine.dispose()
    if server_database_url:
        reset_database(server_database_url)
    new = build_app(tmp_path / "new", server_database_url or f"sqlite:///{tmp_path / 'new.sqlite3'}")
    with new.app_context():
        result = new.test_cli_runner().invoke(args=["restore", str(out)])
        assert result.exit_code == 1
        assert "damaged" in result.output
        db.session.remove()
        db.engine.dispose()
