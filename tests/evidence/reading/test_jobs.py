"""The reading job and where it runs: inline, in a thread of the app, or queued on Redis for `minhchung reading
worker` (RQ). The upload never waits for it and never fails because of it; a failed reading is retried, then
marked failed with its error, and the document is unaffected. The readers themselves (text, fields, signatures)
are tested in their own modules: here they are replaced by stand-ins that count their calls or fail."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date

import pytest
from redis import Redis
from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.operations import DocumentFields, correct_document, upload_document
from evidence_app.evidence.reading import jobs
from evidence_app.evidence.reading.models import DocumentReading
from evidence_app.evidence.reading.text import TextResult
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, User
from evidence_app.review.operations import decide
from tests.evidence import corpus

REDIS = "redis://127.0.0.1:6379/{}"


class Readers:
    """Stand-ins for the readers: what they return, how often they were called, and how often they fail first."""

    def __init__(self, monkeypatch, failures: int = 0):
        self.calls, self.failures = 0, failures
        monkeypatch.setattr(jobs, "read_text", self.read_text)
        monkeypatch.setattr(jobs, "propose_fields", lambda text: {"number": "15/KH-UBND", "issue_date": "2024-03-05"})
        monkeypatch.setattr(jobs, "read_signatures", lambda path, roots: [{"signer": "Nguyễn Văn A", "intact": True}])

    def read_text(self, path, content_type, *, languages):
        self.calls += 1
        assert os.path.getsize(path) > 0, "the job reads the stored bytes"
        if self.calls <= self.failures:
            raise RuntimeError("tesseract crashed")
        return TextResult("Số: 15/KH-UBND", "text", 1)


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def upload(tmp_path, name="ke-hoach.pdf", **fields):
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.2-a")).scalar_one()
    path = corpus.pdf(tmp_path, name, pages=len(name))
    return upload_document(path, name, user=user("cb-vp-tk"), items=[item], fields=DocumentFields(**fields))


def read_events() -> list[dict]:
    return [
        e.data for e in db.session.execute(select(AuditEvent).where(AuditEvent.action == "document.read")).scalars()
    ]


def test_inline_reading_stores_text_proposals_and_signatures(ward, app, tmp_path, monkeypatch):
    readers = Readers(monkeypatch)
    app.config["READING_MODE"] = "inline"
    result = upload(tmp_path)
    reading = db.session.get(DocumentReading, result.document.id)
    assert (reading.status, reading.method, reading.text, reading.attempts) == ("done", "text", "Số: 15/KH-UBND", 1)
    assert reading.proposals["number"] == "15/KH-UBND" and reading.signatures[0]["signer"] == "Nguyễn Văn A"
    assert result.document.number is None, "a proposal is never stored in the document by itself"
    assert read_events() == [{"status": "done", "method": "text", "pages": 1, "confidence": None, "signatures": 1}]
    assert readers.calls == 1


def test_a_failing_reading_is_retried_then_marked_failed_and_the_document_stays(ward, app, tmp_path, monkeypatch):
    readers = Readers(monkeypatch, failures=5)
    app.config["READING_MODE"] = "inline"
    result = upload(tmp_path)  # the upload succeeds whatever the reading does
    reading = db.session.get(DocumentReading, result.document.id)
    assert (reading.status, reading.attempts) == ("pending", 1) and "tesseract crashed" in reading.error
    jobs.read_document(result.document.id)
    jobs.read_document(result.document.id)  # the third attempt is the last
    assert (reading.status, reading.attempts, readers.calls) == ("failed", 3, 3)
    assert read_events() == [{"status": "failed", "method": None, "pages": None, "confidence": None, "signatures": 0}]
    assert result.document.deleted_at is None and result.new_links[0].state == "submitted"


def test_the_thread_reads_after_the_upload_returned(ward, app, tmp_path, monkeypatch):
    readers = Readers(monkeypatch, failures=1)  # the thread retries by itself
    app.config["READING_MODE"] = "thread"
    result = upload(tmp_path)
    document_id = result.document.id
    for _ in range(100):
        db.session.expire_all()
        reading = db.session.get(DocumentReading, document_id)
        if reading.status != "pending":
            break
        time.sleep(0.05)
    assert (reading.status, reading.attempts, readers.calls) == ("done", 2, 2)


def test_stopping_the_embedded_server_never_waits_for_the_queued_documents():
    """gunicorn stops a worker within its graceful timeout: a queue of scans to OCR must not hold the process."""
    script = (
        "import time\n"
        "from evidence_app.evidence.reading import jobs\n"
        "jobs._in_app_context = lambda app, document_id: time.sleep(60)\n"
        "for document_id in range(5):\n"
        "    jobs._reader().put((None, document_id))\n"
        "time.sleep(0.3)\n"
    )
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
    assert time.monotonic() - started < 20, "the process waited for the readings"


def test_readings_left_pending_by_a_stop_are_read_at_the_next_start(ward, app, tmp_path, monkeypatch):
    readers = Readers(monkeypatch)
    app.config["READING_MODE"] = "off"
    left = upload(tmp_path, "con-lai.pdf").document.id
    db.session.add(DocumentReading(document_id=left, status="pending"))  # queued when the server stopped
    never = upload(tmp_path, "chua-doc.pdf").document.id  # uploaded while reading was off
    db.session.commit()
    app.config["READING_MODE"] = "inline"
    assert jobs.read_unread_documents() == 2
    assert [db.session.get(DocumentReading, i).status for i in (left, never)] == ["done", "done"]
    assert readers.calls == 2 and jobs.read_unread_documents() == 0


def test_reading_off_reads_nothing(ward, app, tmp_path, monkeypatch):
    readers = Readers(monkeypatch)
    app.config["READING_MODE"] = "off"
    result = upload(tmp_path)
    assert db.session.get(DocumentReading, result.document.id) is None and readers.calls == 0


def test_a_corrected_version_keeps_what_was_read_from_the_same_bytes(ward, app, tmp_path, monkeypatch):
    readers = Readers(monkeypatch)
    app.config["READING_MODE"] = "inline"
    result = upload(tmp_path, number="1/KH")
    link = result.new_links[0]
    decide(link, user("reviewer"), "changes_requested", expected_version=link.version, reason_code="unsigned")
    version = correct_document(result.document, DocumentFields(number="15/KH-UBND"), user("cb-vp-tk"))
    assert version.id != result.document.id
    copied = db.session.get(DocumentReading, version.id)
    assert (copied.status, copied.text, readers.calls) == ("done", "Số: 15/KH-UBND", 1), "not read twice"


@pytest.fixture
def queue_db(app):
    """A Redis database of this test worker's own (the machine's Redis; it must answer: the test never skips)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    url = REDIS.format(8 + int(worker) % 8)
    Redis.from_url(url).flushdb()
    app.config.update(READING_MODE="rq", REDIS_URL=url)
    yield url
    Redis.from_url(url).flushdb()


