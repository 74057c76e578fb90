"""/api/v1: thin routes over the same service functions as the pages (upload, link, edit, decide, measurements,
self-scores, the report), with the same scoping (another unit's object is 404) and the same roles."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import clock
from ..auth.queries import actors_of_unit
from ..catalog.measurements import EntryRefused, add_measurement, parse_entry_day, parse_number, set_self_score
from ..catalog.models import Criterion
from ..catalog.queries import (
    areas_of,
    criterion_in_unit,
    index_in_unit,
    indices_of_unit,
    item_in_unit,
    measurements_of,
    self_score_of,
)
from ..dates import FORMAT_HINT, as_of_day
from ..errors import ApiError
from ..evidence.forms import DocumentFieldsForm
from ..evidence.models import Evidence
from ..evidence.operations import (
    NotEditable,
    can_edit,
    correct_document,
    edit_refusal,
    link_document,
    upload_document,
)
from ..evidence.queries import (
    audit_of_document,
    document_in_unit,
    evidence_in_unit,
    evidence_of_item,
    links_of_document,
    reviews_by_evidence,
)
from ..evidence.reading.models import DocumentReading
from ..evidence.reading.search import MAX_QUERY_LENGTH, latest, search
from ..evidence.reading.view import reading_view
from ..evidence.reasons import REASONS
from ..evidence.states import item_state
from ..evidence.work import my_work
from ..extensions import csrf, db
from ..inputs import LARGEST_ID, MAX_JSON_BYTES, database_id, has_forbidden_characters
from ..permissions import can_enter_figures, can_review, is_admin
from ..reports.build import build_report
from ..reports.exports import to_json
from ..review.operations import decide, is_own
from ..review.queries import waiting_for_review
from . import serialize as s
from .openapi import openapi_document
from .operations import user_for_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token requests need no CSRF token; session requests are checked in authenticate()

DOCUMENT_FIELDS = ("number", "issue_date", "issuer", "summary", "period_start", "period_end", "page_ref", "sent_date")


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, secret = header.strip().partition(" ")
        user = user_for_token(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise ApiError(
                401,
                "invalid_token",
                _l("This API token is not valid: it is unknown or revoked, or its user is disabled."),
            )
        g._login_user = user  # Flask-Login's current_user, for this request only: no session is created
        return
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthenticated", _l("Sign in, or send a valid API token: Authorization: Bearer <token>."))
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # a signed-in browser's cookie alone must not let another site change anything


def _forbidden():
    return ApiError(403, "forbidden", _l("Your role does not allow this."))


def _json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _l("Send the body as JSON (Content-Type: application/json)."))
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise ApiError(413, "too_large", _l("The JSON body is too large (at most 64 KB)."))
    try:  # decimals as Decimal: 1e-400 is not read as 0.0, nor 1e400 as infinity
        body = json.loads(request.get_data(cache=True), parse_float=Decimal)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's parser goes
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", _l("The body must be a JSON object."))
    return body


def _invalid(fields: dict):
    return ApiError(422, "invalid", _l("Some fields are not valid."), fields=fields)


def _text(body: dict, name: str, *, required: bool = False, max_length: int = 4000) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise _invalid({name: [_l("This field is required.")]})
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise _invalid({name: [_l("Expected text of at most %(max)s characters.", max=max_length)]})
    if has_forbidden_characters(value):
        raise _invalid({name: [_l("Remove the control characters (such as NUL) or broken characters from this text.")]})
    return value


def _integer(body: dict, name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LARGEST_ID:
        raise _invalid({name: [_l("Expected a whole number above 0.")]})
    return value


def _number(body: dict, name: str, *, required: bool = True):
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float, str)):
        raise EntryRefused(name, _l("Enter a number, for example 123 or 12,5."))
    return parse_number(value, name)


def _query_id(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return database_id(raw)
    except ValueError:
        raise _invalid({name: [_l("Expected a whole number above 0.")]}) from None


def _form_errors(form) -> dict:
    return {name: list(errors) for name, errors in form.errors.items()}


# ---- the document, who I am, the rubric


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/me")
def me():
    return jsonify(s.me(current_user))


@bp.get("/reasons")
def reasons():
    return jsonify([s.reason(code) for code in REASONS])


@bp.get("/indices")
def indices():
    return jsonify([s.index_summary(i) for i in indices_of_unit()])


@bp.get("/indices/<int:index_id>")
def rubric(index_id: int):
    index = index_in_unit(index_id)
    return jsonify(s.rubric(index, areas_of(index, with_items=True)))


@bp.get("/criteria/<int:criterion_id>")
def criterion(criterion_id: int):
    c = criterion_in_unit(criterion_id)
    score = self_score_of(c)
    return jsonify(
        {
            **s.criterion_summary(c),
            "index_id": c.index_id,
            "area_id": c.area_id,
            "items": [s.item_summary(i) for i in c.items],
            "measurements": _measurements(c),
            "self_score": s.self_score(score),
            "may_enter_figures": can_enter_figures(current_user, c),
        }
    )


# ---- work, items, documents


@bp.get("/my/items")
def my_items():
    today = clock.today()
    return jsonify(
        [
            {
                **s.item_summary(w.item),
                "state": w.state,
                "overdue": w.overdue(today),
                "due_soon": w.due_soon(today),
                "last_review": None if w.last_review is None else s.review(w.last_review),
            }
            for w in my_work(current_user, today)
        ]
    )


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    it = item_in_unit(item_id)
    links = evidence_of_item(it)
    return jsonify(
        {**s.item_summary(it), "state": item_state(links), "evidence": [s.evidence(e, with_item=False) for e in links]}
    )


@bp.post("/items/<int:item_id>/documents")
def upload(item_id: int):
    """One file (multipart field `file`) with what the appraiser checks; the same checks as the upload page."""
    it = item_in_unit(item_id)
    if not request.mimetype.startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type", _l("Send the file as multipart/form-data (field “file”)."))
    form = DocumentFieldsForm(report_item=it.is_periodic_report, meta={"csrf": False})
    if not form.validate():
        raise _invalid(_form_errors(form))
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ApiError(422, "file_required", _l("Choose at least one file to upload."))
    result = upload_document(
        file.stream.name,
        file.filename,
        user=current_user,
        items=[it],
        fields=form.to_fields(),
        sha256=file.stream.sha256,
    )
    return jsonify(
        {
            "document": s.document(result.document),
            "deduplicated": result.deduplicated,
            "evidence": [s.evidence(e, with_document=False) for e in result.new_links],
        }
    ), 201


@bp.post("/items/<int:item_id>/links")
def link(item_id: int):
    """Offer a document already uploaded as evidence for this item too."""
    it = item_in_unit(item_id)
    document_id = _integer(_json_body(), "document_id")
    doc = document_in_unit(document_id)
    created = link_document(doc, [it], current_user)
    evidence = (
        created[0]
        if created
        else db.session.execute(
            select(Evidence).where(Evidence.document_id == doc.id, Evidence.item_id == it.id)
        ).scalar_one()
    )
    return jsonify(s.evidence(evidence)), 201 if created else 200


@bp.get("/documents")
def documents():
    """The unit's documents with every word or quoted phrase of `q` in their number, summary, file name, issuer or
    text (accents not needed), the words found together first; without `q`, the newest. `limit`: 1–100 (20)."""
    typed = request.args.get("q", "")
    if len(typed) > MAX_QUERY_LENGTH:
        raise _invalid({"q": [_l("Expected text of at most %(max)s characters.", max=MAX_QUERY_LENGTH)]})
    limit = _query_id("limit") or 20
    if limit > 100:
        raise _invalid({"limit": [_l("Expected a whole number from 1 to 100.")]})
    if typed.strip():
        found = search(current_user.unit_id, typed, limit=limit)
        return jsonify([{**s.document(f.document), "snippet": f.snippet_text, "phrase": f.phrase} for f in found])
    newest = latest(current_user.unit_id, limit=limit)
    return jsonify([{**s.document(d), "snippet": None, "phrase": False} for d in newest])


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    doc = document_in_unit(document_id)
    links = links_of_document(doc)
    return jsonify(
        {
            **s.document(doc),
            "editable": can_edit(doc, current_user),
            "evidence": [s.evidence(e, with_document=False) for e in links],
            "reading": s.reading(db.session.get(DocumentReading, doc.id), reading_view(doc, links)),
        }
    )


@bp.patch("/documents/<int:document_id>")
def edit_document(document_id: int):
    """Correct what was entered with the upload; fields left out stay as they are. Before any decision the
    uploader changes the document itself (200). Once it was sent back, its uploader (or staff of the department in
    charge) sends the correction as a new version for review: a new document with the same file, answered 201
    with `replaces` (the document sent back) and its evidence."""
    doc = document_in_unit(document_id)
    refusal = edit_refusal(doc, current_user)
    if refusal is not None:
        raise NotEditable(refusal)
    body = _json_body()
    current = {name: getattr(doc, name) for name in DOCUMENT_FIELDS}
    values = MultiDict()
    for name in DOCUMENT_FIELDS:
        value = _text(body, name) if name in body else current[name]
        if value is not None:
            values[name] = value.isoformat() if isinstance(value, date) else value
    form = DocumentFieldsForm(
        formdata=values, meta={"csrf": False}, report_item=any(e.item.is_periodic_report for e in doc.links)
    )
    if not form.validate():
        raise _invalid(_form_errors(form))
    version = correct_document(doc, form.to_fields(), current_user)
    if version.id == doc.id:
        return jsonify({**s.document(doc), "editable": can_edit(doc, current_user)})
    body = {
        **s.document(version),
        "editable": can_edit(version, current_user),
        "replaces": doc.id,
        "evidence": [s.evidence(e, with_document=False) for e in links_of_document(version)],
    }
    return jsonify(body), 201, {"Location": url_for("api.document", document_id=version.id)}


@bp.get("/documents/<int:document_id>/audit")
def document_audit(document_id: int):
    """The document's audit trail (administrators, as on the audit page)."""
    if not is_admin(current_user):
        raise _forbidden()
    doc = document_in_unit(document_id)
    events = audit_of_document(doc)
    actors = actors_of_unit()
    return jsonify([s.audit_event(e, actors) for e in events])


