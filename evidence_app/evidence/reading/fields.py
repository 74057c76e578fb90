"""Metadata proposed from a document's text (placeholder interface)."""

from __future__ import annotations


def propose_fields(text: str) -> dict[str, str]:
    raise NotImplementedError
