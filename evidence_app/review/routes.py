"""The review queue: oldest first, filtered; one document at a time beside its metadata and the item's
acceptance notes; decisions by keyboard; several approved at once."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..dates import show_day
from ..evidence.models import Evidence, EvidenceState
from ..evidence.queries import evidence_in_unit
from ..evidence.reading.view import prechecks_of_links, reading_view
from ..evidence.reasons import REASONS
from ..inputs import database_id
from ..permissions import reviewer_required
from .operations import ChangedSinceSeen, ReviewConflict, ReviewRefused, decide, is_own
from .queries import decisions_on_item, filter_choices, latest_decision, waiting_count, waiting_for_review

bp = Blueprint("review", __name__, url_prefix="/review")


FILTERS = ("index", "area", "department", "uploader")

SHOWN = {  # what a reviewer sees beside the file (evidence.queries.what_reviewers_see), as the page names it
    "number": _l("Document number"),
    "issue_date": _l("Issue date"),
    "sent_date": _l("Date sent"),
    "issuer": _l("Issued by"),
    "summary": _l("Summary"),
    "period_start": _l("Period from"),
    "period_end": _l("Period to"),
    "page_ref": _l("Page or section that proves it"),
    "items": _l("Checklist items"),
}


DAYS = ("issue_date", "sent_date", "period_start", "period_end")  # kept as ISO text


def _readable(field: str, value) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(value)
    return show_day(date.fromisoformat(value)) if field in DAYS else str(value)


@bp.app_context_processor
def review_menu():
    """The menu shows reviewers how many documents wait (computed only when a page's menu asks)."""
    return {"review_waiting": waiting_count}


def current_filters() -> dict:
    return {name: value for name in FILTERS if (value := request.args.get(name, type=database_id)) is not None}


@bp.get("/")
@reviewer_required
def queue():
    filters = current_filters()
    waiting = waiting_for_review(filters)
    choices = filter_choices()
    return render_template(
        "review/queue.html",
        waiting=waiting,
        prechecks=prechecks_of_links(list(waiting)),
        filters=filters,
        choices=choices,
        is_own=is_own,
    )


def _next_in_queue(after: Evidence, filters: dict) -> Evidence | None:
    for candidate in waiting_for_review(filters):
        if candidate.id != after.id and not is_own(candidate, current_user):
            return candidate
    return None


@bp.get("/<int:evidence_id>")
@reviewer_required
def show(evidence_id: int):
    return _review_page(evidence_in_unit(evidence_id))


def _review_page(evidence: Evidence, changed: list[dict] | None = None):
    """The document beside its item, and the decision form naming the version shown. `changed`: what changed
    since the version the reviewer had open (a decision refused with 409), shown above the current version."""
    filters = current_filters()
    page = render_template(
        "review/show.html",
        evidence=evidence,
        document=evidence.document,
        item=evidence.item,
        history=decisions_on_item(evidence.item_id),
        reading=reading_view(evidence.document, [evidence]),
        reasons=REASONS,
        own=is_own(evidence, current_user),
        filters=filters,
        next_evidence=_next_in_queue(evidence, filters),
        changed=[
            (SHOWN.get(c["field"], c["field"]), _readable(c["field"], c["old"]), _readable(c["field"], c["new"]))
            for c in changed or []
        ],
        opened_stale=changed is not None,
    )
    return (page, 409) if changed is not None else page


@bp.post("/<int:evidence_id>")
@reviewer_required
def decide_one(evidence_id: int):
    evidence = evidence_in_unit(evidence_id)
    filters = current_filters()
    try:
        decide(
            evidence,
            current_user,
            request.form.get("decision", ""),
            expected_version=request.form.get("version", type=database_id) or -1,
            reason_code=request.form.get("reason") or None,
            comment=request.form.get("comment"),
        )
    except ChangedSinceSeen as changed:
        return _review_page(evidence_in_unit(evidence_id), changed.changed)
    except ReviewConflict as conflict:
        latest = conflict.evidence
        last = latest_decision(latest)
        who = last.reviewer.display_name if last else "?"
        flash(
            _(
                "Another reviewer (%(who)s) decided on this document first; nothing was overwritten. "
                "Their decision stands.",
                who=who,
            ),
            "error",
        )
        return redirect(url_for("review.show", evidence_id=evidence_id, **filters), 303)
    except ReviewRefused as refused:
        flash(str(refused.message), "error")
        status = 403 if refused.code in ("own_upload", "not_reviewer") else 422
        return (
            redirect(url_for("review.show", evidence_id=evidence_id, **filters), 303)
            if status == 422
            else (render_template("error.html", title=_("Not allowed"), message=str(refused.message)), status)
        )
    flash(
        _("Approved: %(name)s.", name=evidence.document.filename)
        if evidence.state == EvidenceState.approved.value
        else _("Sent back: %(name)s.", name=evidence.document.filename),
        "success",
    )
    following = _next_in_queue(evidence, filters)
    if following is not None:
        return redirect(url_for("review.show", evidence_id=following.id, **filters), 303)
    return redirect(url_for("review.queue", **filters), 303)


@bp.post("/bulk")
@reviewer_required
def approve_many():
    """Approve every checked document; each one independently (a conflict or an own upload skips only it)."""
    approved, skipped = 0, []
    for value in request.form.getlist("selected"):
        try:
            evidence_id, version = (database_id(part) for part in value.split(":"))
        except ValueError:  # not "id:version" as the queue's checkboxes send it
            continue
        evidence = evidence_in_unit(evidence_id)
        try:
            decide(evidence, current_user, "approved", expected_version=version)
            approved += 1
        except (ReviewConflict, ReviewRefused):  # decide() leaves nothing behind when it refuses
            skipped.append(evidence.document.filename)
    if approved:
        flash(_("%(num)d document(s) approved.", num=approved), "success")
    if skipped:
        flash(
            _(
                "Not approved (decided by someone else or changed since you opened the queue, or your own upload): "
                "%(names)s.",
                names=", ".join(skipped),
            ),
            "error",
        )
    return redirect(url_for("review.queue", **current_filters()), 303)
