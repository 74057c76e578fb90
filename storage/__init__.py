"""Where evidence bytes live: one small interface, backends for the local disk and S3.

    from storage import storage_from_url
    store = storage_from_url("file:///var/lib/minhchung/objects")
    obj = store.save(stream)            # StoredObject(key, size, sha256)
    with store.open(obj.key) as f: ...

No Flask, no database: the application keeps file names, content types and owners in its rows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

from storage.base import (
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    check_key,
    content_disposition,
    is_content_key,
    key_for,
)
from storage.local import LocalStorage

if TYPE_CHECKING:
    from storage.s3 import S3Storage

__all__ = [
    "LocalStorage",
    "ObjectNotFound",
    "S3Storage",
    "Storage",
    "StorageError",
    "StoredObject",
    "check_key",
    "content_disposition",
    "is_content_key",
    "key_for",
    "storage_from_url",
]

ACCEPTED_FORMS = (
    "file:///absolute/path, or s3://BUCKET?endpoint_url=http://HOST:PORT&region=REGION"
    "&addressing_style=path|virtual|auto&presigned=true|false&multipart_threshold=BYTES&max_attempts=N"
    "&connect_timeout=SECONDS&read_timeout=SECONDS "
    "(every s3 parameter is optional; credentials come from AWS_ACCESS_KEY_ID / "
    "AWS_SECRET_ACCESS_KEY or the AWS profile, never from the URL)"
)
_S3_PARAMS = (
    "endpoint_url",
    "region",
    "addressing_style",
    "presigned",
    "multipart_threshold",
    "max_attempts",
    "connect_timeout",
    "read_timeout",
)
MAX_TIMEOUT = 600
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def __getattr__(name: str) -> object:  # import boto3 only when S3 is used
    if name == "S3Storage":
        from storage.s3 import S3Storage

        return S3Storage
    raise AttributeError(f"module 'storage' has no attribute {name!r}")


def storage_from_url(url: str) -> Storage:
    """Build a backend from a storage URL; StorageError says which part is wrong."""

    try:
        parts = urlsplit(url)
        port = parts.port  # validates the port too
    except ValueError as exc:
        raise _bad(url, str(exc)) from None
    if parts.username is not None or parts.password is not None:
        raise StorageError(
            f"invalid storage URL: it contains credentials (user:password@); remove them and set "
            f"AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY instead. Accepted forms: {ACCEPTED_FORMS}"
        )
    if parts.fragment:
        raise _bad(url, f"unexpected fragment '#{parts.fragment}'")

    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise _bad(url, f"the host part must be empty, not '{parts.netloc}' (use three slashes: file:///path)")
        if not parts.path.startswith("/"):
            raise _bad(url, "the path must be absolute")
        if parts.query:
            raise _bad(url, f"file URLs take no parameters, got '?{parts.query}'")
        return LocalStorage(unquote(parts.path))

    if parts.scheme == "s3":
        bucket = parts.hostname or ""
        if port is not None or bucket != parts.netloc or not _BUCKET_RE.fullmatch(bucket):
            raise _bad(url, f"'{parts.netloc}' is not a valid bucket name (3-63 of a-z 0-9 . -)")
        if parts.path not in ("", "/"):
            raise _bad(url, f"a key prefix ('{parts.path}') is not supported; use a bucket of its own")
        params = _s3_params(url, parts.query)
        from storage.s3 import (
            DEFAULT_CONNECT_TIMEOUT,
            DEFAULT_MAX_ATTEMPTS,
            DEFAULT_MULTIPART_THRESHOLD,
            DEFAULT_READ_TIMEOUT,
            S3Storage,
        )

        threshold = DEFAULT_MULTIPART_THRESHOLD
        if "multipart_threshold" in params:
            value = params["multipart_threshold"]
            if not value.isdigit() or int(value) < 1:
                raise _bad(url, f"multipart_threshold must be a positive number of bytes, not '{value}'")
            threshold = int(value)
        attempts = params.get("max_attempts", str(DEFAULT_MAX_ATTEMPTS))
        if not attempts.isdigit() or not 1 <= int(attempts) <= 10:
            raise _bad(url, f"max_attempts must be a number from 1 to 10, not '{attempts}'")
        timeouts = {
            name: _seconds(url, name, params.get(name), default)
            for name, default in (("connect_timeout", DEFAULT_CONNECT_TIMEOUT), ("read_timeout", DEFAULT_READ_TIMEOUT))
        }
        style = params.get("addressing_style", "auto")
        if style not in ("path", "virtual", "auto"):
            raise _bad(url, f"addressing_style must be path, virtual or auto, not '{style}'")
        presigned = params.get("presigned", "false").lower()
        if presigned not in _BOOLS:
            raise _bad(url, f"presigned must be true or false, not '{params['presigned']}'")
        endpoint = params.get("endpoint_url")
        if endpoint is not None:
            ep = urlsplit(endpoint)
            if ep.scheme not in ("http", "https") or not ep.netloc:
                raise _bad(url, f"endpoint_url must be an http:// or https:// URL, not '{endpoint}'")
        return S3Storage(
            bucket,
            endpoint_url=endpoint,
            region=params.get("region") or None,
            addressing_style=style,
            presigned=_BOOLS[presigned],
            multipart_threshold=threshold,
            max_attempts=int(attempts),
            **timeouts,
        )

    raise _bad(url, f"unknown scheme '{parts.scheme}'" if parts.scheme else "no scheme")


def _bad(url: str, problem: str) -> StorageError:
    return StorageError(f"invalid storage URL {url!r}: {problem}. Accepted forms: {ACCEPTED_FORMS}")


def _seconds(url: str, name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses nan and inf
        raise _bad(url, f"{name} must be a number of seconds above 0 and at most {MAX_TIMEOUT}, not '{value}'")
    return seconds


def _s3_params(url: str, query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise _bad(url, f"cannot parse the parameters '?{query}'") from None
    for name, value in pairs:
        if name not in _S3_PARAMS:
            raise _bad(url, f"unknown parameter '{name}' (known: {', '.join(_S3_PARAMS)})")
        if name in params:
            raise _bad(url, f"parameter '{name}' is given twice")
        params[name] = value
    return params
