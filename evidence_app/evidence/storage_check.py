"""The store checked against the documents: every object a document refers to is there and holds the bytes its key
names (`storage verify`, and `restore` after putting the files back)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..files import get_storage
from .models import Document


@dataclass
class StoreCheck:
    documents: int = 0
    expected: dict[str, list[int]] = field(default_factory=dict)  # key → the documents that refer to it
    stored: set[str] = field(default_factory=set)
    missing: list[dict] = field(default_factory=list)
    corrupt: list[dict] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.missing and not self.corrupt


def check_store() -> StoreCheck:
    """Re-hash every object a document refers to; list the missing and the corrupt ones."""
    storage = get_storage()
    result = StoreCheck()
    for doc_id, key, thumb, preview in db.session.execute(
        select(Document.id, Document.storage_key, Document.thumb_key, Document.preview_key)
    ):
        result.documents += 1
        for k in (key, thumb, preview):
            if k:
                result.expected.setdefault(k, []).append(doc_id)
    result.stored = set(storage.iter_keys())
    expected = result.expected
    result.missing = [{"key": k, "documents": ids} for k, ids in sorted(expected.items()) if k not in result.stored]
    for key in sorted(result.stored & expected.keys()):
        actual = storage.sha256_of(key)
        if actual != key.rsplit("/", 1)[-1]:  # the key is the hash of the bytes it must hold
            result.corrupt.append({"key": key, "documents": expected[key], "sha256": actual})
    return result
