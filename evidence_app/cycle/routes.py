"""Admin pages: import the official results (with a dry run first), and decide on the proposed checklist items."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from checklists import CatalogError
from checklists.causes import load_templates, matched_phrase
from checklists.rules import LOSS_CAUSE_TYPES

from ..auth.queries import departments_of_unit
from ..catalog.operations import ImportRefused
from ..catalog.queries import index_codes_of_unit, index_in_unit, index_of_unit, indices_of_unit
from ..forms import ActionForm
from ..inputs import database_id
from ..permissions import admin_required
from .carry import MAX_RUBRIC_FILE_BYTES, import_rubric, load_rubric
from .forms import ProposalForm, ResultsApplyForm, ResultsUploadForm, RubricForm
from .operations import (
    MATCH_LABELS,
    MAX_RESULTS_FILE_BYTES,
    ProposalRefused,
    ResultsRefused,
    correct_causes,
    import_results,
    index_causes,
    merge_proposals,
)
from .operations import decide_proposal as decide_on_proposal
from .queries import previous_results, proposal_in_unit, proposals_of, result_row_in_unit, result_sets_of_unit

bp = Blueprint("cycle", __name__, url_prefix="/admin")


def _results_page(form, plan=None, problems=None, apply_form=None, status=200):
    result_sets = result_sets_of_unit()
    return render_template(
        "cycle/results.html",
        form=form,
        plan=plan,
        problems=problems or [],
        apply_form=apply_form,
        result_sets=result_sets,
        cause_labels=load_templates().labels,
        match_labels=MATCH_LABELS,
    ), status


@bp.route("/results", methods=["GET", "POST"])
@admin_required
def results():
    """Upload the table: always a dry run first, showing every change; the admin then applies it."""
    form = ResultsUploadForm()
    form.index_code.choices = [SelectChoice(code, code) for code in index_codes_of_unit()]
    if request.method == "GET":
        return _results_page(form)
    if not form.validate_on_submit() or not form.file.data:
        if not form.file.data:
            form.file.errors = [*form.file.errors, _("Choose the file.")]
        return _results_page(form, status=422)
    data = form.file.data.read(MAX_RESULTS_FILE_BYTES + 1)
    if len(data) > MAX_RESULTS_FILE_BYTES:
        return _results_page(
            form, problems=[_("The file is larger than 5 MB: it is not a table of scores.")], status=422
        )
    filename = form.file.data.filename or "results.xlsx"
    unit = current_user.unit
    try:
        plan = import_results(
            unit, form.index_code.data, form.year.data, filename, data=data, actor_id=current_user.id, dry_run=True
        )
    except ResultsRefused as refused:
        return _results_page(form, problems=refused.problems, status=422)
    apply_form = ResultsApplyForm(
        formdata=None,
        filename=filename,
        content=base64.b64encode(data).decode("ascii"),
        index_code=form.index_code.data,
        year=str(form.year.data),
    )
    return _results_page(form, plan=plan, apply_form=apply_form)


@bp.post("/results/apply")
@admin_required
def apply_results():
    form = ResultsApplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:  # the dry run's hidden fields, sent back: anything else was not made by that page
        data = base64.b64decode(form.content.data or "", validate=True)
        year = int(form.year.data or "")
    except (binascii.Error, ValueError):
        abort(400)
    if len(data) > MAX_RESULTS_FILE_BYTES or form.index_code.data not in index_codes_of_unit():
        abort(400)
    if not 2000 <= year <= 2100:  # as the upload form's year
        abort(400)
    try:
        plan = import_results(
            current_user.unit,
            form.index_code.data,
            year,
            form.filename.data or "results.xlsx",
            data=data,
            actor_id=current_user.id,
        )
    except ResultsRefused as refused:  # the data changed since the dry run
        upload = ResultsUploadForm(formdata=None)
        upload.index_code.choices = [SelectChoice(code, code) for code in index_codes_of_unit()]
        return _results_page(upload, problems=refused.problems, status=422)
    flash(
        _(
            "Results imported: %(rows)s criteria; %(proposals)s checklist item(s) proposed.",
            rows=len(plan.rows),
            proposals=plan.proposals,
        ),
        "success",
    )
    target = index_of_unit(form.index_code.data, year + 1)
    if target is not None:
        return redirect(url_for("cycle.proposals", index=target.id), 303)
    return redirect(url_for("cycle.results"), 303)


@bp.get("/proposals")
@admin_required
def proposals():
    """The proposals of one index, each document asked for once with every criterion it serves; the causes
    of the whole index; and, per criterion that lost points, the causes read from the appraiser's note."""
    indices = indices_of_unit()
    index_id = request.args.get("index", type=database_id)
    index = index_in_unit(index_id) if index_id else (indices[0] if indices else None)
    merged = merge_proposals(proposals_of(index)) if index is not None else []
    result_set = previous_results(index) if index is not None else None
    departments = departments_of_unit()
    forms = {}
    for group in merged:
        p = group.lead
        form = ProposalForm(formdata=None, obj=p, prefix=f"p{p.id}")
        form.owner.choices = [SelectChoice(d.id, d.name) for d in departments]
        form.owner.data = p.owner_department_id
        form.due.data = p.due_date
        forms[p.id] = form
    templates = load_templates()
    rows = [r for r in result_set.rows if r.points_lost > 0] if result_set is not None else []
    wording = {}  # the phrase of the vocabulary each cause was read from, and the document it comes from
    for row in rows:
        for i, cause in enumerate(row.causes):
            found = matched_phrase(cause.get("text") or "", templates)
            if found is not None and found[0] == cause["type"]:
                wording[(row.id, i)] = found[1]
    return render_template(
        "cycle/proposals.html",
        index=index,
        indices=indices,
        merged=merged,
        forms=forms,
        result_set=result_set,
        index_causes=index_causes(result_set) if result_set is not None else [],
        rows=rows,
        wording=wording,
        cause_labels=templates.labels,
        cause_types=LOSS_CAUSE_TYPES,
        index_scoped={code for code in LOSS_CAUSE_TYPES if templates.index_scoped(code)},
        action_form=ActionForm(),
    )


