"""Receiving an upload (evidence_app/files.py): the SHA-256 computed by another thread is the file's, whatever the
pieces; the file holds them in order, also when the disk is asked to write it early; the thread never outlives
its file; an upload cut short through the app leaves no temporary file and no thread."""

from __future__ import annotations

import gc
import hashlib
import http.client
import os
import re
import socket
import threading
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from evidence_app import files
from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document
from evidence_app.extensions import db
from evidence_app.files import HashingTempFile, InThread
from tests.evidence import corpus
from tests.helpers import login
from tests.test_faults import big_pdf, files_under, real_server, wait_for  # noqa: F401 (real_server: a fixture)

MiB = 1024 * 1024


def hash_threads() -> list[threading.Thread]:
    """The threads that hash uploads."""
    return [t for t in threading.enumerate() if t.name == "upload-sha256"]


@given(sizes=st.lists(st.sampled_from([0, 1, 2047, 2048, 5000, 65536, MiB + 3]), max_size=8), views=st.booleans())
def test_the_digest_is_the_sha256_of_the_pieces_in_order(sizes, views):
    pieces = [os.urandom(n) for n in sizes]
    sha256 = hashlib.sha256()
    hashing = InThread(sha256.update, "upload-sha256", depth=2)
    for piece in pieces:
        hashing.put(memoryview(bytearray(piece))[0:] if views else piece)
    hashing.finish()
    hashing.finish()  # again: nothing more happens
    assert sha256.hexdigest() == hashlib.sha256(b"".join(pieces)).hexdigest()
    assert hash_threads() == []


def test_a_piece_it_cannot_take_fails_the_next_call_and_never_blocks_the_caller():
    sha256 = hashlib.sha256()
    hashing = InThread(sha256.update, "upload-sha256", depth=1)
    hashing.put("not bytes")
    with pytest.raises(TypeError):  # raised by a later put, once the thread met it; the pieces never pile up
        for _ in range(1000):
            hashing.put(b"x" * 4096)
    with pytest.raises(TypeError):
        hashing.finish()
    with pytest.raises(TypeError):
        hashing.put(b"late")
    assert hash_threads() == []


def test_the_file_holds_what_was_written_when_the_disk_is_asked_to_write_it_early(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "WRITEBACK_STEP", 64 * 1024)
    pieces = [os.urandom(n) for n in (1, 70_000, 3, 200_000, MiB, 10)]
    with HashingTempFile(tmp_path) as f:
        for piece in pieces:
            f.write(memoryview(piece))
        f.seek(0)
        assert f.read() == b"".join(pieces)
        assert f.size == sum(map(len, pieces))
        assert f.sha256 == hashlib.sha256(b"".join(pieces)).hexdigest()
        name = f.name
    assert not Path(name).exists() and hash_threads() == []


def test_a_file_dropped_midway_takes_its_thread_and_its_bytes_with_it(tmp_path):
    f = HashingTempFile(tmp_path)
    f.write(b"x" * 100_000)
    assert len(hash_threads()) == 1
    del f  # an upload that failed before its file was handed to the app
    gc.collect()
    wait_for(lambda: hash_threads() == [] and list(tmp_path.iterdir()) == [], "the threads and the file to go", 10)


def test_an_upload_cut_short_leaves_no_temporary_file(app, client, ward, tmp_path):
    login(client, "cb-vp-tk")
    item_id = ward_item_id()
    token = csrf_token(client.get(f"/items/{item_id}").get_data(as_text=True))
    boundary = "cutshort"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'
    ).encode()
    pdf = corpus.pdf(tmp_path, pages=1).read_bytes()
    body = head + pdf[: len(pdf) // 2]  # the client went away: less than its Content-Length
    response = client.post(
        f"/items/{item_id}/upload",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(body) + 500)},
    )
    assert response.status_code in (400, 422)  # the test client ends the body without a disconnection: an empty form
    assert [p for p in (Path(app.config["DATA_DIR"]) / "tmp").rglob("*") if p.is_file()] == []
    assert db.session.query(Document).count() == 0
    gc.collect()
    wait_for(lambda: hash_threads() == [], "the threads to end", 10)


def test_a_large_upload_through_the_app_is_stored_under_its_sha256(app, client, ward, tmp_path):
    login(client, "cb-vp-tk")
    item_id = ward_item_id()
    pdf = corpus.padded(corpus.pdf(tmp_path, pages=1).read_bytes(), 3 * MiB)
    token = csrf_token(client.get(f"/items/{item_id}").get_data(as_text=True))
    boundary = "large"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="lớn.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        f"/items/{item_id}/upload", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 303
    document = db.session.query(Document).one()
    assert document.sha256 == hashlib.sha256(pdf).hexdigest() and document.size == len(pdf)
    assert [p for p in (Path(app.config["DATA_DIR"]) / "tmp").rglob("*") if p.is_file()] == []


def ward_item_id() -> int:
    return db.session.execute(select(ChecklistItem.id).where(ChecklistItem.code == "CCHC-1.2-a")).scalar_one()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("real_server", [["-c", "deploy/gunicorn.conf.py"], ["--graceful-timeout", "1"]], indirect=True)
def test_through_gunicorn_uploads_share_a_connection_and_one_cut_short_leaves_nothing(real_server, tmp_path):  # noqa: F811
    """The body read straight from gunicorn's socket (threaded and sync workers): two uploads, one after the
    other on one connection, are stored under their SHA-256 and the connection goes on; a client that goes away
    midway leaves no temporary file."""
    app, item_id, browser, _worker_pid = real_server
    browser.login("cb-vh-tt")
    token = browser.csrf_token(f"/items/{item_id}")
    contents = [big_pdf(tmp_path, 3 * MiB + 17), big_pdf(tmp_path, 200_000)]
    conn = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=30)
    for n, content in enumerate(contents):
        head, tail, headers = upload_form(token, f"tệp {n}.pdf", content, browser.cookie)
        conn.request("POST", f"/items/{item_id}/upload", body=head + content + tail, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 303
    conn.request("GET", f"/items/{item_id}", headers={"Cookie": browser.cookie})  # the same connection goes on
    response = conn.getresponse()
    assert response.status == 200 and "tệp 1.pdf" in response.read().decode()
    conn.close()

    head, _tail, headers = upload_form(token, "cut.pdf", contents[0], browser.cookie)
    cut = socket.create_connection(("127.0.0.1", browser.port))
    request_head = f"POST /items/{item_id}/upload HTTP/1.1\r\nHost: x\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in {**headers, "Content-Length": str(len(head) + len(contents[0]) + 100)}.items()
    )
    cut.sendall(request_head.encode() + b"\r\n" + head + contents[0][: 2 * MiB])
    data_dir = tmp_path / "data"
    wait_for(lambda: any(p.stat().st_size >= MiB for p in files_under(data_dir / "tmp")), "the upload to be spooled")
    cut.close()
    wait_for(lambda: files_under(data_dir / "tmp") == [], "the partial file to be removed")

    with app.app_context():
        stored = db.session.execute(select(Document.filename, Document.sha256).order_by(Document.id)).all()
        assert stored == [(f"tệp {n}.pdf", hashlib.sha256(c).hexdigest()) for n, c in enumerate(contents)]
        db.session.remove()
        db.engine.dispose()


def upload_form(token: str, name: str, content: bytes, cookie: str) -> tuple[bytes, bytes, dict]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode()
    headers = {"Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return head, f"\r\n--{boundary}--\r\n".encode(), headers