# ---- review


@bp.get("/review/queue")
def review_queue():
    if not can_review(current_user):
        raise _forbidden()
    filters = {
        name: value for name in ("index", "area", "department", "uploader") if (value := _query_id(name)) is not None
    }
    waiting = waiting_for_review(filters)
    return jsonify([s.evidence(e, own=is_own(e, current_user)) for e in waiting])


@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    e = evidence_in_unit(evidence_id)
    reviews = reviews_by_evidence([e.id]).get(e.id, [])
    return jsonify({**s.evidence(e, own=is_own(e, current_user)), "reviews": [s.review(r) for r in reviews]})


@bp.post("/evidence/<int:evidence_id>/decision")
def decision(evidence_id: int):
    """Approve, or send back with a coded reason. `version` is the one the reviewer saw: if someone decided
    since, the answer is 409 and nothing is overwritten."""
    if not can_review(current_user):
        raise _forbidden()
    e = evidence_in_unit(evidence_id)
    body = _json_body()
    version = _integer(body, "version")
    chosen = _text(body, "decision", required=True, max_length=40)
    reason_code = _text(body, "reason", max_length=40)
    comment = _text(body, "comment")
    review = decide(e, current_user, chosen, expected_version=version, reason_code=reason_code, comment=comment)
    return jsonify({"review": s.review(review), "evidence": s.evidence(e, own=False)})


