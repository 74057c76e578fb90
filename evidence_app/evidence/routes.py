"""Checklist items with their evidence, uploading, and serving stored files safely."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice

from storage import StorageError

from .. import clock
from ..auth.queries import users_of_unit
from ..catalog.forms import AssignForm
from ..catalog.queries import item_in_unit
from ..errors import session_ended, too_large_page
from ..extensions import db
from ..files import get_storage
from ..forms import ActionForm
from ..inputs import database_id
from ..permissions import is_admin
from .filecheck import clean_filename
from .forms import DocumentFieldsForm
from .office_previews import PreviewUnavailable, stored_preview
from .operations import (
    METADATA,
    NotEditable,
    UploadRefused,
    can_change_in_place,
    can_edit,
    correct_document,
    delete_document,
    edit_refusal,
    link_document,
    max_upload_bytes,
    search_documents,
    upload_document,
)
from .queries import document_in_unit, evidence_of_item, links_of_document, reviews_by_evidence
from .reading.search import MAX_QUERY_LENGTH, latest, search
from .reading.view import reading_view
from .reasons import REASONS
from .states import APPROVED, current_item_states, item_state
from .work import STATES, WorkFilter, my_work, progress_by_index, reminders

bp = Blueprint("evidence", __name__)


@bp.app_template_global("item_states")
def item_states_global(items) -> dict[int, str]:
    """For pages of other features that list checklist items (the criterion page): each item's state."""
    return current_item_states([item.id for item in items])


PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


OUTCOME = "upload-outcome"  # where the item page shows what an upload did, just above the evidence list


def _item_page(item, form, refusals=(), status=200, new_ids=(), outcome=False, resumed=False):
    """The item's page. `outcome`: show what the upload just did (the links `new_ids` it made, the files it
    refused) in a banner above the evidence, where the page opens (#upload-outcome)."""
    links = evidence_of_item(item, newest_first=True)
    new_links = [link for link in links if link.id in set(new_ids)]
    reviews = reviews_by_evidence([e.id for e in links])
    readings = {link.id: reading_view(link.document, [link]) for link in links if link.state == "submitted"}
    query = (request.args.get("q") or "").strip()
    found = search_documents(current_user.unit_id, query, exclude_item=item.id) if query else []
    assign_form = None
    if is_admin(current_user):
        assign_form = AssignForm(owner_department=item.owner_department_id, assignee=item.assignee_id or 0)
        assign_form.owner_department.choices = [
            SelectChoice(d.id, d.name) for d in item.criterion.area.index.unit.departments
        ]
        assign_form.assignee.choices = [SelectChoice(0, "—")] + [
            SelectChoice(u.id, u.display_name) for u in users_of_unit(active_only=True)
        ]
    return render_template(
        "evidence/item.html",
        item=item,
        criterion=item.criterion,
        area=item.criterion.area,
        index=item.criterion.area.index,
        links=links,
        reviews=reviews,
        readings=readings,
        form=form,
        refusals=refusals,
        new_links=new_links,
        outcome=outcome or bool(new_links),
        resumed=resumed,
        state=item_state(links),
        query=query,
        found=found,
        assign_form=assign_form,
        action_form=ActionForm(),
        editable=lambda doc: can_edit(doc, current_user),
        outcome_anchor=OUTCOME,
        max_mb=max_upload_bytes() // (1024 * 1024),
        max_files=current_app.config["MAX_FILES_PER_UPLOAD"],
    ), status


@bp.get("/my")
@login_required
def my_work_page():
    """Cards on a phone, a table on a wide screen; narrowed by the query string. Approved items fold away."""
    today = clock.today()
    work = my_work(current_user, today)
    wanted = WorkFilter.from_args(request.args)
    shown = [w for w in work if wanted.admits(w, today)]
    return render_template(
        "evidence/my_work.html",
        work=work,
        open_work=[w for w in shown if w.state != APPROVED],
        approved=[w for w in shown if w.state == APPROVED],
        wanted=wanted,
        states=STATES,
        progress=progress_by_index(work),
        reminders=reminders(work, today),
        today=today,
    )


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    """`uploaded=12-13`: the links an upload just made, announced above the evidence; the document fields in the
    query (after a session ended during an upload) fill the upload form again."""
    item = item_in_unit(item_id)
    new_ids = [int(part) for part in (request.args.get("uploaded") or "").split("-") if part.isdigit()]
    resumed = any(request.args.get(name) for name in METADATA)
    form = DocumentFieldsForm(formdata=request.args if resumed else None, report_item=item.is_periodic_report)
    return _item_page(item, form, new_ids=new_ids, resumed=resumed)


def _typed_fields() -> dict[str, str]:
    """What was typed in the document fields of the form being sent, to be put back after signing in again."""
    return {name: value[:2000] for name in METADATA for value in [request.form.get(name, "").strip()] if value}


