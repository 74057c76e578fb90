"""Objects as files under a root directory: ``<root>/ab/cd/abcd…`` (0640), written atomically."""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from storage.base import (
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    check_key,
    copy_hashing,
    is_content_key,
    key_for,
)

DIR_MODE = 0o750
FILE_MODE = 0o640
TMP_DIR_NAME = ".tmp"  # same filesystem as the objects, so os.replace is an atomic rename

_HEX2 = re.compile(r"[0-9a-f]{2}")


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _subdirs(path: str) -> list[os.DirEntry[str]]:
    with os.scandir(path) as it:
        entries = [e for e in it if _HEX2.fullmatch(e.name) and e.is_dir(follow_symlinks=False)]
    return sorted(entries, key=lambda e: e.name)


class LocalStorage(Storage):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.path.abspath(os.fspath(root))
        self._tmp_dir = os.path.join(self.root, TMP_DIR_NAME)
        with self._fs_errors("create the storage directory", self.root):
            for d in (self.root, self._tmp_dir):
                if not os.path.isdir(d):
                    os.makedirs(d, mode=DIR_MODE, exist_ok=True)
                    os.chmod(d, DIR_MODE)  # whatever the umask

    def __repr__(self) -> str:
        return f"LocalStorage({self.root!r})"

    @contextlib.contextmanager
    def _fs_errors(self, action: str, path: str) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise StorageError(
                f"local storage: could not {action} {path}: {exc.strerror or exc}. "
                f"Check that {self.root} exists, is writable by this user and its disk has free space."
            ) from exc

    def check_ready(self) -> None:
        """The directory is there and writable (a full or read-only disk shows here, not at the first upload)."""
        if not (os.path.isdir(self.root) and os.access(self._tmp_dir, os.W_OK)):
            raise StorageError(f"local storage: {self.root} is missing or not writable by this user.")

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *check_key(key).split("/"))

    def save(self, stream: BinaryIO) -> StoredObject:
        with self._fs_errors("create a temporary file in", self._tmp_dir):
            fd, tmp_path = tempfile.mkstemp(prefix="upload-", dir=self._tmp_dir)
        renamed = False
        try:
            with os.fdopen(fd, "wb") as tmp:
                digest, size = copy_hashing(stream, self._writer(tmp, tmp_path))
                with self._fs_errors("flush", tmp_path):
                    tmp.flush()
                    os.fsync(tmp.fileno())
            obj = StoredObject(key=key_for(digest), size=size, sha256=digest)
            renamed = self._put_in_place(obj, tmp_path, os.replace)
            return obj
        finally:
            if not renamed:  # failed, or the object was already stored
                with contextlib.suppress(OSError):
                    os.unlink(tmp_path)

    def save_file(self, path: str, *, sha256: str | None = None) -> StoredObject:
        """With ``sha256`` known, a file on this filesystem is hard-linked into place: no second copy."""
        if sha256 is None:
            return super().save_file(path)
        obj = StoredObject(key=key_for(sha256), size=os.path.getsize(path), sha256=sha256)
        try:
            with self._fs_errors("flush", path):
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            self._put_in_place(obj, path, os.link)
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, OSError) and cause.errno in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                return super().save_file(path)  # another filesystem, or no hard links there: copy instead
            raise
        return obj

    def _put_in_place(self, obj: StoredObject, source: str, place: Callable[[str, str], None]) -> bool:
        """Move (os.replace) or link (os.link) a complete, fsynced file to its final path, durably.
        False when the object was stored already (then ``source`` is left alone)."""
        final = self._path(obj.key)
        with self._fs_errors("store", final):
            if os.path.isfile(final) and os.path.getsize(final) == obj.size:
                os.utime(final)  # already stored: refresh its age so a garbage collection now cannot take it
                return False
            # (a stored file of the wrong size is corrupt: the new bytes replace it)
            final_dir = os.path.dirname(final)
            to_sync = [final_dir]
            for d in (os.path.dirname(final_dir), final_dir):
                with contextlib.suppress(FileExistsError):
                    os.mkdir(d, DIR_MODE)
                    os.chmod(d, DIR_MODE)
                    to_sync.append(os.path.dirname(d))
            if place is os.link:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(final)  # a corrupt copy: os.link does not replace
            os.chmod(source, FILE_MODE)
            place(source, final)
            for d in to_sync:  # make the rename and any new directory entries durable
                _fsync_dir(d)
        return True

    def _writer(self, f: BinaryIO, path: str) -> Callable[[bytes], None]:
        def write(chunk: bytes) -> None:
            with self._fs_errors("write", path):
                f.write(chunk)

        return write

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return builtins.open(path, "rb")
        except FileNotFoundError:
            raise ObjectNotFound(f"no object {key} in {self.root}") from None
        except OSError as exc:
            raise StorageError(f"local storage: could not open {path}: {exc.strerror or exc}") from exc

    def delete(self, key: str) -> None:
        path = self._path(key)
        with self._fs_errors("delete", path), contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def exists(self, key: str) -> bool:
        return os.path.isfile(self._path(key))

    def _stat(self, key: str) -> os.stat_result:
        path = self._path(key)
        try:
            return os.stat(path)
        except FileNotFoundError:
            raise ObjectNotFound(f"no object {key} in {self.root}") from None
        except OSError as exc:
            raise StorageError(f"local storage: could not stat {path}: {exc.strerror or exc}") from exc

    def size(self, key: str) -> int:
        return self._stat(key).st_size

    def last_modified(self, key: str) -> datetime:
        return datetime.fromtimestamp(self._stat(key).st_mtime, tz=UTC)

    def iter_keys(self) -> Iterator[str]:
        with self._fs_errors("list", self.root):
            for a in _subdirs(self.root):  # skips .tmp and anything else that is not a key prefix
                for b in _subdirs(a.path):
                    with os.scandir(b.path) as it:
                        names = sorted(e.name for e in it if e.is_file(follow_symlinks=False))
                    for name in names:
                        key = f"{a.name}/{b.name}/{name}"
                        if is_content_key(key):
                            yield key

    def local_path(self, key: str) -> str | None:
        path = self._path(key)
        if not os.path.isfile(path):
            raise ObjectNotFound(f"no object {key} in {self.root}")
        return path
