"""Backup and restore (`minhchung backup`, `minhchung restore`): the database and the evidence files, consistent.

Order matters. The database is dumped first (SQLite: the online backup API; PostgreSQL: `pg_dump` of an exported
snapshot); the list of files to copy (the manifest) is read from that dumped state, so a file uploaded after the dump
is not needed and every file the dump refers to is. The files are then read from the store through the Storage
interface (local disk or S3 alike) and checked against their content keys. Restore goes the same way into an empty
database and an empty store, then checks both: the store against the documents, the audit chain against the head
written in backup.json."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Connection

from storage.base import copy_hashing, is_content_key

from ..audit import chain_head, check_chain
from ..evidence.storage_check import check_store
from ..extensions import db
from ..files import get_storage

FORMAT_VERSION = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
FILES = "files"
DESCRIPTION = "backup.json"
COUNTED = ("users", "documents", "evidence", "reviews", "audit_events")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Restored:
    description: dict
    files: int
    store_problems: list[str]
    chain_problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.store_problems and not self.chain_problems


def _url() -> sa.URL:
    return db.engine.url


def _kind() -> str:
    name = _url().get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {name} database: only SQLite and PostgreSQL are supported")
    return name


def _pg_env() -> dict[str, str]:
    """libpq's variables for the app's DATABASE_URL, so that the password never appears on a command line."""
    url = _url()
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[var] = str(value)
    return env


def _run(tool: str, args: list[str]) -> None:
    if shutil.which(tool) is None:
        raise BackupError(
            f"`{tool}` was not found: install PostgreSQL's client programs (Debian: apt install postgresql-client), "
            "the same major version as the server or newer"
        )
    done = subprocess.run([tool, *args], env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")


def _sqlite_path() -> Path:
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is in memory: nothing to back up or restore")
    return Path(database)


@contextmanager
def _dumped_state(out: Path, kind: str) -> Iterator[Connection]:
    """Dump the database into `out`, and yield a connection that reads exactly the dumped state."""
    if kind == "sqlite":
        target = out / SQLITE_FILE
        source = sqlite3.connect(_sqlite_path())
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)  # one consistent copy, even while the app writes
            copy.close()
        finally:
            source.close()
        engine = sa.create_engine(f"sqlite:///{target}")
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()
        return
    # PostgreSQL: a repeatable-read transaction exports its snapshot; pg_dump dumps that snapshot, and the
    # manifest is read in the same transaction.
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        _run("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={out / PG_FILE}"])
        yield conn


def _revision(conn: Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def _manifest(conn: Connection) -> list[dict]:
    """Every object a document of the dumped state refers to: its file, thumbnail and preview."""
    sizes: dict[str, int | None] = {}
    for key, size, thumb, preview in conn.execute(
        sa.text("SELECT storage_key, size, thumb_key, preview_key FROM documents ORDER BY id")
    ):
        sizes[key] = size
        for other in (thumb, preview):
            if other:
                sizes.setdefault(other, None)
    entries = []
    for key, size in sorted(sizes.items()):
        if not is_content_key(key):
            raise BackupError(f"a document refers to {key!r}, which is no content key")
        entries.append({"key": key, "sha256": key.rsplit("/", 1)[-1], "size": size})
    return entries


def backup(out: Path) -> dict:
    """Back the app up into the folder `out` (new or empty); return what backup.json says."""
    kind = _kind()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} is not an empty folder: back up into a new one")
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    with _dumped_state(out, kind) as conn:
        manifest = _manifest(conn)
        counts = {table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() for table in COUNTED}
        head = chain_head(conn)
        revision = _revision(conn)
    storage = get_storage()
    total = 0
    for entry in manifest:
        path = out / FILES / entry["key"]
        path.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(entry["key"]) as source, path.open("wb") as target:
            sha256, size = copy_hashing(source, target.write)
        if sha256 != entry["sha256"] or (entry["size"] is not None and size != entry["size"]):
            raise BackupError(
                f"the stored object {entry['key']} does not hold the bytes its document refers to "
                f"(sha256 {sha256}, {size} bytes): run `minhchung storage verify`"
            )
        entry["size"] = size
        total += size
    description = {
        "format": FORMAT_VERSION,
        "time": started.isoformat(timespec="seconds"),
        "database": kind,
        "database_file": SQLITE_FILE if kind == "sqlite" else PG_FILE,
        "schema_revision": revision,
        "counts": counts,
        "files": {"count": len(manifest), "bytes": total},
        "audit_head": head,
        "manifest": manifest,
    }
    (out / DESCRIPTION).write_text(json.dumps(description, ensure_ascii=False, indent=2), encoding="utf-8")
    return description


def _read_description(folder: Path) -> dict:
    try:
        description = json.loads((folder / DESCRIPTION).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} is no backup of Minh Chứng (its {DESCRIPTION}: {exc})") from None
    if description.get("format") != FORMAT_VERSION:
        raise BackupError(f"{folder}: backup format {description.get('format')!r}, this version reads {FORMAT_VERSION}")
    return description


def _require_empty_target(kind: str) -> None:
    with db.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    if tables:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables): restore into a new, empty database "
            "(set DATABASE_URL to it)"
        )
    if next(iter(get_storage().iter_keys()), None) is not None:
        raise BackupError("the store is not empty: restore into a new, empty store (set STORAGE_URL to it)")


def restore(folder: Path) -> Restored:
    """Restore the backup in `folder` into the app's empty database and store, then check both."""
    kind = _kind()
    description = _read_description(folder)
    if description["database"] != kind:
        raise BackupError(f"this backup is of a {description['database']} database; DATABASE_URL names a {kind} one")
    _require_empty_target(kind)
    dump = folder / description["database_file"]
    if not dump.is_file():
        raise BackupError(f"{dump} is missing")
    db.session.remove()
    if kind == "sqlite":
        db.engine.dispose()
        source, target = sqlite3.connect(dump), sqlite3.connect(_sqlite_path())
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        _run(
            "pg_restore",
            [
                "--no-owner",
                "--no-privileges",  # its roles may not exist here: run the GRANTs of docs/production.md again
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={_url().database}",
                str(dump),
            ],
        )
    db.engine.dispose()
    storage = get_storage()
    for entry in description["manifest"]:
        with (folder / FILES / entry["key"]).open("rb") as f:
            stored = storage.save(f)
        if stored.key != entry["key"]:
            raise BackupError(
                f"{folder / FILES / entry['key']} does not hold the bytes its name says: the backup is damaged"
            )
    store = check_store()
    store_problems = [f"missing {e['key']}" for e in store.missing] + [f"corrupt {e['key']}" for e in store.corrupt]
    chain = check_chain(anchor=description["audit_head"])
    chain_problems = [f"event {event_id}: {reason}" for event_id, reason in chain.breaks]
    if chain.anchor_problem:
        chain_problems.append(chain.anchor_problem)
    return Restored(description, len(description["manifest"]), store_problems, chain_problems)
