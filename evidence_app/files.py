"""The evidence store of the app (chosen by STORAGE_URL) and the request class that receives uploads.

Uploaded file parts are written straight into a temporary file in the data directory as they arrive (multipart.py
reads the body in large blocks) — never kept in memory, whatever their size — and hashed meanwhile by another
thread, so the stored copy can be made without reading the file again (a local store links the file into place).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import queue
import tempfile
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from flask import Request, current_app
from werkzeug.exceptions import HTTPException

from storage import Storage, storage_from_url

from .multipart import SocketBody, StreamingFormDataParser


class UploadDiskFull(HTTPException):
    """The data directory's disk filled up while an upload was being received."""

    code = 507  # Insufficient Storage


@contextlib.contextmanager
def _disk_full_is_507(file=None) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()  # deletes the partial file now
        current_app.logger.error("upload refused, the data directory is full: %s", exc)
        raise UploadDiskFull() from exc


class HashInThread:
    """The SHA-256 of the pieces given to `update`, computed by another thread while the caller goes on receiving
    (hashlib releases the GIL on pieces over 2 KiB, so both run at once). A piece must not change once given
    (bytes, or a view of a buffer the caller no longer writes to); at most `depth` pieces wait, which bounds
    the memory they hold."""

    def __init__(self, depth: int = 8) -> None:
        self._sha256 = hashlib.sha256()
        self._pieces: queue.Queue = queue.Queue(depth)
        self._failed: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(self._sha256, self._pieces, self._failed), name="upload-sha256", daemon=True
        )
        self._done = False

    @staticmethod
    def _run(sha256, pieces: queue.Queue, failed: list[BaseException]) -> None:
        # No reference to self: HashingTempFile's finalizer must be able to run (and stop this thread).
        while (piece := pieces.get()) is not None:
            if not failed:  # after a failure, still take the pieces: update() must never wait forever
                try:
                    sha256.update(piece)
                except BaseException as exc:
                    failed.append(exc)

    def update(self, piece) -> None:
        if self._done:
            raise ValueError("the digest is already final")
        if not self._thread.is_alive():
            self._thread.start()
        self._pieces.put(piece)

    def finish(self) -> None:
        """Wait until every piece is hashed; the thread ends. Also what stops it when the upload fails."""
        if not self._done:
            self._done = True
            if self._thread.is_alive():
                self._pieces.put(None)
                self._thread.join()

    def hexdigest(self) -> str:
        self.finish()
        if self._failed:
            raise self._failed[0]
        return self._sha256.hexdigest()


WRITEBACK_STEP = 16 * 1024 * 1024


class HashingTempFile:
    """A temporary file that keeps the SHA-256 (hashed by another thread, HashInThread) and size of what is
    written to it. It disappears on close, or when it is no longer referenced.

    Every WRITEBACK_STEP bytes, the disk is asked to start writing what came before (as PostgreSQL does, with
    posix_fadvise): the store's fsync at the end then waits for the last few MiB, not for the whole file."""

    def __init__(self, directory: Path) -> None:
        with _disk_full_is_507():
            self._file = tempfile.NamedTemporaryFile(dir=directory, prefix="upload-", delete=True)
        self._hash = HashInThread()
        weakref.finalize(self, self._hash.finish)  # an upload that failed midway stops its thread too
        self.size = 0
        self._written_back = 0  # bytes before this offset are on their way to the disk

    def write(self, data) -> int:
        """Write `data` (bytes, or a view of a buffer that its caller will not change again)."""
        self._hash.update(data)  # first: the other thread hashes while this one writes
        with _disk_full_is_507(self):
            written = self._file.write(data)
            self.size += written
            if self.size - self._written_back >= WRITEBACK_STEP:
                self._start_writeback()
        return written

    def _start_writeback(self) -> None:
        self._file.flush()
        if hasattr(os, "posix_fadvise"):  # Linux: starts the writing of dirty pages without waiting for it
            with contextlib.suppress(OSError):  # advice only: the store's fsync still makes the file durable
                os.posix_fadvise(
                    self._file.fileno(), self._written_back, self.size - self._written_back, os.POSIX_FADV_DONTNEED
                )
        self._written_back = self.size

    def flush(self) -> None:
        with _disk_full_is_507(self):
            self._file.flush()

    def seek(self, offset: int, whence: int = 0) -> int:
        # The parser seeks to 0 at the end of a part: the last bytes are written then.
        with _disk_full_is_507(self):
            return self._file.seek(offset, whence)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def close(self) -> None:
        self._hash.finish()
        self._file.close()

    def __exit__(self, *exc_info) -> None:
        self.close()


READ_SIZE = 1024 * 1024


class UploadRequest(Request):
    form_data_parser_class = StreamingFormDataParser  # multipart/form-data in large blocks (multipart.py)

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return HashingTempFile(upload_tmp_dir())

    def _get_stream_for_parsing(self):
        stream = super()._get_stream_for_parsing()  # also refuses a Content-Length over max_content_length (413)
        if self.mimetype == "multipart/form-data" and getattr(self, "_cached_data", None) is None:
            body = SocketBody.of(self.environ)  # under gunicorn: recv_into from its socket, no copies in between
            if body is not None:
                return body
        # Otherwise read from the server in 1 MiB pieces (gunicorn copies what it has buffered on every read).
        return io.BufferedReader(stream, buffer_size=READ_SIZE) if isinstance(stream, io.RawIOBase) else stream


def upload_tmp_dir() -> Path:
    return current_app.extensions["minhchung_upload_tmp"]


def get_storage() -> Storage:
    return current_app.extensions["minhchung_storage"]


def init_app(app) -> None:
    app.request_class = UploadRequest
    tmp = Path(app.config["DATA_DIR"]) / "tmp"
    tmp.mkdir(parents=True, exist_ok=True, mode=0o750)
    os.chmod(tmp, 0o750)
    app.extensions["minhchung_upload_tmp"] = tmp
    app.extensions["minhchung_storage"] = storage_from_url(app.config["STORAGE_URL"])