@bp.post("/proposals/<int:proposal_id>")
@admin_required
def decide_proposal(proposal_id: int):
    """A decision on a proposal: it applies to every criterion's proposal merged with it."""
    proposal = proposal_in_unit(proposal_id)
    form = ProposalForm(prefix=f"p{proposal.id}")
    departments = {d.id: d for d in departments_of_unit()}
    form.owner.choices = [SelectChoice(i, d.name) for i, d in departments.items()]
    back = redirect(url_for("cycle.proposals", index=proposal.criterion.index_id) + f"#p{proposal.id}", 303)
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors or form.action.data not in ("save", "accept", "discard"):
        abort(400)
    if not valid and form.action.data != "discard":  # discarding needs no valid fields
        for name, errors in form.errors.items():
            flash(f"{proposal.criterion.code}: {getattr(form, name).label.text}: {' '.join(map(str, errors))}", "error")
        return back
    try:
        items = decide_on_proposal(
            proposal,
            form.action.data,
            current_user.id,
            title=form.title.data,
            checks=form.checks.data,
            owner=departments.get(form.owner.data),
            due=form.due.data,
        )
    except ProposalRefused as refused:
        flash(f"{proposal.criterion.code}: {refused.message}", "error")
        return back
    messages = {"discard": _("Proposal discarded."), "save": _("Proposal saved.")}
    message = messages.get(form.action.data) or _(
        "Accepted: checklist item(s) %(codes)s.", codes=", ".join(i.code for i in items)
    )
    flash(message, "success")
    return back


@bp.post("/results/rows/<int:row_id>/causes")
@admin_required
def causes(row_id: int):
    """Correct the causes read from the appraiser's note; the undecided proposals are made again."""
    row = result_row_in_unit(row_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    corrected = []
    for i, cause in enumerate(row.causes):
        chosen = request.form.get(f"cause-{i}", cause["type"])
        if chosen not in LOSS_CAUSE_TYPES:
            abort(400)
        corrected.append((chosen, cause.get("text") or ""))
    made = correct_causes(row, corrected, current_user.id)
    flash(_("Causes corrected: %(n)s checklist item(s) proposed.", n=len(made)), "success")
    index_id = request.form.get("index", type=database_id)
    return redirect(url_for("cycle.proposals", index=index_id) if index_id else url_for("cycle.proposals"), 303)


@bp.route("/rubric", methods=["GET", "POST"])
@admin_required
def rubric():
    """Import next year's rubric (or correct this year's): a dry run first, showing the diff against last year's,
    each criterion that moved and each last-year score carried (converted when its maximum changed); then the
    same file is applied."""
    form = RubricForm()
    if request.method == "GET":
        return render_template("cycle/rubric.html", form=form, done=None, problems=[])
    if not form.validate_on_submit():
        return render_template("cycle/rubric.html", form=form, done=None, problems=[]), 422
    applying = bool(form.content.data)
    if applying:  # the dry run's hidden fields, sent back
        try:
            data = base64.b64decode(form.content.data or "", validate=True)
        except ValueError:  # binascii.Error, or text that is not ASCII
            abort(400)
        filename = form.filename.data or "rubric.yaml"
    elif not form.file.data:
        form.file.errors = [*form.file.errors, _("Choose the file.")]
        return render_template("cycle/rubric.html", form=form, done=None, problems=[]), 422
    else:
        data = form.file.data.read(MAX_RUBRIC_FILE_BYTES + 1)
        filename = form.file.data.filename or "rubric.yaml"
    if len(data) > MAX_RUBRIC_FILE_BYTES:
        problems = [_("The file is larger than 5 MB: it is not a rubric.")]
        return render_template("cycle/rubric.html", form=form, done=None, problems=problems), 422
    unit = current_user.unit
    try:
        catalog = load_rubric(filename, data, unit, index_code=form.index_code.data or None, year=form.year.data)
        done = import_rubric(catalog, unit, source=filename, dry_run=not applying, actor_id=current_user.id)
    except CatalogError as refused:
        problems = [str(p) for p in refused.problems]
        return render_template("cycle/rubric.html", form=form, done=None, problems=problems), 422
    except ImportRefused as refused:
        return render_template("cycle/rubric.html", form=form, done=None, problems=refused.problems), 422
    if applying:
        flash(_("Rubric %(index)s %(year)s imported.", index=catalog.index.code, year=catalog.index.year), "success")
        return redirect(url_for("cycle.rubric"), 303)
    apply_form = RubricForm(
        formdata=None,
        filename=filename,
        content=base64.b64encode(data).decode("ascii"),
        index_code=form.index_code.data,
        year=form.year.data,
    )
    return render_template(
        "cycle/rubric.html", form=form, done=done, catalog=catalog, apply_form=apply_form, problems=[]
    )
