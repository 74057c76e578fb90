"""Digital signatures of a PDF (placeholder interface)."""

from __future__ import annotations


def read_signatures(path: str, trust_roots: str | None) -> list[dict]:
    raise NotImplementedError
