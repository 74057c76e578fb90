"""The reading job and where it runs: RQ workers on production's Redis (`minhchung reading worker`), a thread of
the app in the embedded demo, or inline (tests). The upload never waits for it and never fails because of it: a
document whose reading failed is a document like any other, only without proposals and pre-checks."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from queue import SimpleQueue

from flask import current_app
from sqlalchemy import or_, select

from ... import audit
from ...extensions import db
from ...files import get_storage, upload_tmp_dir
from ...sqltypes import utcnow
from ..models import Document
from .fields import propose_fields
from .models import DocumentReading, ReadingStatus
from .search import index_document
from .signatures import read_signatures
from .text import read_text

log = logging.getLogger(__name__)

QUEUE_NAME = "minhchung-reading"
MAX_ATTEMPTS = 3
RETRY_INTERVALS = [10, 60]  # seconds before the second and the third attempt (RQ)
JOB_TIMEOUT = 900  # seconds: OCR of a long scan on a busy machine
READING_NICENESS = 10

# The embedded mode's reader: one thread (OCR already uses both cores), a daemon, so that stopping the server never
# waits for the documents still queued; they stay pending and are read at the next start (read_unread_documents).
_queued: SimpleQueue | None = None
_reader_lock = threading.Lock()


def start_reading(document: Document) -> None:
    """Give a new document its pending reading (in the caller's transaction), to be scheduled after the commit."""
    if current_app.config["READING_MODE"] != "off":
        db.session.add(DocumentReading(document_id=document.id, status=ReadingStatus.pending.value))


def read_unread_documents() -> int:
    """Give to reading every document never read (the demo's history, written before it is served) and every one
    left pending when the embedded server stopped; how many."""
    if current_app.config["READING_MODE"] == "off":
        return 0
    rows = db.session.execute(
        select(Document.id, DocumentReading.status)
        .outerjoin(DocumentReading, DocumentReading.document_id == Document.id)
        .where(
            or_(DocumentReading.document_id.is_(None), DocumentReading.status == ReadingStatus.pending.value),
            Document.deleted_at.is_(None),
        )
        .order_by(Document.id)
    ).all()
    db.session.add_all(
        DocumentReading(document_id=i, status=ReadingStatus.pending.value) for i, status in rows if status is None
    )
    db.session.commit()
    for document_id, _ in rows:
        schedule(document_id)
    return len(rows)


def copy_reading(source: Document, target: Document) -> None:
    """A corrected version of a document (the same bytes): what was read from the bytes holds for it too."""
    read = db.session.get(DocumentReading, source.id)
    if read is None:
        return start_reading(target)
    copied = {c.name: getattr(read, c.name) for c in DocumentReading.__table__.columns if c.name != "document_id"}
    db.session.add(DocumentReading(document_id=target.id, **copied))


def schedule(document_id: int) -> None:
    """Have the document read, outside the request where a queue is configured. Call after the commit."""
    mode = current_app.config["READING_MODE"]
    if mode == "off":
        return
    if mode == "inline":
        read_document(document_id)
    elif mode == "thread":
        _reader().put((current_app._get_current_object(), document_id))  # type: ignore[attr-defined]
    else:
        try:
            queue().enqueue(
                run_job,
                document_id,
                job_timeout=JOB_TIMEOUT,
                retry=_retry(),
                description=f"read document {document_id}",
            )
        except Exception:  # Redis away: the document is stored; `minhchung reading run --pending` catches up
            log.exception("reading of document %s not queued", document_id)


def queue():
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(current_app.config["REDIS_URL"]))


def _retry():
    from rq import Retry

    return Retry(max=MAX_ATTEMPTS - 1, interval=RETRY_INTERVALS)


def run_job(document_id: int) -> None:
    """What an RQ worker runs (inside the app context that `minhchung reading worker` holds); raising lets RQ retry."""
    try:
        read_document(document_id, raise_errors=True)
    finally:
        db.session.remove()


