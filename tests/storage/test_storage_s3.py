"""S3 backend specifics, on moto and (when S3_TEST_ENDPOINT_URL is set) on a real Swift s3api server."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from storage import ObjectNotFound, StorageError
from storage.s3 import S3Storage
from tests.s3_servers import SWIFT_ENDPOINT

MiB = 1024 * 1024


def payload(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def record_calls(store: S3Storage) -> Counter[str]:
    """Count the S3 operations the store's client performs from now on."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    store.client.meta.events.register("before-call.s3", count)
    return calls


def test_multipart_above_threshold_keeps_sha256_metadata(s3_store: S3Storage) -> None:
    data = payload(11 * MiB + 7, seed=10)  # threshold and part size are 5 MiB in these tests
    calls = record_calls(s3_store)
    obj = s3_store.save(io.BytesIO(data))

    assert calls["CreateMultipartUpload"] == 1 and calls["CompleteMultipartUpload"] == 1
    assert calls["UploadPart"] == 3 and calls["PutObject"] == 0
    head = s3_store.client.head_object(Bucket=s3_store.bucket, Key=obj.key)
    assert head["ETag"].strip('"').endswith("-3")  # a multipart object: its ETag is no plain hash
    assert head["Metadata"]["sha256"] == obj.sha256 == hashlib.sha256(data).hexdigest()
    assert head["ContentLength"] == len(data)
    assert s3_store.sha256_of(obj.key) == obj.sha256
    assert list(s3_store.iter_keys()) == [obj.key]


def test_single_put_sends_checksum_and_signed_payload_hash(s3_store: S3Storage) -> None:
    data = b"small evidence"
    digest = hashlib.sha256(data)
    sent: list[dict[str, str]] = []

    def capture(request: Any, **_: Any) -> None:
        sent.append(dict(request.headers))

    s3_store.client.meta.events.register("before-send.s3.PutObject", capture)
    obj = s3_store.save(io.BytesIO(data))

    assert len(sent) == 1
    headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in sent[0].items()}
    assert headers["x-amz-checksum-sha256"] == base64.b64encode(digest.digest()).decode()
    assert headers["x-amz-content-sha256"] == digest.hexdigest()  # covered by the signature
    assert headers["x-amz-meta-sha256"] == obj.sha256
    head = s3_store.client.head_object(Bucket=s3_store.bucket, Key=obj.key)
    assert head["Metadata"] == {"sha256": obj.sha256}


def test_second_save_of_same_bytes_uploads_nothing(s3_store: S3Storage) -> None:
    first = s3_store.save(io.BytesIO(b"once"))
    calls = record_calls(s3_store)
    assert s3_store.save(io.BytesIO(b"once")) == first
    assert set(calls) == {"HeadObject"}


def test_open_returns_a_file_object(s3_store: S3Storage) -> None:
    data = payload(3 * MiB, seed=11)
    obj = s3_store.save(io.BytesIO(data))
    with s3_store.open(obj.key) as f:
        assert isinstance(f, io.BufferedIOBase) and f.readable()
        assert f.read(5) == data[:5]
        buffer = bytearray(10)
        assert f.readinto(buffer) == 10 and bytes(buffer) == data[5:15]
        assert f.read() == data[15:]
        assert f.read(1) == b""
    assert f.closed


# moto accepts any credentials and verifies no payload hash: these run on the real server only (in CI, Swift).
ON_SIGNATURE_CHECKING_SERVERS = pytest.mark.parametrize("s3_store", ["swift"] if SWIFT_ENDPOINT else [], indirect=True)


@ON_SIGNATURE_CHECKING_SERVERS
def test_wrong_secret_key_is_refused(s3_store: S3Storage, s3_connect: Callable[..., S3Storage]) -> None:
    intruder = s3_connect(secret_key="not-the-secret")
    with pytest.raises(StorageError, match=r"HTTP 403.*check the credentials"):
        intruder.save(io.BytesIO(b"forged"))
    with pytest.raises(StorageError, match=r"SignatureDoesNotMatch.*check the credentials"):
        list(intruder.iter_keys())
    assert list(s3_store.iter_keys()) == []


@ON_SIGNATURE_CHECKING_SERVERS
def test_bytes_altered_in_transit_are_refused(s3_store: S3Storage) -> None:
    data = b"the original evidence"

    def alter(request: Any, **_: Any) -> None:  # after signing, as a faulty network would
        request.body = data.upper()

    s3_store.client.meta.events.register("before-send.s3.PutObject", alter)
    with pytest.raises(StorageError, match="BadDigest"):
        s3_store.save(io.BytesIO(data))
    assert list(s3_store.iter_keys()) == []


def test_presigned_false_gives_no_url(s3_store: S3Storage, s3_connect: Callable[..., S3Storage]) -> None:
    obj = s3_store.save(io.BytesIO(b"streamed by the app"))
    streaming = s3_connect(presigned="false")
    assert streaming.download_url(obj.key, download_name="a.pdf", content_type="application/pdf") is None
    assert streaming.local_path(obj.key) is None


def test_download_url_expiry_is_bounded(s3_store: S3Storage) -> None:
    obj = s3_store.save(io.BytesIO(b"x"))
    for expires in (0, 8 * 24 * 3600):
        with pytest.raises(ValueError, match="expires"):
            s3_store.download_url(obj.key, download_name="a", content_type="text/plain", expires=expires)


def test_missing_bucket_is_a_clear_error(s3_connect: Callable[..., S3Storage]) -> None:
    nowhere = s3_connect(bucket=f"t-missing-{uuid.uuid4().hex[:16]}")
    with pytest.raises(StorageError, match="`minhchung storage init`"):
        nowhere.save(io.BytesIO(b"x"))
    with pytest.raises(StorageError, match="`minhchung storage init`") as info:
        nowhere.open("2d/71/2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881")
    assert not isinstance(info.value, ObjectNotFound)
    with pytest.raises(StorageError, match="`minhchung storage init`"):  # the readiness probe's call
        nowhere.check_ready()


def test_create_bucket_if_missing_is_idempotent(s3_store: S3Storage) -> None:
    assert s3_store.create_bucket_if_missing() is False
