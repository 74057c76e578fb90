"""The upload pipeline: one service used by the web pages, the CLI and the API.

Order of writes: the file is checked by its content, its bytes go to storage (content-addressed, so a
second copy of the same bytes costs nothing), then the rows are added and committed. A failure after the
bytes are stored leaves at most an orphan object, which `minhchung storage verify --gc` sweeps; never a row
that points at nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..auth.models import User
from ..catalog.models import ChecklistItem
from ..errors import Refused
from ..extensions import db
from ..files import get_storage, upload_tmp_dir
from ..history import change_standing_at
from ..sqltypes import utcnow
from ..transactions import service_transaction
from .filecheck import IMAGE_KINDS, FileRefused, check_file, clean_filename
from .models import Document, DocumentHistory, Evidence, EvidenceState, EvidenceVersion
from .previews import make_previews
from .queries import what_reviewers_see


@dataclass
class DocumentFields:
    """What an appraiser checks on a document, entered with the upload."""

    number: str | None = None  # số hiệu (for a report: its dispatch number)
    issue_date: date | None = None
    issuer: str | None = None
    summary: str | None = None  # trích yếu
    period_start: date | None = None
    period_end: date | None = None
    page_ref: str | None = None
    sent_date: date | None = None  # when a report was sent


METADATA = tuple(DocumentFields.__dataclass_fields__)  # what update_document changes and DocumentHistory keeps


def metadata_as_of(document: Document, cutoff: datetime) -> DocumentFields:
    """What the document said just before `cutoff` (its metadata then), from its history."""
    kept = change_standing_at(DocumentHistory, DocumentHistory.document_id, document.id, cutoff)
    return DocumentFields(**{name: getattr(kept if kept is not None else document, name) for name in METADATA})


@dataclass
class UploadResult:
    document: Document
    deduplicated: bool  # the unit already had these exact bytes as a document
    new_links: list[Evidence] = field(default_factory=list)


class UploadRefused(Refused):
    """The file is not accepted; nothing was stored. `message` says why and what to do."""

    def __init__(self, code: str, message, filename: str):
        self.filename = filename
        super().__init__(message, code=code)
        self.args = (f"{filename}: {message}",)


class NotEditable(Refused):
    """Not the uploader's document, or a reviewer has decided on it (perhaps a moment ago): it stays as it is."""

    code = "not_editable"
    status = 403

    def __init__(self):
        super().__init__(_l("Only the uploader changes a document, and only until a reviewer has decided on it."))


class ChangedMeanwhile(Refused):
    """Someone changed the document or decided on it between our reading and our writing; nothing was written."""

    code = "conflict"
    status = 409

    def __init__(self):
        super().__init__(_l("Someone else changed this first; nothing was overwritten."))