def below_requests() -> None:
    """Lower this thread's (or process's) priority: reading is background work, requests come first (Linux: a
    thread is a task of its own)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), READING_NICENESS)
    except (AttributeError, OSError):
        pass


def _reader() -> SimpleQueue:
    global _queued
    with _reader_lock:
        if _queued is None:
            _queued = SimpleQueue()
            threading.Thread(target=_read_queued, args=(_queued,), name="minhchung-reading", daemon=True).start()
        return _queued


def _read_queued(queued: SimpleQueue) -> None:
    while True:
        app, document_id = queued.get()
        try:
            _in_app_context(app, document_id)
        except Exception:  # the thread must outlive any document
            log.exception("reading document %s failed", document_id)


def _in_app_context(app, document_id: int) -> None:
    below_requests()
    with app.app_context():
        for _ in range(MAX_ATTEMPTS):
            try:
                read_document(document_id, raise_errors=True)
                return
            except Exception:
                log.exception("reading document %s failed", document_id)
            finally:
                db.session.remove()


def read_document(document_id: int, *, raise_errors: bool = False) -> DocumentReading | None:
    """Read the document's text, propose its metadata, verify its signatures, and store what was found. After the
    last failed attempt the reading is marked failed with the error; before it, `raise_errors` re-raises (RQ)."""
    document = db.session.get(Document, document_id)
    if document is None or document.deleted_at is not None:
        return None
    reading = db.session.get(DocumentReading, document_id)
    if reading is None:
        reading = DocumentReading(document_id=document_id, status=ReadingStatus.pending.value, attempts=0)
        db.session.add(reading)
    reading.attempts = (reading.attempts or 0) + 1
    db.session.commit()
    config = current_app.config
    try:
        with local_copy(document) as path:
            text = read_text(path, document.content_type, languages=config["OCR_LANGUAGES"])
            signatures = read_signatures(path, config["TRUST_ROOTS"]) if document.is_pdf else []
        proposals = propose_fields(text.text)
    except Exception as error:
        db.session.rollback()
        reading = db.session.get(DocumentReading, document_id)
        last = reading.attempts >= MAX_ATTEMPTS
        reading.error = f"{type(error).__name__}: {error}"[:2000]
        if last:
            reading.status = ReadingStatus.failed.value
            reading.read_at = utcnow()
            _record(document, reading)
        db.session.commit()
        if raise_errors and not last:
            raise
        log.warning("document %s could not be read: %s", document_id, reading.error)
        return reading
    reading.status = ReadingStatus.done.value
    reading.method = text.method
    reading.language = text.language
    reading.confidence = text.confidence
    reading.pages = text.pages
    reading.page_confidences = text.page_confidences
    reading.text = text.text
    reading.proposals = proposals
    reading.signatures = signatures
    reading.error = None
    reading.read_at = utcnow()
    _record(document, reading)
    index_document(document_id)  # the text read becomes searchable with the same commit
    db.session.commit()
    return reading


def _record(document: Document, reading: DocumentReading) -> None:
    """An audit event: what was read, and a new mark for the kept league rows (pre-checks change the forecast)."""
    audit.record(
        "document.read",
        unit_id=document.unit_id,
        object_type="document",
        object_id=document.id,
        data={
            "status": reading.status,
            "method": reading.method,
            "pages": reading.pages,
            "confidence": None if reading.confidence is None else round(reading.confidence, 1),
            "signatures": len(reading.signatures or []),
        },
    )


@contextmanager
def local_copy(document: Document) -> Iterator[str]:
    """A path to the document's bytes: the stored file itself on a local disk, else a temporary copy."""
    storage = get_storage()
    path = storage.local_path(document.storage_key)
    if path is not None:
        yield path
        return
    fd, tmp = tempfile.mkstemp(dir=upload_tmp_dir(), prefix="reading-")
    try:
        with os.fdopen(fd, "wb") as out, storage.open(document.storage_key) as source:
            shutil.copyfileobj(source, out, 1024 * 1024)
        yield tmp
    finally:
        os.unlink(tmp)
