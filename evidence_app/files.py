"""The evidence store of the app (chosen by STORAGE_URL) and the request class that receives uploads.

Uploaded file parts are written by Werkzeug straight into a temporary file in the data directory — never
kept in memory, whatever their size — and hashed while they are written, so the stored copy can be made
without reading the file again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import Request, current_app
from werkzeug.exceptions import HTTPException

from storage import Storage, storage_from_url


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


class HashingTempFile:
    """A temporary file that keeps the SHA-256 and size of what is written to it. It disappears on close."""

    def __init__(self, directory: Path) -> None:
        with _disk_full_is_507():
            self._file = tempfile.NamedTemporaryFile(dir=directory, prefix="upload-", delete=True)
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        self.size += len(data)
        with _disk_full_is_507(self._file):
            return self._file.write(data)

    def flush(self) -> None:
        with _disk_full_is_507(self._file):
            self._file.flush()

    def seek(self, offset: int, whence: int = 0) -> int:
        with _disk_full_is_507(
            self._file
        ):  # the parser seeks to 0 at the end of a part: the last bytes are written then
            return self._file.seek(offset, whence)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self._file.close()


READ_SIZE = 1024 * 1024


class UploadRequest(Request):
    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return HashingTempFile(upload_tmp_dir())

    def _get_stream_for_parsing(self):
        # Werkzeug's multipart parser reads 64 KiB at a time; gunicorn copies what it has buffered on every such
        # read, which made a 200 MB upload spend most of its time there. Read from the server in 1 MiB pieces.
        stream = super()._get_stream_for_parsing()
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
