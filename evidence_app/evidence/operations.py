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
from .reading.jobs import copy_reading, schedule, start_reading
from .reading.search import index_document, search


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
    new_links: list[Evidence] = field(default_factory=list)  # a link with `replaces_id` is a resubmission


class UploadRefused(Refused):
    """The file is not accepted; nothing was stored. `message` says why and what to do."""

    def __init__(self, code: str, message, filename: str):
        self.filename = filename
        super().__init__(message, code=code)
        self.args = (f"{filename}: {message}",)


APPROVED = _l("This document has been approved; it cannot be changed any more. To offer another document, upload it.")
NOT_THE_UPLOADER = _l("Only the person who uploaded this document can change it while it waits for review.")
NOT_CORRECTABLE_BY_YOU = _l(
    "This document was sent back; only the person who uploaded it, or staff of the department in charge of the "
    "item, can correct it."
)
REPLACED = _l("This document was sent back and a new version has been sent since: correct the new version instead.")


class NotEditable(Refused):
    """The document stays as it is; the message says why (approved, not the uploader's, replaced already)."""

    code = "not_editable"
    status = 403

    def __init__(self, message=None):
        super().__init__(message or NOT_THE_UPLOADER)


class UnchangedResubmission(Refused):
    """A correction of a sent-back document that changes nothing: the reviewer would see the same thing again."""

    code = "unchanged"
    status = 422

    def __init__(self):
        super().__init__(
            _l(
                "This document was sent back and nothing in it was changed. Correct the details the reviewer "
                "asked for, or upload a corrected file."
            )
        )


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
    sent_back = [link for item in items for link in [_current_sent_back(item)] if link is not None]
    same_bytes = [link for link in sent_back if link.document.sha256 == stored.sha256]
    if same_bytes:  # the same file again, for an item where it was sent back: a resubmission if the details changed
        if all(_metadata(link.document) == fields for link in same_bytes):
            raise UploadRefused(UnchangedResubmission.code, UnchangedResubmission().message, filename)
        existing = None  # a new document (the same bytes in storage) carries the corrected details
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
    start_reading(document)
    index_document(document.id)
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
    schedule(document.id)
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


