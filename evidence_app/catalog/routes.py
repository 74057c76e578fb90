from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..forms import ActionForm
from ..permissions import allowed_or_403, can_enter_figures, can_review
from .measurements import EntryRefused, add_measurement, parse_entry_day, parse_number, set_self_score
from .models import Area, ChecklistItem, Criterion, Index, Measurement, SelfScore
from .queries import area_in_unit, criterion_in_unit, index_in_unit

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.get("/")
@login_required
def indices():
    rows = (
        db.session.execute(
            select(Index)
            .where(Index.unit_id == current_user.unit_id)
            .order_by(Index.year.desc(), Index.code)
            .options(selectinload(Index.areas))
        )
        .scalars()
        .all()
    )
    return render_template("catalog/indices.html", indices=rows)


@bp.get("/<int:index_id>")
@login_required
def index(index_id: int):
    index = index_in_unit(index_id)
    areas = (
        db.session.execute(
            select(Area).where(Area.index_id == index.id).order_by(Area.position).options(selectinload(Area.criteria))
        )
        .scalars()
        .all()
    )
    return render_template("catalog/index.html", index=index, areas=areas)


@bp.get("/areas/<int:area_id>")
@login_required
def area(area_id: int):
    area = area_in_unit(area_id)
    criteria = (
        db.session.execute(
            select(Criterion)
            .where(Criterion.area_id == area.id)
            .order_by(Criterion.position)
            .options(selectinload(Criterion.items), selectinload(Criterion.department))
        )
        .scalars()
        .all()
    )
    return render_template("catalog/area.html", area=area, index=area.index, criteria=criteria)


def _criterion_page(criterion, errors=None, status=200):
    items = (
        db.session.execute(
            select(ChecklistItem)
            .where(ChecklistItem.criterion_id == criterion.id)
            .order_by(ChecklistItem.position)
            .options(selectinload(ChecklistItem.owner_department))
        )
        .scalars()
        .all()
    )
    measurements = (
        db.session.execute(
            select(Measurement)
            .where(Measurement.criterion_id == criterion.id)
            .order_by(Measurement.measured_on.desc(), Measurement.id.desc())
        )
        .scalars()
        .all()
    )
    self_score = db.session.execute(
        select(SelfScore).where(SelfScore.criterion_id == criterion.id, SelfScore.round == 1)
    ).scalar_one_or_none()
    return render_template(
        "catalog/criterion.html",
        criterion=criterion,
        area=criterion.area,
        index=criterion.area.index,
        items=items,
        measurements=measurements,
        self_score=self_score,
        errors=errors or {},
        form_values=request.form,
        may_enter=can_enter_figures(current_user, criterion),
        action_form=ActionForm(),
    ), status


@bp.get("/<int:index_id>/criteria/<code>")
@login_required
def criterion_by_code(index_id: int, code: str):
    """A criterion by its code within an index (the report links this way)."""
    index = index_in_unit(index_id)
    criterion = db.session.execute(
        select(Criterion).where(Criterion.index_id == index.id, Criterion.code == code)
    ).scalar_one_or_none()
    if criterion is None:
        abort(404)
    return redirect(url_for("catalog.criterion", criterion_id=criterion.id))


@bp.get("/criteria/<int:criterion_id>")
@login_required
def criterion(criterion_id: int):
    return _criterion_page(criterion_in_unit(criterion_id))


@bp.post("/criteria/<int:criterion_id>/measurements")
@login_required
def add_measurement_page(criterion_id: int):
    criterion = criterion_in_unit(criterion_id)
    allowed_or_403(can_enter_figures(current_user, criterion))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        numerator = parse_number(request.form.get("numerator", ""), "numerator")
        raw_denominator = (request.form.get("denominator") or "").strip()
        denominator = parse_number(raw_denominator, "denominator") if raw_denominator else None
        measured_on = parse_entry_day(request.form.get("measured_on", ""), "measured_on")
        add_measurement(
            criterion,
            current_user,
            numerator=numerator,
            denominator=denominator,
            measured_on=measured_on,
            source=request.form.get("source", ""),
        )
    except EntryRefused as refused:  # refused before anything was written
        return _criterion_page(criterion, errors={refused.field: str(refused.message)}, status=422)
    flash(_("Measurement recorded."), "success")
    return redirect(url_for("catalog.criterion", criterion_id=criterion.id), 303)


@bp.post("/criteria/<int:criterion_id>/self-score")
@login_required
def self_score_page(criterion_id: int):
    criterion = criterion_in_unit(criterion_id)
    allowed_or_403(can_review(current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        score = parse_number(request.form.get("score", ""), "score")
        set_self_score(criterion, current_user, score, note=request.form.get("note"))
    except EntryRefused as refused:  # refused before anything was written
        return _criterion_page(criterion, errors={refused.field: str(refused.message)}, status=422)
    flash(_("Self-score saved."), "success")
    return redirect(url_for("catalog.criterion", criterion_id=criterion.id), 303)