# ---- figures: measurements and self-scores


def _measurements(c: Criterion) -> list[dict]:
    return [s.measurement(m) for m in measurements_of(c)]


@bp.get("/criteria/<int:criterion_id>/measurements")
def measurements(criterion_id: int):
    return jsonify(_measurements(criterion_in_unit(criterion_id)))


@bp.post("/criteria/<int:criterion_id>/measurements")
def new_measurement(criterion_id: int):
    c = criterion_in_unit(criterion_id)
    if not can_enter_figures(current_user, c):
        raise _forbidden()
    body = _json_body()
    numerator = _number(body, "numerator")
    denominator = _number(body, "denominator", required=False)
    measured_on = parse_entry_day(_text(body, "measured_on", required=True, max_length=20), "measured_on")
    m = add_measurement(
        c,
        current_user,
        numerator=numerator,
        denominator=denominator,
        measured_on=measured_on,
        source=_text(body, "source", required=True) or "",
    )
    return jsonify(s.measurement(m)), 201


@bp.put("/criteria/<int:criterion_id>/self-score")
def put_self_score(criterion_id: int):
    c = criterion_in_unit(criterion_id)
    if not can_review(current_user):
        raise _forbidden()
    body = _json_body()
    score = set_self_score(
        c, current_user, _number(body, "score"), note=_text(body, "note"), explanation=_text(body, "explanation")
    )
    return jsonify(s.self_score(score))


# ---- the report


@bp.get("/report")
def report():
    """The completeness report, the same JSON as `minhchung report --format json`."""
    as_of = as_of_day(request.args.get("as_of"))
    if as_of is None:
        raise _invalid({"as_of": [FORMAT_HINT]})
    return Response(to_json(build_report(current_user.unit, as_of)), content_type="application/json")
