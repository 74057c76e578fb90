"""Admin pages: import the official results (with a dry run first), and decide on the proposed checklist items."""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from checklists.causes import load_templates
from checklists.rules import LOSS_CAUSE_TYPES

from ..auth.models import Department
from ..catalog.models import Area, Criterion, Index
from ..catalog.queries import index_in_unit
from ..extensions import db
from ..forms import ActionForm
from ..permissions import admin_required
from .forms import ProposalForm, ResultsApplyForm, ResultsUploadForm
from .models import CriterionResult, Proposal, ResultSet
from .operations import (
    MAX_RESULTS_FILE_BYTES,
    ProposalRefused,
    ResultsRefused,
    correct_causes,
    import_results,
)
from .operations import decide_proposal as decide_on_proposal
from .queries import proposal_in_unit

bp = Blueprint("cycle", __name__, url_prefix="/admin")


def _index_codes() -> list[str]:
    return sorted(set(db.session.execute(select(Index.code).where(Index.unit_id == current_user.unit_id)).scalars()))


def _results_page(form, plan=None, problems=None, apply_form=None, status=200):
    result_sets = (
        db.session.execute(
            select(ResultSet)
            .where(ResultSet.unit_id == current_user.unit_id)
            .order_by(ResultSet.year.desc(), ResultSet.id.desc())
            .options(selectinload(ResultSet.index))
        )
        .scalars()
        .all()
    )
    return render_template(
        "cycle/results.html",
        form=form,
        plan=plan,
        problems=problems or [],
        apply_form=apply_form,
        result_sets=result_sets,
        cause_labels=load_templates().labels,
    ), status


@bp.route("/results", methods=["GET", "POST"])
@admin_required
def results():
    """Upload the table: always a dry run first, showing every change; the admin then applies it."""
    form = ResultsUploadForm()
    form.index_code.choices = [SelectChoice(code, code) for code in _index_codes()]
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
    try:
        data = base64.b64decode(form.content.data or "", validate=True)
        year = int(form.year.data)
    except (binascii.Error, ValueError):
        abort(400)
    if len(data) > MAX_RESULTS_FILE_BYTES or form.index_code.data not in _index_codes():
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
        upload.index_code.choices = [SelectChoice(code, code) for code in _index_codes()]
        return _results_page(upload, problems=refused.problems, status=422)
    flash(
        _(
            "Results imported: %(rows)s criteria; %(proposals)s checklist item(s) proposed.",
            rows=len(plan.rows),
            proposals=plan.proposals,
        ),
        "success",
    )
    target = db.session.execute(
        select(Index).where(
            Index.unit_id == current_user.unit_id, Index.code == form.index_code.data, Index.year == year + 1
        )
    ).scalar_one_or_none()
    if target is not None:
        return redirect(url_for("cycle.proposals", index=target.id), 303)
    return redirect(url_for("cycle.results"), 303)


@bp.get("/proposals")
@admin_required
def proposals():
    """The proposals of one index, by criterion, with what last year's results said about it."""
    indices = (
        db.session.execute(
            select(Index).where(Index.unit_id == current_user.unit_id).order_by(Index.year.desc(), Index.code)
        )
        .scalars()
        .all()
    )
    index_id = request.args.get("index", type=int)
    index = index_in_unit(index_id) if index_id else (indices[0] if indices else None)
    groups: OrderedDict = OrderedDict()
    if index is not None:
        rows = (
            db.session.execute(
                select(Proposal)
                .join(Criterion, Proposal.criterion_id == Criterion.id)
                .join(Area, Criterion.area_id == Area.id)
                .where(Criterion.index_id == index.id)
                .order_by(Area.position, Criterion.position, Proposal.id)
                .options(
                    selectinload(Proposal.criterion_result),
                    selectinload(Proposal.owner_department),
                    selectinload(Proposal.item),
                )
            )
            .scalars()
            .all()
        )
        for proposal in rows:
            groups.setdefault(proposal.criterion, []).append(proposal)
    departments = (
        db.session.execute(
            select(Department).where(Department.unit_id == current_user.unit_id).order_by(Department.name)
        )
        .scalars()
        .all()
    )
    forms = {}
    for items in groups.values():
        for p in items:
            form = ProposalForm(formdata=None, obj=p, prefix=f"p{p.id}")
            form.owner.choices = [SelectChoice(d.id, d.name) for d in departments]
            form.owner.data = p.owner_department_id
            form.due.data = p.due_date
            forms[p.id] = form
    templates = load_templates()
    return render_template(
        "cycle/proposals.html",
        index=index,
        indices=indices,
        groups=groups,
        forms=forms,
        cause_labels=templates.labels,
        cause_types=LOSS_CAUSE_TYPES,
        action_form=ActionForm(),
    )


@bp.post("/proposals/<int:proposal_id>")
@admin_required
def decide_proposal(proposal_id: int):
    proposal = proposal_in_unit(proposal_id)
    form = ProposalForm(prefix=f"p{proposal.id}")
    departments = {
        d.id: d
        for d in db.session.execute(select(Department).where(Department.unit_id == current_user.unit_id)).scalars()
    }
    form.owner.choices = [SelectChoice(i, d.name) for i, d in departments.items()]
    back = redirect(url_for("cycle.proposals", index=proposal.criterion.index_id) + f"#c{proposal.criterion_id}", 303)
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors or form.action.data not in ("save", "accept", "discard"):
        abort(400)
    if not valid and form.action.data != "discard":  # discarding needs no valid fields
        for name, errors in form.errors.items():
            flash(f"{proposal.criterion.code}: {getattr(form, name).label.text}: {' '.join(map(str, errors))}", "error")
        return back
    try:
        item = decide_on_proposal(
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
    message = messages.get(form.action.data) or _("Checklist item %(code)s created.", code=item.code)
    flash(message, "success")
    return back


@bp.post("/results/rows/<int:row_id>/causes")
@admin_required
def causes(row_id: int):
    """Correct the causes read from the appraiser's note; the undecided proposals are made again."""
    row = db.session.execute(
        select(CriterionResult)
        .join(ResultSet, CriterionResult.result_set_id == ResultSet.id)
        .where(CriterionResult.id == row_id, ResultSet.unit_id == current_user.unit_id)
    ).scalar_one_or_none()
    if row is None:
        abort(404)
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
    index_id = request.form.get("index", type=int)
    return redirect(url_for("cycle.proposals", index=index_id) if index_id else url_for("cycle.proposals"), 303)
