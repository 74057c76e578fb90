"""Objects in an S3 bucket (AWS S3, OpenStack Swift's s3api, MinIO, …) under their content key."""

from __future__ import annotations

import base64
import builtins
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from storage.base import (
    CHUNK_SIZE,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    check_key,
    content_disposition,
    copy_hashing,
    is_content_key,
    key_for,
)

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's (and Swift s3api's) smallest multipart part
DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024  # boto3's default
# A store that does not answer fails a call within about (1 + DEFAULT_MAX_ATTEMPTS) × DEFAULT_READ_TIMEOUT + the
# backoff (≈ 7 s), so that the request can answer 503 well within 10 s; a slow store needs larger values.
DEFAULT_MAX_ATTEMPTS = 1  # retries after the first attempt
DEFAULT_CONNECT_TIMEOUT = 3.0  # seconds to open a connection
DEFAULT_READ_TIMEOUT = 3.0  # seconds to wait for any bytes of an answer
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600  # SigV4 limit

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_AUTH = {"403", "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken"}
_DIGEST = {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"}


class _BodyReader(io.RawIOBase):
    """A botocore StreamingBody as a raw stream, so io.BufferedReader can make it a real file."""

    def __init__(self, body: Any, describe: str) -> None:
        self._body = body
        self._describe = describe

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._body.read(len(buffer))
        except (BotoCoreError, OSError) as exc:
            raise StorageError(
                f"reading {self._describe} failed midway: {exc}. Retry; if it persists, check the S3 server."
            ) from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Storage(Storage):
    """Content-addressed objects in one bucket.

    Credentials come from the usual boto3 chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
    a profile, an instance role), never from the storage URL.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        addressing_style: str = "auto",
        presigned: bool = False,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.presigned = presigned
        self.multipart_threshold = multipart_threshold
        config = Config(
            signature_version="s3v4",
            # payload_signing_enabled: the SigV4 signature covers the SHA-256 of every request body
            # even over https, so the store verifies the bytes it receives; Swift 2.30's s3api
            # ignores x-amz-checksum-sha256 but does check this.
            s3={"addressing_style": addressing_style, "payload_signing_enabled": True},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            # a store that is down, refuses a connection or does not answer: retried with exponential backoff and
            # jitter, then a StorageError the user sees (HTTP 503); short timeouts find a dead endpoint out quickly
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region, config=config)
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=max(multipart_threshold, MIN_PART_SIZE),
        )

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, endpoint_url={self.endpoint_url!r})"

    # -- errors -------------------------------------------------------------------------------

    def _error(self, exc: Exception, action: str, key: str | None) -> StorageError:
        where = f"s3://{self.bucket}/{key}" if key else f"s3://{self.bucket}"
        if self.endpoint_url:
            where += f" at {self.endpoint_url}"
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            code = str(err.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _NOT_FOUND and key:
                return ObjectNotFound(f"no object {where}")
            if code == "NoSuchBucket" or (key is None and code in {"404", "NotFound"}):
                hint = "the bucket does not exist: create it with `minhchung storage init`"
            elif code in _AUTH:
                hint = (
                    "the server refused the request: check the credentials (AWS_ACCESS_KEY_ID / "
                    "AWS_SECRET_ACCESS_KEY or the AWS profile) and the bucket's permissions"
                )
            elif code in _DIGEST:
                hint = "the server received different bytes than were sent; retry the upload"
            else:
                hint = "see the S3 server's logs"
            detail = f"{code} {err.get('Message', '')}".strip()
            return StorageError(f"S3 {action} of {where} failed: {detail} (HTTP {status}); {hint}.")
        if isinstance(exc, NoCredentialsError):
            return StorageError(
                f"S3 {action} of {where} failed: no credentials found; set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment."
            )
        if isinstance(exc, Boto3Error) and isinstance(exc.__cause__, Exception):
            return self._error(exc.__cause__, action, key)  # e.g. S3UploadFailedError(ClientError)
        return StorageError(
            f"S3 {action} of {where} failed: {exc}; check endpoint_url in the storage URL and that "
            "the server is running."
        )

    def _call(self, action: str, key: str | None, fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except (ClientError, BotoCoreError, Boto3Error) as exc:
            raise self._error(exc, action, key) from exc

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=key)
            return head
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND:
                return None
            raise self._error(exc, "HEAD", key) from exc
        except BotoCoreError as exc:
            raise self._error(exc, "HEAD", key) from exc

    def _head_existing(self, key: str) -> dict[str, Any]:
        head = self._head(check_key(key))
        if head is None:
            raise ObjectNotFound(f"no object s3://{self.bucket}/{key}")
        return head

    # -- the interface ------------------------------------------------------------------------

    def save(self, stream: BinaryIO) -> StoredObject:
        # The key is known only once every byte is hashed: spool to a temporary file first.
        with tempfile.NamedTemporaryFile(prefix="minhchung-s3-") as spool:

            def spool_error(exc: OSError) -> StorageError:
                return StorageError(
                    f"could not spool the upload to {spool.name}: {exc.strerror or exc}; "
                    "free space in the temporary directory (TMPDIR)."
                )

            def write(chunk: bytes) -> None:  # errors from reading the stream itself pass unchanged
                try:
                    spool.write(chunk)
                except OSError as exc:
                    raise spool_error(exc) from exc

            digest, size = copy_hashing(stream, write)
            try:
                spool.flush()
            except OSError as exc:
                raise spool_error(exc) from exc
            return self._upload(spool.name, StoredObject(key=key_for(digest), size=size, sha256=digest))

    def save_file(self, path: str, *, sha256: str | None = None) -> StoredObject:
        """With ``sha256`` known, the file is uploaded from where it is, without spooling a copy."""
        if sha256 is None:
            return super().save_file(path)
        return self._upload(path, StoredObject(key=key_for(sha256), size=os.path.getsize(path), sha256=sha256))

    def _upload(self, path: str, obj: StoredObject) -> StoredObject:
        head = self._head(obj.key)
        if head is not None and head["ContentLength"] == obj.size:
            return obj  # already stored
        metadata = {"sha256": obj.sha256}
        if obj.size < self.multipart_threshold:
            checksum = base64.b64encode(bytes.fromhex(obj.sha256)).decode("ascii")
            with builtins.open(path, "rb") as body:
                self._call(
                    "upload",
                    obj.key,
                    self.client.put_object,
                    Bucket=self.bucket,
                    Key=obj.key,
                    Body=body,
                    ContentLength=obj.size,
                    ContentType="application/octet-stream",
                    Metadata=metadata,
                    ChecksumSHA256=checksum,  # a store that checks it rejects altered bytes
                )
        else:  # upload_file reads each part from disk: memory stays bounded
            self._call(
                "multipart upload",
                obj.key,
                self.client.upload_file,
                Filename=path,
                Bucket=self.bucket,
                Key=obj.key,
                Config=self._transfer,
                ExtraArgs={"ContentType": "application/octet-stream", "Metadata": metadata},
            )
        head = self._head(obj.key)
        stored_size = None if head is None else head["ContentLength"]
        stored_sha = None if head is None else head.get("Metadata", {}).get("sha256")
        if stored_size != obj.size or stored_sha != obj.sha256:
            raise StorageError(
                f"S3 upload of s3://{self.bucket}/{obj.key} could not be verified: the server reports "
                f"size {stored_size} and sha256 {stored_sha}, expected {obj.size} and {obj.sha256}; retry the upload."
            )
        return obj

    def open(self, key: str) -> BinaryIO:
        check_key(key)
        response = self._call("download", key, self.client.get_object, Bucket=self.bucket, Key=key)
        raw = _BodyReader(response["Body"], f"s3://{self.bucket}/{key}")
        return io.BufferedReader(raw, buffer_size=CHUNK_SIZE)

    def delete(self, key: str) -> None:
        check_key(key)
        self._call("delete", key, self.client.delete_object, Bucket=self.bucket, Key=key)

    def exists(self, key: str) -> bool:
        return self._head(check_key(key)) is not None

    def size(self, key: str) -> int:
        return int(self._head_existing(key)["ContentLength"])

    def last_modified(self, key: str) -> datetime:
        modified: datetime = self._head_existing(key)["LastModified"]
        return modified.astimezone(UTC)

    def iter_keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket):
                for item in page.get("Contents", []):
                    if is_content_key(item["Key"]):  # anything else was not stored by us
                        yield item["Key"]
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, "listing", None) from exc

    def download_url(self, key: str, *, download_name: str, content_type: str, expires: int = 300) -> str | None:
        check_key(key)
        if not self.presigned:
            return None
        if not 1 <= expires <= MAX_PRESIGN_EXPIRES:
            raise ValueError(f"expires must be between 1 and {MAX_PRESIGN_EXPIRES} seconds, not {expires}")
        url: str = self._call(
            "presign",
            key,
            self.client.generate_presigned_url,
            ClientMethod="get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": content_disposition(download_name),
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires,
        )
        return url

    def check_ready(self) -> None:
        """The bucket exists and answers (a missing one is named, with the command that creates it)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, "HEAD bucket", None) from exc

    def create_bucket_if_missing(self) -> bool:
        """Create the bucket unless it exists; True if it was created."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return False
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) not in {"404", "NoSuchBucket", "NotFound"}:
                raise self._error(exc, "HEAD bucket", None) from exc
        except BotoCoreError as exc:
            raise self._error(exc, "HEAD bucket", None) from exc
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        region = self.client.meta.region_name
        if region and region != "us-east-1":  # us-east-1 refuses an explicit LocationConstraint
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self.client.create_bucket(**kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "BucketAlreadyOwnedByYou":
                return False
            raise self._error(exc, "create bucket", None) from exc
        except BotoCoreError as exc:
            raise self._error(exc, "create bucket", None) from exc
        return True