def max_upload_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def upload_document(
    path: str | os.PathLike,
    filename: str,
    *,
    user: User,
    items: list[ChecklistItem],
    fields: DocumentFields,
    sha256: str | None = None,
) -> UploadResult:
    """Check, store and record one file as evidence for `items` (all of the user's unit), and commit.

    `sha256`, when the caller already hashed the bytes while receiving them (the web upload does), lets a
    local store take the file without reading it again."""
    for item in items:
        if item.unit_id != user.unit_id:
            raise ValueError("checklist items must belong to the uploader's unit")
    try:
        checked = check_file(path, filename, max_bytes=max_upload_bytes())
    except FileRefused as refused:
        raise UploadRefused(refused.code, refused.message, refused.filename or filename) from None
    display_name = clean_filename(filename, checked.extension)
    storage = get_storage()
    stored = storage.save_file(os.fspath(path), sha256=sha256)

    audit.hold_the_chain()  # the same new file sent twice at once must make one document, not two
    existing = db.session.execute(
        select(Document)
        .where(Document.unit_id == user.unit_id, Document.sha256 == stored.sha256, Document.deleted_at.is_(None))
        .order_by(Document.id)
        .limit(1)
    ).scalar_one_or_none()
    if existing is not None:
        new_links = _link(existing, items, user)
        if not new_links:  # nothing changed (a folder import run again): nothing to record
            db.session.commit()
            return UploadResult(existing, deduplicated=True, new_links=new_links)
        audit.record(
            "document.upload_duplicate",
            unit_id=user.unit_id,
            actor_id=user.id,
            object_type="document",
            object_id=existing.id,
            data={"filename": display_name, "items": [e.item.code for e in new_links]},
        )
        db.session.commit()
        return UploadResult(existing, deduplicated=True, new_links=new_links)

    thumb_key = preview_key = None
    if checked.kind in IMAGE_KINDS:
        thumb_key, preview_key = _store_previews(path, checked.kind)
    if fields.issue_date is None and checked.taken_at is not None:
        fields.issue_date = checked.taken_at.date()  # a photo's capture date is the best document date we have
    document = Document(
        unit_id=user.unit_id,
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        content_type=checked.content_type,
        filename=display_name,
        page_count=checked.page_count,
        uploaded_by_id=user.id,
        thumb_key=thumb_key,
        preview_key=preview_key,
        captured_at=checked.taken_at.replace(tzinfo=None) if checked.taken_at else None,
        **vars(fields),
    )
    db.session.add(document)
    db.session.flush()
    new_links = _link(document, items, user)
    audit.record(
        "document.upload",
        unit_id=user.unit_id,
        actor_id=user.id,
        object_type="document",
        object_id=document.id,
        data={
            "filename": display_name,
            "sha256": stored.sha256,
            "size": stored.size,
            "items": [e.item.code for e in new_links],
        },
    )
    db.session.commit()
    return UploadResult(document, deduplicated=False, new_links=new_links)


def link_document(document: Document, items: list[ChecklistItem], user: User) -> list[Evidence]:
    """Offer an existing document as evidence for more items (upload once, link many times), and commit."""
    links = add_links(document, items, user)
    db.session.commit()
    return links


def add_links(document: Document, items: list[ChecklistItem], user: User) -> list[Evidence]:
    """link_document without the commit, for a caller whose transaction holds more (a rubric import)."""
    for item in items:
        if item.unit_id != user.unit_id or document.unit_id != user.unit_id:
            raise ValueError("document and items must belong to the user's unit")
    links = _link(document, items, user)
    if links:
        audit.record(
            "document.link",
            unit_id=user.unit_id,
            actor_id=user.id,
            object_type="document",
            object_id=document.id,
            data={"items": [e.item.code for e in links]},
        )
    return links


