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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


class InThread:
    """`work(piece)` for each piece given to `put`, in order, done by another thread while the caller goes on
    (hashlib and file writes release the GIL, so both run at once). A piece must not change once given (bytes,
    or a view of a buffer its caller no longer writes to); at most `depth` pieces wait, which bounds the memory
    they hold. The first error of `work` is raised by the next `put` or by `finish`; later pieces are dropped.

    The pieces go through a SimpleQueue, whose put may be called from a weakref callback in any thread (a
    HashingTempFile's finalizer, during a garbage collection): that is all `abandon` does."""

    def __init__(self, work: Callable[[Any], object], name: str, depth: int = 4) -> None:
        self._pieces: queue.SimpleQueue = queue.SimpleQueue()
        self._slots = threading.BoundedSemaphore(depth)
        self._failed: list[BaseException] = []
        # The thread holds no reference to this object's owner: a HashingTempFile's finalizer must be able to run.
        self._thread = threading.Thread(
            target=_work_on, args=(work, self._pieces, self._slots, self._failed), name=name, daemon=True
        )
        self._started = self._stopped = False

    def put(self, piece) -> None:
        self._raise_failure()
        if self._stopped:
            raise ValueError("no more pieces: the thread has ended")
        if not self._started:
            self._started = True
            self._thread.start()
        self._slots.acquire()
        self._pieces.put(piece)

    def stop(self) -> None:
        """Wait until every piece is done, and end the thread (also what stops it when an upload fails)."""
        if not self._stopped:
            self._stopped = True
            if self._started:
                self._pieces.put(None)
                self._thread.join()

    def finish(self) -> None:
        self.stop()
        self._raise_failure()

    def abandon(self) -> None:
        """End the thread once it has done the pieces it has, without waiting: safe in a finalizer."""
        if self._started and not self._stopped:
            self._stopped = True
            self._pieces.put(None)

    def _raise_failure(self) -> None:
        if self._failed:
            raise self._failed[0]


def _work_on(
    work: Callable[[Any], object], pieces: queue.SimpleQueue, slots: threading.BoundedSemaphore, failed: list
) -> None:
    while (piece := pieces.get()) is not None:
        if not failed:  # after a failure, still take the pieces: put() must never wait forever
            try:
                work(piece)
            except BaseException as exc:
                failed.append(exc)
        del piece  # the view's block may be used again
        slots.release()


WRITEBACK_STEP = 16 * 1024 * 1024


class _Writer:
    """Writes pieces to a file; every WRITEBACK_STEP bytes, asks the disk to start writing what came before (as
    PostgreSQL does, with posix_fadvise): the store's fsync at the end then waits for the last few MiB only."""

    def __init__(self, file) -> None:
        self._file, self._size, self._written_back = file, 0, 0

    def __call__(self, piece) -> None:
        self._size += self._file.write(piece)
        if self._size - self._written_back >= WRITEBACK_STEP:
            self._file.flush()
            if hasattr(os, "posix_fadvise"):  # Linux: starts the writing of dirty pages without waiting for it
                with contextlib.suppress(OSError):  # advice only: the store's fsync still makes the file durable
                    os.posix_fadvise(
                        self._file.fileno(), self._written_back, self._size - self._written_back, os.POSIX_FADV_DONTNEED
                    )
            self._written_back = self._size


class HashingTempFile:
    """A temporary file that keeps the SHA-256 and size of what is written to it. It disappears on close, or when
    it is no longer referenced. Another thread hashes what is written while the receiving thread writes it and
    reads on. (A third thread for the writes measured no faster on 2 cores.)"""

    def __init__(self, directory: Path) -> None:
        with _disk_full_is_507():
            self._file = tempfile.NamedTemporaryFile(dir=directory, prefix="upload-", delete=True)
        self._sha256 = hashlib.sha256()
        self._hashing = InThread(self._sha256.update, "upload-sha256")
        self._write = _Writer(self._file)
        weakref.finalize(self, self._hashing.abandon)  # an upload that failed midway stops its thread too
        self.size = 0

    def write(self, data) -> int:
        """Write `data` (bytes, or a view of a buffer that its caller will not change again)."""
        self._hashing.put(data)  # first: the other thread hashes while this one writes
        with _disk_full_is_507(self):
            self._write(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        with _disk_full_is_507(self):
            self._file.flush()

    def seek(self, offset: int, whence: int = 0) -> int:
        # The parser seeks to 0 at the end of a part: the last bytes are written then.
        with _disk_full_is_507(self):
            return self._file.seek(offset, whence)

    @property
    def sha256(self) -> str:
        self._hashing.finish()
        return self._sha256.hexdigest()

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def close(self) -> None:
        self._hashing.stop()
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
