"""`minhchung reading`: the background reader (`worker`, RQ), reading documents here and now (`run`), how far
reading has got (`status`), and the search index built from what was read (`reindex`)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ...extensions import db
from ..models import Document
from .jobs import QUEUE_NAME, below_requests, queue, read_document
from .models import DocumentReading, ReadingStatus
from .search import reindex

reading_cli = AppGroup("reading", help="Read documents: text, OCR, proposed metadata, signatures.")


@reading_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for scripts and tests).")
def worker_command(burst: bool) -> None:
    """Read queued documents (RQ, on MINHCHUNG_REDIS_URL); run one or more beside the web servers."""
    from rq import SimpleWorker

    if not current_app.config.get("REDIS_URL"):
        raise click.UsageError("MINHCHUNG_REDIS_URL is not set: there is no queue to read from.")
    # SimpleWorker runs each job in this process, inside this command's app context (a forked child would
    # share the parent's database connections).
    below_requests()  # beside app servers on the same machine, requests come first
    worker = SimpleWorker([queue()], connection=queue().connection, name=None)
    click.echo(f"Reading documents from the queue {QUEUE_NAME!r}")
    worker.work(burst=burst, with_scheduler=True)


@reading_cli.command("run")
@click.option(
    "--which",
    type=click.Choice(["unread", "failed", "all"]),
    default="unread",
    show_default=True,
    help="unread: never read or still pending; failed: whose reading failed; all: every document again.",
)
@click.option("--document", "document_ids", type=int, multiple=True, help="Only this document (repeatable).")
def run_command(which: str, document_ids: tuple[int, ...]) -> None:
    """Read documents here and now (documents uploaded before reading existed, or while the queue was away)."""
    reading = DocumentReading.status
    statement = select(Document.id).outerjoin(DocumentReading).where(Document.deleted_at.is_(None))
    if document_ids:
        statement = statement.where(Document.id.in_(document_ids))
    elif which == "unread":
        statement = statement.where((reading.is_(None)) | (reading == ReadingStatus.pending.value))
    elif which == "failed":
        statement = statement.where(reading == ReadingStatus.failed.value)
    ids = db.session.execute(statement.order_by(Document.id)).scalars().all()
    done = failed = 0
    for document_id in ids:
        row = db.session.get(DocumentReading, document_id)
        if row is not None and which != "unread":
            row.attempts = 0  # asked for again: every attempt anew
            db.session.commit()
        result = read_document(document_id)
        if result is not None and result.status == ReadingStatus.done.value:
            done += 1
        else:
            failed += 1
            click.echo(f"document {document_id}: {result.error if result is not None else 'gone'}", err=True)
    click.echo(f"{len(ids)} document(s): {done} read, {failed} not read")


@reading_cli.command("status")
def status_command() -> None:
    """How many documents are read, waiting, failed or never given to reading."""
    rows = db.session.execute(
        select(DocumentReading.status, func.count())
        .select_from(Document)
        .outerjoin(DocumentReading)
        .where(Document.deleted_at.is_(None))
        .group_by(DocumentReading.status)
    ).all()
    counts = {status or "none": count for status, count in rows}  # no reading row: never given to reading
    for status in ("done", "pending", "failed", "none"):
        click.echo(f"{status:<8} {counts.get(status, 0)}")


@reading_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index of every document (number, summary, file name, issuer, text read): derived data,
    safe to rebuild at any time, e.g. after restoring a backup or changing how text is folded."""
    started = time.monotonic()
    count = reindex()
    click.echo(f"{count} documents indexed in {time.monotonic() - started:.1f} s")