@bp.errorhandler(CSRFError)
def stale_form(error):
    """A form of these pages sent after the session ended (or with a stale token): sign in again and come back to
    the same item or document, with what was typed."""
    view_args = request.view_args or {}
    if "item_id" in view_args:
        back = url_for("evidence.item", item_id=view_args["item_id"], **_typed_fields(), _anchor="upload-form")
    elif request.endpoint == "evidence.edit":
        back = url_for("evidence.edit", document_id=view_args["document_id"], **_typed_fields())
    else:
        back = url_for("evidence.document", document_id=view_args["document_id"])
    return session_ended(back, kept=_("What you typed will be in the form again (choose the files again)."))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Nothing of the request was read; the way back to the item's upload form."""
    if _wants_json():
        return jsonify(
            errors={"files": [_("The file is larger than the %(mb)s MB limit.", mb=max_upload_bytes() // 1048576)]}
        ), 413
    item_id = (request.view_args or {}).get("item_id")
    return too_large_page(url_for("evidence.item", item_id=item_id, _anchor="upload-form") if item_id else None)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/items/<int:item_id>/upload")
def upload(item_id: int):
    """Several files at once; each is accepted or refused on its own. The page's script sends the same form
    and reads JSON (for its progress bar); without script, the answer is the page. Either way the upload ends on
    the item's page, at a banner above the evidence that says what became of each file; what was typed stays in
    the form while a file was refused."""
    if not current_user.is_authenticated:  # the session ended while the form was open: sign in, come back
        back = url_for("evidence.item", item_id=item_id, **_typed_fields(), _anchor="upload-form")
        return session_ended(back, 401, kept=_("What you typed will be in the form again (choose the files again)."))
    item = item_in_unit(item_id)
    form = DocumentFieldsForm(report_item=item.is_periodic_report)
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not form.validate():
        if _wants_json():
            return jsonify(errors={name: [str(e) for e in errors] for name, errors in form.errors.items()}), 422
        return _item_page(item, form, outcome=True, status=422)
    limit = current_app.config["MAX_FILES_PER_UPLOAD"]
    message = None
    if not files:
        message = _("Choose at least one file to upload.")
    elif len(files) > limit:  # refused before any is stored: a request must end well within the server's time
        message = _(
            "%(count)d files were chosen, but at most %(limit)d can be uploaded at once. Nothing was uploaded: "
            "choose at most %(limit)d files and upload the others in another round.",
            count=len(files),
            limit=limit,
        )
    if message:
        if _wants_json():
            return jsonify(errors={"files": [message]}), 422
        return _item_page(item, form, refusals=[("", message)], outcome=True, status=422)
    store_down = _(
        "The file store cannot be reached, so this file was not saved. Try again in a few minutes; if it "
        "goes on, tell the IT office."
    )
    refusals, accepted, storage_failed = [], [], False
    for upload_file in files:
        if storage_failed:  # not tried: each file would wait for the store as long again
            refusals.append((clean_filename(upload_file.filename), store_down))
            continue
        try:
            result = upload_document(
                upload_file.stream.name,
                upload_file.filename,
                user=current_user,
                items=[item],
                fields=form.to_fields(),
                sha256=upload_file.stream.sha256,
            )
        except UploadRefused as refused:
            refusals.append((refused.filename, str(refused.message)))
            continue
        except StorageError as exc:  # nothing of this file was recorded; the files before it were
            db.session.rollback()
            current_app.logger.error("upload of %r not stored: %s", upload_file.filename, exc)
            storage_failed = True
            refusals.append((clean_filename(upload_file.filename), store_down))
            continue
        if not result.new_links:  # these bytes are evidence here already: nothing was recorded
            refusals.append((clean_filename(upload_file.filename), _already_here(result.document, item)))
            continue
        accepted.append((upload_file.filename, result))
    new_ids = [link.id for _name, result in accepted for link in result.new_links]
    done = url_for("evidence.item", item_id=item.id, uploaded="-".join(map(str, new_ids)), _anchor=OUTCOME)
    status = 503 if storage_failed and not accepted else 422 if refusals else 200
    if _wants_json():
        return jsonify(
            accepted=[
                {
                    "name": r.document.filename,
                    "document": r.document.id,
                    "deduplicated": r.deduplicated,
                    "evidence": [link.id for link in r.new_links],
                }
                for _n, r in accepted
            ],
            refused=[{"name": n, "reason": reason} for n, reason in refusals],
            next=done if accepted else None,
        ), 200 if accepted else status
    if refusals:  # the page itself, with the form as it was typed (only the files must be chosen again)
        return _item_page(item, form, refusals=refusals, new_ids=new_ids, outcome=True, status=status)
    return redirect(done, 303)


def _already_here(document, item) -> str:
    """Why an upload recorded nothing: the file is this item's evidence already, and what to do instead."""
    state = next((link.state for link in document.links if link.item_id == item.id), None)
    if state == "approved":
        return _("This file is already evidence for this item, and it was approved; nothing was changed.")
    if state == "changes_requested":
        return _("This file was sent back for this item and a newer version has been sent since; nothing was changed.")
    return _(
        "This file is already evidence for this item and waits for review; nothing was changed. To correct its "
        "details, use “Edit” beside it."
    )


@bp.post("/items/<int:item_id>/link")
@login_required
def link(item_id: int):
    """Offer a document already uploaded (for another item) as evidence here too, instead of uploading it again."""
    item = item_in_unit(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    doc = document_in_unit(request.form.get("document_id", type=database_id) or 0)
    if link_document(doc, [item], current_user):
        flash(_("%(name)s is now evidence for this item too.", name=doc.filename), "success")
    return redirect(url_for("evidence.item", item_id=item.id), 303)


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@login_required
def edit(document_id: int):
    """Staff correct what they entered: in place while no reviewer has decided on the document; once it was
    sent back, as a new version for review (operations.correct_document). Otherwise the page says why not."""
    doc = document_in_unit(document_id)
    refusal = edit_refusal(doc, current_user)
    if refusal is not None:
        raise NotEditable(refusal)
    report_item = any(e.item.is_periodic_report for e in doc.links)
    resumed = request.method == "GET" and any(request.args.get(name) for name in METADATA)
    if request.method == "POST":
        form = DocumentFieldsForm(report_item=report_item)
    elif resumed:
        form = DocumentFieldsForm(formdata=request.args, report_item=report_item)
    else:
        form = DocumentFieldsForm(obj=doc, report_item=report_item)
    in_place = can_change_in_place(doc, current_user)
    if form.validate_on_submit():
        version = correct_document(doc, form.to_fields(), current_user)
        if version.id == doc.id:
            flash(_("Saved."), "success")
            return redirect(url_for("evidence.document", document_id=doc.id), 303)
        [first, *_more] = version.links
        ids = "-".join(str(link.id) for link in version.links)
        return redirect(url_for("evidence.item", item_id=first.item_id, uploaded=ids, _anchor=OUTCOME), 303)
    sent_back = [] if in_place else [link for link in doc.links if link.state == "changes_requested"]
    page = render_template(
        "evidence/edit.html",
        document=doc,
        form=form,
        in_place=in_place,
        sent_back=sent_back,
        reviews=reviews_by_evidence([link.id for link in sent_back]),
        resumed=resumed,
    )
    return page, 422 if form.errors else 200


@bp.post("/documents/<int:document_id>/delete")
@login_required
def delete(document_id: int):
    doc = document_in_unit(document_id)
    if not can_change_in_place(doc, current_user):
        raise NotEditable(edit_refusal(doc, current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    item_id = doc.links[0].item_id if doc.links else None
    delete_document(doc, current_user)
    flash(_("%(name)s was deleted.", name=doc.filename), "success")
    return redirect(url_for("evidence.item", item_id=item_id) if item_id else url_for("evidence.my_work_page"), 303)


@bp.get("/documents")
@login_required
def documents():
    """The unit's documents: those with every word typed in their number, summary, file name, issuer or text
    (without accents; a quoted phrase as it stands), or the newest when nothing was typed."""
    typed = (request.args.get("q") or "").strip()
    too_long = len(typed) > MAX_QUERY_LENGTH
    found = search(current_user.unit_id, typed, limit=50) if typed and not too_long else []
    newest = [] if typed else latest(current_user.unit_id, limit=30)
    page = render_template(
        "evidence/documents.html",
        typed=typed,
        found=found,
        newest=newest,
        too_long=too_long,
        max_length=MAX_QUERY_LENGTH,
    )
    return page, 422 if too_long else 200


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    doc = document_in_unit(document_id)
    links = links_of_document(doc)
    return render_template(
        "evidence/document.html",
        document=doc,
        links=links,
        reading=reading_view(doc, links),
        metadata=METADATA,
        reasons=REASONS,
        editable=can_edit(doc, current_user),
        deletable=can_change_in_place(doc, current_user),
        action_form=ActionForm(),
    )


@bp.get("/documents/<int:document_id>/reading")
@login_required
def reading_state(document_id: int):
    """Whether the document has been read yet: the document page asks every few seconds while it is being read."""
    doc = document_in_unit(document_id)
    view = reading_view(doc, [])
    return jsonify(status=view.status if view else None)


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
    if doc.is_office_text:
        try:
            shown = stored_preview(doc.storage_key, doc.content_type)
        except PreviewUnavailable:
            shown = None
        response = current_app.make_response(render_template("evidence/office_preview.html", doc=doc, preview=shown))
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "private, no-store"
        return response
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
    response = send_file(
        source,
        mimetype=content_type,
        as_attachment=not inline,
        download_name=filename,
        conditional=path is not None,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
