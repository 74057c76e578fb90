"""Reading documents and evidence inside the signed-in user's unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from ..scoping import one_in_unit_or_404
from .models import Document, Evidence


def document_in_unit(document_id: int) -> Document:
    return one_in_unit_or_404(
        select(Document).where(
            Document.id == document_id, Document.unit_id == current_user.unit_id, Document.deleted_at.is_(None)
        )
    )


def evidence_in_unit(evidence_id: int) -> Evidence:
    return one_in_unit_or_404(
        select(Evidence)
        .join(Document)
        .where(Evidence.id == evidence_id, Document.unit_id == current_user.unit_id, Document.deleted_at.is_(None))
    )