def test_queued_on_redis_and_read_by_the_worker(ward, app, runner, tmp_path, monkeypatch, queue_db):
    readers = Readers(monkeypatch)
    document_id = upload(tmp_path).document.id
    reading = db.session.get(DocumentReading, document_id)
    assert reading.status == "pending" and readers.calls == 0, "the upload only queued the work"
    assert jobs.queue().count == 1
    done = runner.invoke(args=["reading", "worker", "--burst"])
    assert done.exit_code == 0, done.output
    reading = db.session.get(DocumentReading, document_id)
    assert (reading.status, readers.calls) == ("done", 1) and jobs.queue().count == 0


def test_redis_away_leaves_the_document_pending_for_reading_run(ward, app, runner, tmp_path, monkeypatch):
    readers = Readers(monkeypatch)
    app.config.update(READING_MODE="rq", REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    result = upload(tmp_path, issue_date=date(2024, 3, 1))
    assert db.session.get(DocumentReading, result.document.id).status == "pending"
    status = runner.invoke(args=["reading", "status"])
    assert "pending  1" in status.output
    app.config["READING_MODE"] = "inline"
    done = runner.invoke(args=["reading", "run"])
    assert done.exit_code == 0 and "1 document(s): 1 read, 0 not read" in done.output, done.output
    assert db.session.get(DocumentReading, result.document.id).status == "done" and readers.calls == 1
