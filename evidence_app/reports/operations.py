"""Writes of the reports: the leader's signed self-assessment dossier, kept as evidence."""

from __future__ import annotations

import os
from datetime import date

from .. import audit
from ..auth.models import User
from ..catalog.models import Index
from ..evidence.operations import DocumentFields, upload_document
from ..extensions import db
from ..transactions import service_transaction
from .models import SignedDossier


def sign_off_dossier(
    index: Index,
    user: User,
    path: str | os.PathLike,
    filename: str,
    *,
    as_of: date,
    sha256: str | None = None,
) -> SignedDossier:
    """Keep the dossier of `index` as of `as_of`, signed by the unit's leader: the file goes through the upload
    service (checked by its content, stored, recorded as a document of the unit, refused whole with
    `UploadRefused`), then is recorded as the index's signed dossier of that day."""
    if index.unit_id != user.unit_id:
        raise ValueError("the index must belong to the user's unit")
    fields = DocumentFields(
        summary=f"Hồ sơ tự đánh giá {index.code} năm {index.year}, số liệu đến ngày {as_of:%d/%m/%Y} (đã ký)",
    )
    document = upload_document(path, filename, user=user, items=[], fields=fields, sha256=sha256).document
    with service_transaction():
        signed = SignedDossier(index_id=index.id, document_id=document.id, as_of=as_of, uploaded_by_id=user.id)
        db.session.add(signed)
        db.session.flush()
        audit.record(
            "dossier.signed",
            unit_id=user.unit_id,
            actor_id=user.id,
            object_type="index",
            object_id=index.id,
            data={
                "index": index.code,
                "year": index.year,
                "as_of": as_of.isoformat(),
                "document": document.id,
                "filename": document.filename,
            },
        )
    return signed