def _link(document: Document, items: list[ChecklistItem], user: User) -> list[Evidence]:
    existing = _lock_links(document)
    linked = {link.item_id for link in existing}
    new = []
    for item in items:
        if item.id in linked:
            continue
        newer = aliased(Evidence)
        sent_back = db.session.execute(  # a resubmission: the new version points at the one sent back, which stays
            select(Evidence)
            .where(
                Evidence.item_id == item.id,
                Evidence.state == EvidenceState.changes_requested.value,
                ~select(newer.id).where(newer.replaces_id == Evidence.id).exists(),
            )
            .order_by(Evidence.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        evidence = Evidence(
            document=document,
            item=item,
            linked_by_id=user.id,
            state=EvidenceState.submitted.value,
            replaces_id=sent_back.id if sent_back else None,
        )
        db.session.add(evidence)
        linked.add(item.id)
        new.append(evidence)
    db.session.flush()
    if new:  # the items a document is offered for are part of what its reviewers see
        _new_versions(document, existing, new)
    return new


def _lock_links(document: Document) -> list[Evidence]:
    """The document's links read afresh and, on PostgreSQL, locked until the commit (SELECT … FOR UPDATE): a
    decision on one of them (review/operations.py locks the same row) either waits for this transaction or was
    taken before and is seen here. SQLite serialises writers instead."""
    if document.id is None:
        return []
    statement = select(Evidence).where(Evidence.document_id == document.id).order_by(Evidence.id).with_for_update()
    return list(db.session.execute(statement.execution_options(populate_existing=True)).scalars())


def _new_versions(document: Document, links: list[Evidence], new: list[Evidence]) -> None:
    """What reviewers see of `document` changed (its metadata or its links): each of `links` still awaiting
    review moves to a new version, by compare-and-set (UPDATE … WHERE version = the one read), so that a decision
    naming the version before is refused; and what each new version (and each link in `new`) shows is kept."""
    moved = [link for link in links if link.state == EvidenceState.submitted.value]
    for link in moved:
        link.version += 1
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ChangedMeanwhile() from None
    shown = what_reviewers_see(document)
    for link in [*moved, *new]:
        db.session.add(EvidenceVersion(evidence_id=link.id, version=link.version, shown=shown))
    db.session.flush()


def can_edit(document: Document, user: User) -> bool:
    """Staff change or delete only their own uploads, and only while no reviewer has decided on them."""
    return (
        document.uploaded_by_id == user.id
        and document.deleted_at is None
        and all(link.state == EvidenceState.submitted.value for link in document.links)
    )


def _lock_for_edit(document: Document, user: User) -> list[Evidence]:
    """Lock the document's links and read the document afresh, then check that `user` may still change it."""
    links = _lock_links(document)
    db.session.refresh(document)
    if not can_edit(document, user):
        raise NotEditable()
    return links


def update_document(document: Document, fields: DocumentFields, user: User) -> None:
    """Change the metadata and commit. Every link awaiting review moves to a new version in the same transaction:
    a reviewer who opened the document before must look again (review/operations.py)."""
    with service_transaction():
        links = _lock_for_edit(document, user)
        changes = {
            name: [str(getattr(document, name)), str(value)]
            for name, value in vars(fields).items()
            if getattr(document, name) != value
        }
        if not changes:
            return
        db.session.add(  # the metadata as it was stays in the history: a report as of an earlier day reads it
            DocumentHistory(
                document_id=document.id, changed_by_id=user.id, **{name: getattr(document, name) for name in METADATA}
            )
        )
        for name, value in vars(fields).items():
            setattr(document, name, value)
        _new_versions(document, links, [])
        audit.record(
            "document.update",
            unit_id=user.unit_id,
            actor_id=user.id,
            object_type="document",
            object_id=document.id,
            data=changes,
        )


def delete_document(document: Document, user: User) -> None:
    """A soft delete: the row and its bytes stay (and stay in the audit trail); the document disappears from
    every list, report and download."""
    with service_transaction():
        links = _lock_for_edit(document, user)
        document.deleted_at = utcnow()
        _new_versions(document, links, [])  # a decision taken on the page opened before is refused
        audit.record(
            "document.delete",
            unit_id=user.unit_id,
            actor_id=user.id,
            object_type="document",
            object_id=document.id,
            data={"filename": document.filename, "sha256": document.sha256},
        )


def search_documents(unit_id: int, query: str, *, exclude_item: int | None = None, limit: int = 20) -> list[Document]:
    """Documents of the unit whose number, summary or file name contains `query` (for linking instead of uploading)."""
    pattern = f"%{query.strip()}%"
    statement = (
        select(Document)
        .where(
            Document.unit_id == unit_id,
            Document.deleted_at.is_(None),
            Document.number.ilike(pattern) | Document.summary.ilike(pattern) | Document.filename.ilike(pattern),
        )
        .order_by(Document.uploaded_at.desc())
        .limit(limit)
    )
    if exclude_item is not None:
        statement = statement.where(
            ~select(Evidence.id).where(Evidence.document_id == Document.id, Evidence.item_id == exclude_item).exists()
        )
    return db.session.execute(statement).scalars().all()


def _store_previews(path, kind: str) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(dir=upload_tmp_dir()) as out_dir:
        made = make_previews(path, kind, out_dir)
        keys = []
        for name in ("thumb", "preview"):
            with open(made[name], "rb") as f:
                keys.append(get_storage().save(f).key)
    return keys[0], keys[1]


def stored_keys(document: Document) -> list[str]:
    return [k for k in (document.storage_key, document.thumb_key, document.preview_key) if k]
