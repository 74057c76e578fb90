"""Local-disk backend specifics: permissions, atomic writes, nothing half-written left behind."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage import LocalStorage, ObjectNotFound, StorageError, key_for, storage_from_url

MiB = 1024 * 1024


def mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def tmp_files(store: LocalStorage) -> list[str]:
    return os.listdir(os.path.join(store.root, ".tmp"))


def test_root_is_created_0750(tmp_path: Path) -> None:
    root = tmp_path / "a" / "objects"
    store = storage_from_url(root.as_uri())
    assert isinstance(store, LocalStorage)
    assert store.root == str(root)
    assert mode(root) == 0o750


def test_files_are_0640_in_0750_directories(local_store: LocalStorage) -> None:
    obj = local_store.save(io.BytesIO(b"evidence"))
    path = local_store.local_path(obj.key)
    assert path == os.path.join(local_store.root, *obj.key.split("/"))
    assert mode(path) == 0o640
    assert mode(os.path.dirname(path)) == 0o750
    assert mode(os.path.dirname(os.path.dirname(path))) == 0o750
    with open(path, "rb") as f:
        assert f.read() == b"evidence"
    assert tmp_files(local_store) == []


def test_local_path_of_absent_object(local_store: LocalStorage) -> None:
    with pytest.raises(ObjectNotFound):
        local_store.local_path(key_for("ab" * 32))


def test_failing_rename_leaves_no_file(local_store: LocalStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device", dst)

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(StorageError, match="No space left on device") as info:
        local_store.save(io.BytesIO(b"never stored"))
    assert "free space" in str(info.value)
    assert tmp_files(local_store) == []
    assert list(local_store.iter_keys()) == []


def test_failing_write_leaves_no_file(local_store: LocalStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    def fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(StorageError, match="Input/output error"):
        local_store.save(io.BytesIO(b"x" * 1000))
    assert tmp_files(local_store) == []
    assert list(local_store.iter_keys()) == []


def test_stream_failing_midway_leaves_no_temp_file(
    local_store: LocalStorage, bounded_stream: Callable[..., Any]
) -> None:
    with pytest.raises(ConnectionResetError):
        local_store.save(bounded_stream(b"y" * (3 * MiB), fail_after=MiB))
    assert tmp_files(local_store) == []
    assert list(local_store.iter_keys()) == []


def test_second_save_keeps_the_first_file(local_store: LocalStorage) -> None:
    first = local_store.save(io.BytesIO(b"same bytes"))
    path = local_store.local_path(first.key)
    assert path is not None
    inode = os.stat(path).st_ino
    assert local_store.save(io.BytesIO(b"same bytes")) == first
    assert os.stat(path).st_ino == inode  # not rewritten
    assert tmp_files(local_store) == []


def test_truncated_file_is_replaced_by_a_new_save(local_store: LocalStorage) -> None:
    obj = local_store.save(io.BytesIO(b"complete content"))
    path = local_store.local_path(obj.key)
    assert path is not None
    with open(path, "r+b") as f:
        f.truncate(3)
    local_store.save(io.BytesIO(b"complete content"))
    assert local_store.sha256_of(obj.key) == obj.sha256


def test_unwritable_root_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(StorageError, match="could not create the storage directory"):
        LocalStorage(blocker / "objects")


def test_save_file_with_a_known_hash_links_instead_of_copying(local_store: LocalStorage, tmp_path: Path) -> None:
    source = Path(local_store.root).parent / "incoming.bin"
    source.write_bytes(b"scan of a signed report")
    digest = hashlib.sha256(b"scan of a signed report").hexdigest()
    obj = local_store.save_file(str(source), sha256=digest)
    stored = Path(local_store.local_path(obj.key))
    assert stored.stat().st_ino == source.stat().st_ino, "one inode: the bytes were not copied"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o640
    source.unlink()  # the upload's temporary file goes away; the stored object stays
    assert stored.read_bytes() == b"scan of a signed report"
    assert not list(Path(local_store.root, ".tmp").iterdir())
