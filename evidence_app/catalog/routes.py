from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..scoping import area_in_unit, criterion_in_unit, index_in_unit
from .models import Area, ChecklistItem, Criterion, Index

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.get("/")
@login_required
def indices():
    rows = db.session.execute(
        select(Index).where(Index.unit_id == current_user.unit_id).order_by(Index.year.desc(), Index.code)
        .options(selectinload(Index.areas))
    ).scalars().all()
    return render_template("catalog/indices.html", indices=rows)


@bp.get("/<int:index_id>")
@login_required
def index(index_id: int):
    index = index_in_unit(index_id)
    areas = db.session.execute(
        select(Area).where(Area.index_id == index.id).order_by(Area.position)
        .options(selectinload(Area.criteria))
    ).scalars().all()
    return render_template("catalog/index.html", index=index, areas=areas)


@bp.get("/areas/<int:area_id>")
@login_required
def area(area_id: int):
    area = area_in_unit(area_id)
    criteria = db.session.execute(
        select(Criterion).where(Criterion.area_id == area.id).order_by(Criterion.position)
        .options(selectinload(Criterion.items), selectinload(Criterion.department))
    ).scalars().all()
    return render_template("catalog/area.html", area=area, index=area.index, criteria=criteria)


@bp.get("/criteria/<int:criterion_id>")
@login_required
def criterion(criterion_id: int):
    criterion = criterion_in_unit(criterion_id)
    items = db.session.execute(
        select(ChecklistItem).where(ChecklistItem.criterion_id == criterion.id).order_by(ChecklistItem.position)
        .options(selectinload(ChecklistItem.owner_department))
    ).scalars().all()
    return render_template("catalog/criterion.html", criterion=criterion, area=criterion.area,
                           index=criterion.area.index, items=items)
