"""The storage interface: where evidence bytes live, addressed by their SHA-256.

A backend stores opaque bytes under a key derived from their SHA-256 (``ab/cd/abcd…``), so the same
bytes are stored once and a key can never be built from user input.  File names, content types and
owners live in the database, never here.
"""

from __future__ import annotations

import builtins
import hashlib
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, TypeGuard
from urllib.parse import quote

#: bytes read from an upload stream at a time; a stream is never read whole
CHUNK_SIZE = 1024 * 1024

_KEY_RE = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str  # hex digest of the stored bytes


class StorageError(Exception):
    """A storage operation failed; the message says what failed and what to do."""


class ObjectNotFound(StorageError):
    """No object is stored under this key."""


def key_for(sha256_hex: str) -> str:
    """The content key for a SHA-256 hex digest: ``h[:2]/h[2:4]/h``."""
    return f"{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}"


def is_content_key(key: object) -> TypeGuard[str]:
    """True for a well-formed content key (``xx/yy/<64 lowercase hex>`` whose prefixes match)."""
    if not isinstance(key, str):
        return False
    m = _KEY_RE.fullmatch(key)
    return m is not None and m[3][:2] == m[1] and m[3][2:4] == m[2]


def check_key(key: object) -> str:
    """Return ``key`` if it is a content key, else raise ValueError (so nothing can escape the root)."""
    if not is_content_key(key):
        raise ValueError(
            f"invalid storage key {key!r}: keys have the form 'xx/yy/<64 hex digits of the SHA-256>' "
            "and come only from Storage.save()"
        )
    return key


def copy_hashing(stream: BinaryIO, write: Callable[[bytes], object]) -> tuple[str, int]:
    """Copy ``stream`` to ``write`` in CHUNK_SIZE pieces; return (sha256 hex, size).

    Exceptions raised by ``stream.read`` (e.g. a client that disconnected) propagate unchanged.
    """
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
        write(chunk)
    return digest.hexdigest(), size


def hash_stream(stream: BinaryIO) -> str:
    """SHA-256 hex digest of everything left in ``stream``, read in chunks."""
    return copy_hashing(stream, lambda _chunk: None)[0]


_UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f/\\]")


def content_disposition(download_name: str) -> str:
    """``attachment`` with an ASCII ``filename=`` fallback and an RFC 6266/5987 ``filename*=``.

    The name is normalised to NFC (Apple clients send NFD); control characters and path separators
    are replaced, so the value is safe in a header.
    """
    name = _UNSAFE_NAME_CHARS.sub("_", unicodedata.normalize("NFC", download_name)).strip() or "download"
    # Đ/đ have no Unicode decomposition: map them by hand so "Đơn" falls back to "Don", not "on".
    ascii_name = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii").replace('"', "_").strip()
    if not ascii_name or ascii_name.startswith("."):
        ascii_name = "download" + ascii_name
    quoted = quote(name, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"


EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # of zero bytes


class Storage(ABC):
    """Content-addressed object storage.  Keys come only from :meth:`save`."""

    @abstractmethod
    def save(self, stream: BinaryIO) -> StoredObject:
        """Store everything readable from ``stream`` (read in chunks, hashed while copying).

        Storing bytes that are already stored returns the same key and does not store a copy.
        """

    def save_file(self, path: str, *, sha256: str | None = None) -> StoredObject:
        """Store the file at ``path`` (the caller keeps and removes it).

        ``sha256`` is for a caller that hashed the bytes while writing the file (an upload being
        received): a backend may then take the file without reading it again. It must be right.
        """
        with builtins.open(path, "rb") as f:
            return self.save(f)

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary file object (use it as a context manager); ObjectNotFound if absent."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; deleting an absent key is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int: ...

    @abstractmethod
    def last_modified(self, key: str) -> datetime:
        """When the object was stored, tz-aware UTC (for the garbage collector's grace period)."""

    @abstractmethod
    def iter_keys(self) -> Iterator[str]:
        """Every stored object's key (for scrubbing and garbage collection)."""

    def check_ready(self) -> None:
        """Raise StorageError unless the store answers and can take files (a readiness probe: one cheap call)."""
        self.exists(key_for(EMPTY_SHA256))

    def sha256_of(self, key: str) -> str:
        """Re-hash the stored bytes by streaming them (``storage verify``)."""
        with self.open(key) as f:
            return hash_stream(f)

    def download_url(self, key: str, *, download_name: str, content_type: str, expires: int = 300) -> str | None:
        """A URL the browser can download from directly, or None: the app then streams open(key)."""
        check_key(key)
        return None

    def local_path(self, key: str) -> str | None:
        """The object's path on the local disk (for send_file), or None for remote backends."""
        check_key(key)
        return None
