from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import ActionForm
from ..permissions import allowed_or_403, can_enter_figures, can_review
from .measurements import EntryRefused, add_measurement, parse_entry_day, parse_number, set_self_score
from .queries import (
    area_in_unit,
    areas_of,
    criteria_of,
    criterion_by_code_or_404,
    criterion_in_unit,
    index_in_unit,
    indices_of_unit,
    items_of,
    measurements_of,
    self_score_of,
)

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.get("/")
@login_required
def indices():
    return render_template("catalog/indices.html", indices=indices_of_unit())


@bp.get("/<int:index_id>")
@login_required
def index(index_id: int):
    index = index_in_unit(index_id)
    return render_template("catalog/index.html", index=index, areas=areas_of(index))


@bp.get("/areas/<int:area_id>")
@login_required
def area(area_id: int):
    area = area_in_unit(area_id)
    return render_template("catalog/area.html", area=area, index=area.index, criteria=criteria_of(area))


def _criterion_page(criterion, errors=None, status=200):
    items, measurements, self_score = items_of(criterion), measurements_of(criterion), self_score_of(criterion)
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
    criterion = criterion_by_code_or_404(index, code)
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
        set_self_score(
            criterion,
            current_user,
            score,
            note=request.form.get("note"),
            explanation=request.form.get("explanation"),
        )
    except EntryRefused as refused:  # refused before anything was written
        return _criterion_page(criterion, errors={refused.field: str(refused.message)}, status=422)
    flash(_("Self-score saved."), "success")
    return redirect(url_for("catalog.criterion", criterion_id=criterion.id), 303)
