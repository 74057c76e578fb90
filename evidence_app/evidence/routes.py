"""Checklist items with their evidence, uploading, and serving stored files safely."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..files import get_storage
from ..scoping import document_in_unit, item_in_unit
from .forms import DocumentFieldsForm
from .models import Document, Evidence
from .filecheck import clean_filename
from .operations import UploadRefused, max_upload_bytes, upload_document

bp = Blueprint("evidence", __name__)

PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _item_page(item, form, refusals=(), status=200):
    links = db.session.execute(
        select(Evidence).where(Evidence.item_id == item.id).order_by(Evidence.linked_at.desc())
        .options(selectinload(Evidence.document).selectinload(Document.uploaded_by))
    ).scalars().all()
    return render_template("evidence/item.html", item=item, criterion=item.criterion, area=item.criterion.area,
                           index=item.criterion.area.index, links=links, form=form, refusals=refusals,
                           max_mb=max_upload_bytes() // (1024 * 1024)), status


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    item = item_in_unit(item_id)
    return _item_page(item, DocumentFieldsForm(report_item=item.is_periodic_report))


@bp.post("/items/<int:item_id>/upload")
@login_required
def upload(item_id: int):
    item = item_in_unit(item_id)
    form = DocumentFieldsForm(report_item=item.is_periodic_report)
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not form.validate():
        return _item_page(item, form, status=422)
    if not files:
        flash(_("Choose at least one file to upload."), "error")
        return _item_page(item, form, status=422)
    refusals, accepted = [], []
    for upload_file in files:
        try:
            result = upload_document(upload_file.stream.name, upload_file.filename, user=current_user, items=[item],
                                     fields=form.to_fields(), sha256=upload_file.stream.sha256)
        except UploadRefused as refused:
            refusals.append((refused.filename, str(refused.message)))
            continue
        accepted.append((upload_file.filename, result))
    for filename, result in accepted:
        if result.deduplicated:
            flash(_("%(name)s was uploaded before (as “%(existing)s”); that document is now linked here.",
                    name=clean_filename(filename), existing=result.document.filename), "info")
        else:
            flash(_("%(name)s was uploaded and is waiting for review.", name=result.document.filename), "success")
    if refusals:
        return _item_page(item, DocumentFieldsForm(formdata=None, report_item=item.is_periodic_report),
                          refusals=refusals, status=422)
    return redirect(url_for("evidence.item", item_id=item.id), 303)


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    doc = document_in_unit(document_id)
    links = db.session.execute(select(Evidence).where(Evidence.document_id == doc.id)
                               .options(selectinload(Evidence.item))).scalars().all()
    return render_template("evidence/document.html", document=doc, links=links)


@bp.get("/documents/<int:document_id>/download")
@login_required
def download(document_id: int):
    doc = document_in_unit(document_id)
    url = get_storage().download_url(doc.storage_key, download_name=doc.filename, content_type=doc.content_type)
    if url:
        return redirect(url)
    return _send(doc.storage_key, doc.content_type, doc.filename, inline=False)


@bp.get("/documents/<int:document_id>/preview")
@login_required
def preview(document_id: int):
    """Images: the copy without metadata; PDFs: the file itself, shown inline under a sandboxing policy."""
    doc = document_in_unit(document_id)
    if doc.preview_key:
        return _send(doc.preview_key, _image_type(doc.preview_key), doc.filename, inline=True)
    if doc.is_pdf:
        return _send(doc.storage_key, doc.content_type, doc.filename, inline=True)
    abort(404)


@bp.get("/documents/<int:document_id>/thumb")
@login_required
def thumb(document_id: int):
    doc = document_in_unit(document_id)
    if not doc.thumb_key:
        abort(404)
    return _send(doc.thumb_key, _image_type(doc.thumb_key), doc.filename, inline=True)


def _image_type(key: str) -> str:
    """Previews are PNG (sources with transparency) or JPEG (the rest): tell them apart by their first bytes."""
    with get_storage().open(key) as f:
        return "image/png" if f.read(8) == b"\x89PNG\r\n\x1a\n" else "image/jpeg"


def _send(key: str, content_type: str, filename: str, *, inline: bool):
    storage = get_storage()
    path = storage.local_path(key)
    source = path if path is not None else storage.open(key)
    response = send_file(source, mimetype=content_type, as_attachment=not inline, download_name=filename,
                         conditional=path is not None, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
