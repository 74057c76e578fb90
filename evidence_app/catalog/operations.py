"""Importing a validated catalog into a unit, and reading the unit's catalog back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from checklists.model import Catalog

from .. import audit
from ..auth.models import Department, Unit
from ..errors import ProblemsRefused
from ..extensions import db
from .assignments import note_assignment
from .models import Area, ChecklistItem, Criterion, Index


class ImportRefused(ProblemsRefused):
    """The import cannot be applied; nothing was written."""

    code = "import_refused"


@dataclass
class ImportResult:
    index: Index
    created: dict[str, int] = field(default_factory=lambda: {"departments": 0, "areas": 0, "criteria": 0, "items": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"areas": 0, "criteria": 0, "items": 0})
    removed: dict[str, int] = field(default_factory=lambda: {"areas": 0, "criteria": 0, "items": 0})
    index_created: bool = False


def _set(obj, changed: list[bool], **values) -> None:
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed[0] = True


def import_catalog(
    catalog: Catalog, unit: Unit, *, actor_id: int | None = None, source: str | None = None
) -> ImportResult:
    """Create or update the catalog's index in `unit`, matching everything by code, so that importing the same
    file again changes nothing and importing a corrected one updates titles, points and dates in place, keeping
    the evidence linked to its items. The caller commits; on ImportRefused it must roll back."""
    spec = catalog.index
    departments = _ensure_departments(catalog, unit)
    index = db.session.execute(
        select(Index).where(Index.unit_id == unit.id, Index.code == spec.code, Index.year == spec.year)
    ).scalar_one_or_none()
    result = ImportResult(index=index)  # type: ignore[arg-type]
    result.created["departments"] = departments.pop("__created__")
    if index is None:
        index = Index(unit_id=unit.id, code=spec.code, year=spec.year)
        db.session.add(index)
        result.index_created = True
    result.index = index
    _set(
        index,
        [False],
        name=spec.name,
        max_points=spec.max_points,
        assessment_date=spec.assessment_date,
        deviation_threshold_percent=spec.deviation_threshold_percent,
        deviation_penalty_points=spec.deviation_penalty_points,
        deviation_source=spec.deviation_source,
        last_year=spec.last_year.year if spec.last_year else None,
        last_year_score=spec.last_year.score if spec.last_year else None,
        last_year_note=spec.last_year.note if spec.last_year else None,
        source=spec.source,
    )
    db.session.flush()

    existing_items = {
        item.code: item
        for item in db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == unit.id)).scalars()
    }
    items_in_other_indices = {code for code, item in existing_items.items() if item.criterion.index_id != index.id}
    problems = [
        f"checklist item {item.code!r} already belongs to another index of unit {unit.code!r} "
        f"({existing_items[item.code].criterion.area.index.code} {existing_items[item.code].criterion.area.index.year}); "
        f"item codes are unique within a unit: rename it in the file"
        for item in catalog.items()
        if item.code in items_in_other_indices
    ]
    if problems:
        raise ImportRefused(problems)

    areas = {a.code: a for a in index.areas}
    criteria = {c.code: c for a in index.areas for c in a.criteria}
    seen_areas, seen_criteria, seen_items = set(), set(), set()
    for a_pos, area_spec in enumerate(catalog.areas):
        area = areas.get(area_spec.code)
        if area is None:
            area = Area(index=index, code=area_spec.code)
            db.session.add(area)
            result.created["areas"] += 1
        changed = [False]
        _set(
            area,
            changed,
            name=area_spec.name,
            position=a_pos,
            max_points=area_spec.max_points,
            last_year_score=area_spec.last_year_score,
            loss_causes=list(area_spec.loss_causes),
        )
        if changed[0] and area.id is not None:
            result.updated["areas"] += 1
        seen_areas.add(area_spec.code)
        for c_pos, crit_spec in enumerate(area_spec.criteria):
            criterion = criteria.get(crit_spec.code)
            changed = [False]
            if criterion is None:
                criterion = Criterion(index_id=index.id, code=crit_spec.code)
                db.session.add(criterion)
                result.created["criteria"] += 1
            if criterion.area is not area:
                criterion.area = area
                changed[0] = True
            _set(
                criterion,
                changed,
                title=crit_spec.title,
                position=c_pos,
                max_points=crit_spec.max_points,
                rule_type=crit_spec.rule.type,
                rule_params=_json_ready(crit_spec.rule.params),
                last_year_score=crit_spec.last_year_score,
                last_year_note=crit_spec.last_year_note,
                points_estimated=crit_spec.points_estimated,
                loss_causes=[{"type": c.type, "text": c.text} for c in crit_spec.loss_causes],
                department_id=departments[crit_spec.department].id if crit_spec.department else None,
            )
            if changed[0] and criterion.id is not None:
                result.updated["criteria"] += 1
            seen_criteria.add(crit_spec.code)
            db.session.flush()
            for i_pos, item_spec in enumerate(crit_spec.items):
                item = existing_items.get(item_spec.code)
                changed = [False]
                if item is None:
                    item = ChecklistItem(unit_id=unit.id, code=item_spec.code)
                    db.session.add(item)
                    result.created["items"] += 1
                if item.criterion is not criterion:
                    item.criterion = criterion
                    changed[0] = True
                if item.id is not None and item.owner_department_id != departments[item_spec.owner].id:
                    note_assignment(item, actor_id)  # the file moves the item: the report keeps the former owner
                _set(
                    item,
                    changed,
                    title=item_spec.title,
                    checks=item_spec.checks,
                    position=i_pos,
                    owner_department_id=departments[item_spec.owner].id,
                    due_date=item_spec.due,
                    weight=item_spec.weight,
                    report_period=item_spec.report.period if item_spec.report else None,
                    report_deadline=item_spec.report.deadline if item_spec.report else None,
                    report_cutoff=item_spec.report.cutoff if item_spec.report else None,
                    report_source=item_spec.report.source if item_spec.report else None,
                    requires_signature=item_spec.requires_signature,
                    min_pages=item_spec.min_pages,
                )
                if changed[0] and item.id is not None:
                    result.updated["items"] += 1
                seen_items.add(item_spec.code)
    db.session.flush()
    _remove_absent(index, seen_areas, seen_criteria, seen_items, result)
    audit.record(
        "catalog.import",
        unit_id=unit.id,
        actor_id=actor_id,
        object_type="index",
        object_id=index.id,
        data={
            "code": spec.code,
            "year": spec.year,
            "source": source,
            "created": result.created,
            "updated": result.updated,
            "removed": result.removed,
        },
    )
    return result


def _ensure_departments(catalog: Catalog, unit: Unit) -> dict:
    existing = {d.code: d for d in unit.departments}
    created = 0
    for spec in catalog.departments:
        if spec.code not in existing:
            department = Department(unit=unit, code=spec.code, name=spec.name)
            db.session.add(department)
            existing[spec.code] = department
            created += 1
    db.session.flush()
    return {**existing, "__created__": created}


def _remove_absent(index: Index, areas: set, criteria: set, items: set, result: ImportResult) -> None:
    """Delete what the file no longer has, unless evidence is linked to it: that is refused, never lost."""
    items = items | {
        item.code for area in index.areas for c in area.criteria for item in c.items if item.origin != "catalog"
    }  # accepted from the results: the file does not list them
    doomed_items = [
        item
        for area in index.areas
        for c in area.criteria
        for item in c.items
        if item.code not in items or c.code not in criteria or area.code not in areas
    ]
    if doomed_items:
        linked = db.session.execute(
            select(ChecklistItem.code, func.count())
            .join(ChecklistItem.evidence_links)
            .where(ChecklistItem.id.in_([i.id for i in doomed_items]))
            .group_by(ChecklistItem.code)
        ).all()
        if linked:
            raise ImportRefused(
                [
                    f"checklist item {code!r} is not in the file but has {n} linked document(s); "
                    f"keep it in the file, or unlink its documents first"
                    for code, n in linked
                ]
            )
    for area in list(index.areas):
        if area.code not in areas:
            index.areas.remove(area)
            result.removed["areas"] += 1
            result.removed["criteria"] += len(area.criteria)
            result.removed["items"] += sum(len(c.items) for c in area.criteria)
            continue
        for criterion in list(area.criteria):
            if criterion.code not in criteria:
                area.criteria.remove(criterion)
                result.removed["criteria"] += 1
                result.removed["items"] += len(criterion.items)
                continue
            for item in list(criterion.items):
                if item.code not in items:
                    criterion.items.remove(item)
                    result.removed["items"] += 1
    db.session.flush()


def _json_ready(value):
    """Rule parameters as JSON-friendly values (YAML decimals stay numbers, dates become ISO text)."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
