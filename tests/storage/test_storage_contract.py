"""The storage contract: every test here runs against every backend (local, moto, swift)."""

from __future__ import annotations

import hashlib
import io
import random
import unicodedata
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage import ObjectNotFound, Storage, key_for

MiB = 1024 * 1024


def payload(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_save_open_round_trip(store: Storage) -> None:
    data = payload(300_000)
    obj = store.save(io.BytesIO(data))

    assert obj.sha256 == sha(data)
    assert obj.key == key_for(obj.sha256) == f"{obj.sha256[:2]}/{obj.sha256[2:4]}/{obj.sha256}"
    assert obj.size == len(data)
    with store.open(obj.key) as f:
        assert f.read(10) == data[:10]
        assert f.read() == data[10:]
    assert store.exists(obj.key)
    assert store.size(obj.key) == len(data)
    assert store.sha256_of(obj.key) == obj.sha256


def test_empty_object(store: Storage) -> None:
    obj = store.save(io.BytesIO(b""))
    assert (obj.size, obj.sha256) == (0, sha(b""))
    with store.open(obj.key) as f:
        assert f.read() == b""


def test_last_modified_is_aware_utc(store: Storage) -> None:
    obj = store.save(io.BytesIO(b"when"))
    modified = store.last_modified(obj.key)
    assert modified.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - modified) < timedelta(minutes=5)


def test_same_bytes_are_stored_once(store: Storage) -> None:
    data = payload(50_000, seed=1)
    first = store.save(io.BytesIO(data))
    second = store.save(io.BytesIO(data))
    assert first == second
    assert list(store.iter_keys()) == [first.key]


def test_large_object_is_streamed_in_bounded_reads(store: Storage, bounded_stream: Callable[..., Any]) -> None:
    data = payload(20 * MiB + 123, seed=2)
    stream = bounded_stream(data)
    obj = store.save(stream)

    assert 0 < stream.largest_read <= 8 * MiB
    assert (obj.size, obj.sha256) == (len(data), sha(data))
    assert store.size(obj.key) == len(data)
    digest = hashlib.sha256()
    with store.open(obj.key) as f:
        while chunk := f.read(MiB):
            digest.update(chunk)
    assert digest.hexdigest() == obj.sha256


def test_delete(store: Storage) -> None:
    obj = store.save(io.BytesIO(b"to be deleted"))
    store.delete(obj.key)
    assert not store.exists(obj.key)
    assert list(store.iter_keys()) == []
    store.delete(obj.key)  # deleting an absent key is not an error
    with pytest.raises(ObjectNotFound):
        store.open(obj.key)


def test_absent_key(store: Storage) -> None:
    key = key_for(sha(b"never stored"))
    assert not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.open(key)
    with pytest.raises(ObjectNotFound):
        store.size(key)
    with pytest.raises(ObjectNotFound):
        store.last_modified(key)
    with pytest.raises(ObjectNotFound):
        store.sha256_of(key)


GOOD = sha(b"x")
BAD_KEYS = [
    "../etc/passwd",
    "aa/bb/xyz",
    "/etc/passwd",
    "",
    GOOD,  # no prefix directories
    f"{GOOD[:2]}/{GOOD[2:4]}/{GOOD}\n",
    f"{GOOD[:2]}/{GOOD[2:4]}/{GOOD.upper()}",
    f"00/00/{GOOD}",  # prefixes that do not match the hash
    f"{GOOD[:2]}/{GOOD[2:4]}/../../{GOOD}",
    f"{GOOD[:2]}\\{GOOD[2:4]}\\{GOOD}",
]


def test_malformed_keys_are_refused(store: Storage) -> None:
    calls: list[Callable[[str], object]] = [
        store.open,
        store.delete,
        store.exists,
        store.size,
        store.last_modified,
        store.sha256_of,
        store.local_path,
        lambda k: store.download_url(k, download_name="a.pdf", content_type="application/pdf"),
    ]
    for key in BAD_KEYS:
        for call in calls:
            with pytest.raises(ValueError, match="invalid storage key"):
                call(key)


def test_iter_keys_lists_exactly_what_was_saved(
    store: Storage, plant_foreign_objects: Callable[[Storage], None]
) -> None:
    keys = {store.save(io.BytesIO(f"object {i}".encode())).key for i in range(3)}
    plant_foreign_objects(store)
    assert sorted(store.iter_keys()) == sorted(keys)


def test_sha256_of_detects_corruption(store: Storage, corrupt: Callable[[Storage, str], None]) -> None:
    data = payload(10_000, seed=3)
    obj = store.save(io.BytesIO(data))
    assert store.sha256_of(obj.key) == obj.sha256
    corrupt(store, obj.key)
    assert store.sha256_of(obj.key) != obj.sha256


def test_failed_stream_leaves_nothing(store: Storage, bounded_stream: Callable[..., Any]) -> None:
    stream = bounded_stream(payload(3 * MiB, seed=4), fail_after=2 * MiB)
    with pytest.raises(ConnectionResetError):  # the stream's own error, unchanged
        store.save(stream)
    assert list(store.iter_keys()) == []


def test_download_url(store: Storage) -> None:
    data = b"%PDF-1.7 minh chung"
    obj = store.save(io.BytesIO(data))
    name = unicodedata.normalize("NFD", "Đơn đề nghị.pdf")  # as a Mac sends it
    url = store.download_url(obj.key, download_name=name, content_type="application/pdf", expires=60)
    if store.local_path(obj.key) is not None:
        assert url is None  # the app streams the file itself
        return
    assert url is not None
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read()
        disposition = response.headers["Content-Disposition"]
        content_type = response.headers["Content-Type"]
    assert body == data
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.pdf" in disposition
    assert 'filename="Don de nghi.pdf"' in disposition
    assert content_type == "application/pdf"


def test_save_file_with_and_without_a_known_hash(store: Storage, tmp_path) -> None:
    data = payload(200_000, seed=7)
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    hashed = store.save_file(str(path), sha256=sha(data))
    assert (hashed.sha256, hashed.size) == (sha(data), len(data))
    assert path.read_bytes() == data, "the caller's file is left where it was"
    with store.open(hashed.key) as f:
        assert f.read() == data
    again = store.save_file(str(path))
    assert again == hashed and list(store.iter_keys()).count(hashed.key) == 1
