"""storage_from_url, key helpers and Content-Disposition: no server needed."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from storage import (
    LocalStorage,
    StorageError,
    check_key,
    content_disposition,
    is_content_key,
    key_for,
    storage_from_url,
)
from storage.s3 import DEFAULT_MULTIPART_THRESHOLD, S3Storage


def test_file_url(tmp_path: Path) -> None:
    store = storage_from_url((tmp_path / "với dấu cách").as_uri())
    assert isinstance(store, LocalStorage)
    assert store.root == str(tmp_path / "với dấu cách")


def test_s3_url_with_every_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    store = storage_from_url(
        "s3://evidence.bucket-1?endpoint_url=http://127.0.0.1:9000&region=ap-southeast-1"
        "&addressing_style=path&presigned=true&multipart_threshold=16777216&max_attempts=3"
        "&connect_timeout=2.5&read_timeout=20"
    )
    assert isinstance(store, S3Storage)
    assert (store.bucket, store.endpoint_url, store.presigned) == (
        "evidence.bucket-1",
        "http://127.0.0.1:9000",
        True,
    )
    assert store.multipart_threshold == 16 * 1024 * 1024
    assert store.client.meta.region_name == "ap-southeast-1"
    config = store.client.meta.config
    assert config.s3 is not None and config.s3["addressing_style"] == "path"
    assert config.signature_version == "s3v4"
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"
    assert config.retries == {"mode": "standard", "total_max_attempts": 4}  # max_attempts=3 retries
    assert (config.connect_timeout, config.read_timeout) == (2.5, 20)


def test_s3_url_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    store = storage_from_url("s3://evidence")
    assert isinstance(store, S3Storage)
    assert (store.endpoint_url, store.presigned) == (None, False)
    assert store.multipart_threshold == DEFAULT_MULTIPART_THRESHOLD
    config = store.client.meta.config
    # a store that does not answer fails a call within 2 × 3 s and the backoff: the request answers 503 within 10 s
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}  # 1 retry
    assert (config.connect_timeout, config.read_timeout) == (3, 3)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("ftp://host/x", "unknown scheme 'ftp'"),
        ("/var/lib/objects", "no scheme"),
        ("file://var/lib/objects", "host part must be empty, not 'var'"),
        ("file:///var/lib/objects?fsync=no", "file URLs take no parameters"),
        ("s3://", "not a valid bucket name"),
        ("s3://Evidence", "'Evidence' is not a valid bucket name"),
        ("s3://ev_idence", "'ev_idence' is not a valid bucket name"),
        ("s3://evidence:9000", "'evidence:9000' is not a valid bucket name"),
        ("s3://evidence/some/prefix", "key prefix ('/some/prefix') is not supported"),
        ("s3://evidence?endpoint=http://x", "unknown parameter 'endpoint'"),
        ("s3://evidence?region=a&region=b", "parameter 'region' is given twice"),
        ("s3://evidence?presigned=maybe", "presigned must be true or false, not 'maybe'"),
        ("s3://evidence?multipart_threshold=8MB", "multipart_threshold must be a positive number of bytes"),
        ("s3://evidence?multipart_threshold=0", "multipart_threshold must be a positive number of bytes"),
        ("s3://evidence?max_attempts=0", "max_attempts must be a number from 1 to 10, not '0'"),
        ("s3://evidence?max_attempts=many", "max_attempts must be a number from 1 to 10"),
        ("s3://evidence?read_timeout=0", "read_timeout must be a number of seconds above 0 and at most 600, not '0'"),
        ("s3://evidence?read_timeout=nan", "read_timeout must be a number of seconds above 0"),
        ("s3://evidence?connect_timeout=1h", "connect_timeout must be a number of seconds above 0"),
        ("s3://evidence?connect_timeout=601", "connect_timeout must be a number of seconds above 0 and at most 600"),
        ("s3://evidence?addressing_style=dns", "addressing_style must be path, virtual or auto, not 'dns'"),
        ("s3://evidence?endpoint_url=127.0.0.1:9000", "endpoint_url must be an http:// or https:// URL"),
        ("s3://evidence?presigned", "cannot parse the parameters"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, complaint: str) -> None:
    with pytest.raises(StorageError) as info:
        storage_from_url(url)
    message = str(info.value)
    assert complaint in message
    assert "Accepted forms: file:///absolute/path, or s3://BUCKET?endpoint_url=" in message


def test_credentials_in_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(StorageError, match="contains credentials") as info:
        storage_from_url("s3://AKIA123:topsecret@evidence")
    assert "topsecret" not in str(info.value)


def test_keys() -> None:
    h = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    assert key_for(h) == f"2d/71/{h}"
    assert check_key(key_for(h)) == key_for(h)
    assert is_content_key(key_for(h))
    assert not is_content_key(None)
    assert not is_content_key(f"2d/72/{h}")
    with pytest.raises(ValueError, match="invalid storage key"):
        check_key(b"2d/71/" + h.encode())


def test_content_disposition_vietnamese_name() -> None:
    value = content_disposition(unicodedata.normalize("NFD", "Đơn đề nghị.docx"))
    assert value == (
        'attachment; filename="Don de nghi.docx"; '
        "filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.docx"
    )


@pytest.mark.parametrize("name", ['a"b\r\nX-Evil: 1.pdf', "../../etc/passwd", "\x00", "фото.jpg", ".env"])
def test_content_disposition_is_header_safe(name: str) -> None:
    value = content_disposition(name)
    assert value.isascii() and value.isprintable()
    assert value.startswith('attachment; filename="')
    fallback = value.split('filename="', 1)[1].split('"; filename*=', 1)[0]
    assert fallback and '"' not in fallback and "/" not in fallback and not fallback.startswith(".")


def test_storage_imports_neither_flask_nor_database_code() -> None:
    code = (
        "import sys, storage, storage.s3\n"
        "bad = {m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug', 'evidence_app', 'checklists'}}\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