def _current_sent_back(item: ChecklistItem) -> Evidence | None:
    """The item's latest version sent back and not yet replaced by a new one (of a document not deleted)."""
    newer = aliased(Evidence)
    return db.session.execute(
        select(Evidence)
        .join(Document, Evidence.document_id == Document.id)
        .where(
            Evidence.item_id == item.id,
            Evidence.state == EvidenceState.changes_requested.value,
            Document.deleted_at.is_(None),
            ~select(newer.id).where(newer.replaces_id == Evidence.id).exists(),
        )
        .order_by(Evidence.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _metadata(document: Document) -> DocumentFields:
    return DocumentFields(**{name: getattr(document, name) for name in METADATA})


def _link(document: Document, items: list[ChecklistItem], user: User) -> list[Evidence]:
    existing = _lock_links(document)
    linked = {link.item_id for link in existing}
    new = []
    for item in items:
        if item.id in linked:
            continue
        sent_back = _current_sent_back(item)  # a resubmission: the new version points at the one sent back, which stays
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


def can_change_in_place(document: Document, user: User) -> bool:
    """Staff change or delete their own uploads in place only while no reviewer has decided on them."""
    return (
        document.uploaded_by_id == user.id
        and document.deleted_at is None
        and all(link.state == EvidenceState.submitted.value for link in document.links)
    )


def may_correct(link: Evidence, user: User) -> bool:
    """Who corrects a version sent back: its uploader, who offered it for the item, or staff of the department
    in charge of the item."""
    return (
        link.document.uploaded_by_id == user.id
        or link.linked_by_id == user.id
        or link.item.owner_department_id in {department.id for department in user.departments}
    )


def _sent_back_links(document: Document) -> list[Evidence]:
    """The document's links sent back and not yet replaced by a new version."""
    return [link for link in document.links if link.state == EvidenceState.changes_requested.value and _current(link)]


def _current(link: Evidence) -> bool:
    return db.session.execute(select(Evidence.id).where(Evidence.replaces_id == link.id).limit(1)).first() is None


def edit_refusal(document: Document, user: User):
    """None when `user` may correct the document now (in place while no reviewer has decided on it; as a new
    version of its links sent back); otherwise the real reason, to be shown as it is."""
    if can_change_in_place(document, user):
        return None
    if all(link.state == EvidenceState.submitted.value for link in document.links):
        return NOT_THE_UPLOADER
    sent_back = _sent_back_links(document)
    if sent_back:
        return None if any(may_correct(link, user) for link in sent_back) else NOT_CORRECTABLE_BY_YOU
    if any(link.state == EvidenceState.approved.value for link in document.links):
        return APPROVED
    return REPLACED


def can_edit(document: Document, user: User) -> bool:
    """Whether the page shows "Edit": the document can be corrected by `user`, in place or as a new version."""
    return document.deleted_at is None and edit_refusal(document, user) is None


def _lock_for_edit(document: Document, user: User) -> list[Evidence]:
    """Lock the document's links and read the document afresh, then check that `user` may still change it in
    place."""
    links = _lock_links(document)
    db.session.refresh(document)
    if not can_change_in_place(document, user):
        raise NotEditable(edit_refusal(document, user))
    return links


def update_document(document: Document, fields: DocumentFields, user: User) -> None:
    """Change the metadata and commit. Every link awaiting review moves to a new version in the same transaction:
    a reviewer who opened the document before must look again (review/operations.py)."""
    with service_transaction():
        _update_in_place(document, _lock_for_edit(document, user), fields, user)


def _update_in_place(document: Document, links: list[Evidence], fields: DocumentFields, user: User) -> None:
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
    index_document(document.id)
    audit.record(
        "document.update",
        unit_id=user.unit_id,
        actor_id=user.id,
        object_type="document",
        object_id=document.id,
        data=changes,
    )


def correct_document(document: Document, fields: DocumentFields, user: User) -> Document:
    """Correct what a document says, and commit; the document that now says it is returned.

    Before any decision the uploader changes it in place (update_document). Once it was sent back, the
    correction is a new version for review: a new document with the same file (its bytes are stored once) and
    the corrected details, offered for each item where it was sent back, replacing that version, which stays in
    the history with its review. Anything else is refused with the real reason (NotEditable)."""
    with service_transaction():
        links = _lock_links(document)
        db.session.refresh(document)
        if can_change_in_place(document, user):
            _update_in_place(document, links, fields, user)
            return document
        refusal = edit_refusal(document, user)
        if refusal is not None:
            raise NotEditable(refusal)
        sent_back = [link for link in _sent_back_links(document) if may_correct(link, user)]
        if _metadata(document) == fields:
            raise UnchangedResubmission()
        version = Document(
            unit_id=document.unit_id,
            uploaded_by_id=user.id,
            **{
                name: getattr(document, name)
                for name in (
                    "storage_key",
                    "sha256",
                    "size",
                    "content_type",
                    "filename",
                    "page_count",
                    "thumb_key",
                    "preview_key",
                    "captured_at",
                )
            },
            **vars(fields),
        )
        db.session.add(version)
        db.session.flush()
        copy_reading(document, version)  # the same bytes: what was read from them holds
        index_document(version.id)
        new = []
        for link in sent_back:
            evidence = Evidence(
                document=version,
                item=link.item,
                linked_by_id=user.id,
                state=EvidenceState.submitted.value,
                replaces_id=link.id,
            )
            db.session.add(evidence)
            new.append(evidence)
        db.session.flush()
        _new_versions(version, [], new)
        audit.record(
            "document.resubmit",
            unit_id=user.unit_id,
            actor_id=user.id,
            object_type="document",
            object_id=version.id,
            data={
                "replaces": document.id,
                "items": [link.item.code for link in sent_back],
                "changes": {
                    name: [str(getattr(document, name)), str(value)]
                    for name, value in vars(fields).items()
                    if getattr(document, name) != value
                },
            },
        )
    return version


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
    """Documents of the unit with every word of `query` in their number, summary, file name, issuer or text, without
    accents (reading/search.py), for linking instead of uploading."""
    return [found.document for found in search(unit_id, query, exclude_item=exclude_item, limit=limit)]


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
