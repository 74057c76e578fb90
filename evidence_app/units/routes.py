"""The province's units page: its units with their lineage, and the forms that merge, rename and set a unit's
population (the province's officers, for the units of their own province)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import clock
from ..permissions import province_required
from .forms import MergeForm, PopulationForm, RenameForm
from .operations import UnitsRefused, merge_units, rename_unit, set_unit_facts
from .queries import changes_of_units, exists_on, units_of_province

bp = Blueprint("units", __name__, url_prefix="/units")


def _forms(merge=None, rename=None, population=None):
    today = clock.today()
    units = units_of_province(current_user.unit_id)
    in_force = [u for u in units if exists_on(u, today) and u.dissolved_on is None]
    merge = merge or MergeForm()
    rename = rename or RenameForm()
    population = population or PopulationForm()
    choices = [SelectChoice(u.code, f"{u.name} ({u.code})") for u in in_force]
    merge.sources.choices = rename.unit.choices = population.unit.choices = choices
    return units, merge, rename, population


def _page(status: int = 200, *, merge=None, rename=None, population=None, preview=None):
    units, merge, rename, population = _forms(merge, rename, population)
    return render_template(
        "units/index.html",
        units=units,
        changes=changes_of_units([u.id for u in units]),
        merge_form=merge,
        rename_form=rename,
        population_form=population,
        preview=preview,
    ), status


def _refused_into(form, refused: UnitsRefused) -> None:
    fields = {
        "from": "sources",
        "into": "into",
        "name": "name",
        "date": "effective_on",
        "method": "method",
        "code": "unit",
    }
    target = getattr(form, fields.get(refused.field or "", ""), None)
    (target.errors if target is not None else form.form_errors).append(refused.message)


@bp.get("/")
@province_required
def index():
    return _page()


@bp.post("/merge")
@province_required
def merge():
    _units, form, _rename, _population = _forms()
    if not form.validate_on_submit():
        return _page(422, merge=form)
    dry_run = not form.confirm.data
    try:
        outcome = merge_units(
            form.into.data.strip(),
            form.sources.data,
            effective_on=form.effective_on.data,
            method=form.method.data,
            name=form.name.data,
            actor=current_user,
            dry_run=dry_run,
        )
    except UnitsRefused as refused:
        _refused_into(form, refused)
        return _page(422, merge=form)
    if dry_run:
        return _page(merge=form, preview=outcome)
    flash(
        _(
            "%(units)s merged into %(name)s from %(day)s: %(documents)d documents, %(users)d users moved; nothing was deleted.",
            units=", ".join(outcome.parts),
            name=outcome.unit_name,
            day=outcome.effective_on.strftime("%d/%m/%Y"),
            documents=outcome.documents,
            users=len(outcome.users),
        ),
        "success",
    )
    return redirect(url_for("units.index"))


@bp.post("/rename")
@province_required
def rename():
    _units, _merge, form, _population = _forms()
    if not form.validate_on_submit():
        return _page(422, rename=form)
    try:
        outcome = rename_unit(form.unit.data, form.name.data, effective_on=form.effective_on.data, actor=current_user)
    except UnitsRefused as refused:
        _refused_into(form, refused)
        return _page(422, rename=form)
    flash(
        _(
            "%(old)s is named %(name)s from %(day)s.",
            old=outcome.old_name,
            name=outcome.unit_name,
            day=outcome.effective_on.strftime("%d/%m/%Y"),
        ),
        "success",
    )
    return redirect(url_for("units.index"))


@bp.post("/population")
@province_required
def population():
    _units, _merge, _rename, form = _forms()
    if not form.validate_on_submit():
        return _page(422, population=form)
    try:
        set_unit_facts(form.unit.data, population=form.population.data, actor=current_user)
    except UnitsRefused as refused:
        _refused_into(form, refused)
        return _page(422, population=form)
    flash(_("Population saved."), "success")
    return redirect(url_for("units.index"))
