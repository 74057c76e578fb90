"""Fixtures for the storage contract suite: one `store` per backend.

Backends: ``local`` (tmp_path), ``moto`` (moto's ThreadedMotoServer, one per session) and ``swift``
(a real S3 server, included when S3_TEST_ENDPOINT_URL is set; if it is set and the server does not
answer, the swift tests fail instead of skipping).  Start Swift with:

    eval "$(bash scripts/s3-swift.sh start /tmp/minhchung-swift)"
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from storage import LocalStorage, Storage, storage_from_url
from storage.s3 import S3Storage
from tests.s3_servers import SWIFT_ENDPOINT, S3Target

MiB = 1024 * 1024
TEST_MULTIPART_THRESHOLD = 5 * MiB
MAX_READ = 8 * MiB

S3_BACKENDS = ["moto"] + (["swift"] if SWIFT_ENDPOINT else [])
BACKENDS = ["local", *S3_BACKENDS]


def connect(
    monkeypatch: pytest.MonkeyPatch,
    target: S3Target,
    bucket: str,
    *,
    secret_key: str | None = None,
    **params: str,
) -> S3Storage:
    """An S3Storage built the way the app builds it: storage URL + credentials in the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", target.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret_key or target.secret_key)
    for var in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    query = {
        "endpoint_url": target.endpoint_url,
        "region": target.region,
        "addressing_style": "path",
        "presigned": "true",
        "multipart_threshold": str(TEST_MULTIPART_THRESHOLD),
        **params,
    }
    store = storage_from_url(f"s3://{bucket}?{urlencode(query)}")
    assert isinstance(store, S3Storage)
    return store


def _empty_and_remove_bucket(store: S3Storage) -> None:
    try:
        for page in store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket):
            for item in page.get("Contents", []):
                store.client.delete_object(Bucket=store.bucket, Key=item["Key"])
        store.client.delete_bucket(Bucket=store.bucket)
    except Exception:  # best effort: the server is a throwaway
        pass


def _make_store(backend: str, request: pytest.FixtureRequest) -> Storage:
    if backend == "local":
        tmp_path = request.getfixturevalue("tmp_path")
        return storage_from_url((tmp_path / "objects").as_uri())
    target: S3Target = request.getfixturevalue(f"{backend}_target")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    store = connect(monkeypatch, target, f"t-{uuid.uuid4().hex[:24]}")
    assert store.create_bucket_if_missing() is True
    request.addfinalizer(lambda: _empty_and_remove_bucket(store))
    return store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Storage:
    """A fresh, empty store of every backend in turn."""
    return _make_store(request.param, request)


@pytest.fixture(params=S3_BACKENDS)
def s3_store(request: pytest.FixtureRequest) -> S3Storage:
    """A fresh, empty S3 bucket on moto and (when configured) Swift."""
    s = _make_store(request.param, request)
    assert isinstance(s, S3Storage)
    return s


@pytest.fixture
def s3_backend(s3_store: S3Storage, request: pytest.FixtureRequest) -> str:
    """Which S3 server `s3_store` is on: "moto" or "swift"."""
    name: str = request.node.callspec.params["s3_store"]
    return name


@pytest.fixture
def s3_connect(
    s3_store: S3Storage, s3_backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., S3Storage]:
    """Another S3Storage on the same server (and by default the same bucket) with other settings."""
    target: S3Target = request.getfixturevalue(f"{s3_backend}_target")

    def make(*, bucket: str | None = None, secret_key: str | None = None, **params: str) -> S3Storage:
        return connect(monkeypatch, target, bucket or s3_store.bucket, secret_key=secret_key, **params)

    return make


@pytest.fixture
def local_store(tmp_path: os.PathLike[str]) -> LocalStorage:
    return LocalStorage(os.path.join(tmp_path, "objects"))


# Helpers are handed to the tests as fixtures, so the suite works under any --import-mode.


@pytest.fixture
def bounded_stream() -> type[BoundedReadStream]:
    return BoundedReadStream


@pytest.fixture
def corrupt() -> Callable[[Storage, str], None]:
    return _corrupt


@pytest.fixture
def plant_foreign_objects() -> Callable[[Storage], None]:
    return _plant_foreign_objects


# -- streams ------------------------------------------------------------------------------------


class BoundedReadStream(io.RawIOBase):
    """Serves ``data`` but fails the test if read() is asked for everything or more than 8 MiB."""

    def __init__(self, data: bytes, fail_after: int | None = None) -> None:
        self._view = memoryview(data)
        self._pos = 0
        self._fail_after = fail_after
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > MAX_READ:
            raise AssertionError(f"read({size!r}) would load the whole upload into memory")
        self.largest_read = max(self.largest_read, size)
        if self._fail_after is not None and self._pos >= self._fail_after:
            raise ConnectionResetError("client went away mid-upload")
        chunk = bytes(self._view[self._pos : self._pos + size])
        self._pos += len(chunk)
        return chunk

    def readall(self) -> bytes:
        raise AssertionError("readall() would load the whole upload into memory")


# -- backend-specific tampering, so the contract tests stay generic -----------------------------


def _corrupt(store: Storage, key: str) -> None:
    """Change the stored bytes behind the backend's back."""
    if isinstance(store, LocalStorage):
        path = store.local_path(key)
        assert path is not None
        with open(path, "r+b") as f:
            first = f.read(1)
            f.seek(0)
            f.write(bytes([first[0] ^ 0x01]))
    elif isinstance(store, S3Storage):
        with store.open(key) as f:
            data = bytearray(f.read())
        data[0] ^= 0x01
        store.client.put_object(Bucket=store.bucket, Key=key, Body=bytes(data))
    else:  # pragma: no cover
        raise NotImplementedError(type(store))


def _plant_foreign_objects(store: Storage) -> None:
    """Things in the store that save() did not create; iter_keys must not list them."""
    if isinstance(store, LocalStorage):
        root = store.root
        with open(os.path.join(root, ".tmp", "upload-crashed"), "wb") as f:
            f.write(b"partial")
        with open(os.path.join(root, "README"), "wb") as f:
            f.write(b"not an object")
        os.makedirs(os.path.join(root, "ab", "cd"), exist_ok=True)
        with open(os.path.join(root, "ab", "cd", "not-a-hash"), "wb") as f:
            f.write(b"x")
    elif isinstance(store, S3Storage):
        for key in ("README", "ab/cd/not-a-hash", "uploads/" + "0" * 64):
            store.client.put_object(Bucket=store.bucket, Key=key, Body=b"x")
    else:  # pragma: no cover
        raise NotImplementedError(type(store))
