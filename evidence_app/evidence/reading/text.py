"""The text of a document (placeholder interface; filled in by issue 18's text work)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TextResult:
    text: str
    method: str  # "text" (a PDF's text layer), "ocr", "office" (Word, Excel), "none"
    pages: int
    confidence: float | None = None  # OCR: mean word confidence 0–100
    page_confidences: list[float] | None = None
    language: str | None = None


def read_text(path: str, content_type: str, *, languages: str = "vie") -> TextResult:
    raise NotImplementedError
