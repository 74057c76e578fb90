"""A unit's real rubric from the province's score table: where the catalog is estimated (blocks of "Các tiêu
chí còn lại", estimated points), the table's tree of criteria replaces the estimate, in the caller's
transaction. Criteria the table names persist (their checklist items and evidence with them); the items of
the criteria it replaces move to the real criterion whose title fits them best, with their evidence links."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from checklists.score_tables import ScoreRow, similarity
from checklists.tables import fold

from .. import audit
from ..catalog.models import ChecklistItem, Criterion, Index, Measurement, SelfScore
from ..errors import ProblemsRefused
from ..extensions import db
from .models import CriterionResult, Proposal

REMAINDER = "remainder"


class RubricRefused(ProblemsRefused):
    code = "results_refused"


def is_estimated(criteria: list[Criterion]) -> bool:
    """Whether the rubric is the unit's estimate: a block of unknown criteria, or estimated points."""
    return any(c.rule_type == REMAINDER or c.points_estimated for c in criteria)


@dataclass
class Replacement:
    """What replacing the estimate changes, as plain data for the dry run (codes and titles, no objects)."""

    created: list[dict] = field(default_factory=list)  # {"row", "code", "title", "max"}
    removed: list[dict] = field(default_factory=list)  # {"code", "title", "max", "remainder"}
    renamed: list[dict] = field(default_factory=list)  # {"before", "after", "title"}
    moved_items: list[dict] = field(default_factory=list)  # {"item", "from", "to", "similarity"}
    added_items: list[str] = field(default_factory=list)
    areas: list[dict] = field(default_factory=list)  # {"code", "before", "after"} of the areas' maxima

    def __bool__(self) -> bool:
        return bool(self.created or self.removed or self.renamed or self.moved_items or self.areas)

    def to_dict(self) -> dict:
        return {
            "created": self.created,
            "removed": self.removed,
            "renamed": self.renamed,
            "moved_items": self.moved_items,
            "added_items": self.added_items,
            "areas": self.areas,
        }


def _n(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def replace_estimate(
    index: Index,
    matched: dict[int, ScoreRow],
    new_rows: list[ScoreRow],
    area_rows: dict[str, ScoreRow],
    where,
    actor_id: int | None,
) -> tuple[Replacement, dict[int, Criterion]]:
    """Replace, in each area the table covers, the blocks of remaining criteria and the estimated criteria it
    does not name by the table's rows (`new_rows`); the criteria it names (`matched`: criterion id → row) take
    the table's code and title. Returns what changed and the criterion made for each new row (by row number)."""
    change = Replacement()
    criteria = {c.id: c for a in index.areas for c in a.criteria}
    old_codes = {cid: c.code for cid, c in criteria.items()}
    areas = {a.code: a for a in index.areas}
    # an area is replaced where the table brings criteria the estimate lacks; elsewhere rows only update it
    covered = {r.code.split(".")[0] for r in new_rows if r.code} & set(areas)
    problems = []
    doomed = [
        c
        for c in criteria.values()
        if c.area.code in covered and c.id not in matched and (c.rule_type == REMAINDER or c.points_estimated)
    ]
    for row in new_rows:
        if row.code is None or row.code.split(".")[0] not in areas:
            problems.append(
                _(
                    "%(where)s: %(title)s is not in the rubric, and its area is not known; give it an STT under "
                    "an area (I, II…) or a code such as 1.5",
                    where=where(row),
                    title=row.title or "—",
                )
            )
        elif row.score("max") is None:
            problems.append(
                _(
                    "%(where)s: %(code)s %(title)s is a new criterion of the rubric: fill its maximum (Điểm tối đa)",
                    where=where(row),
                    code=row.code,
                    title=row.title or "",
                )
            )
    if doomed:
        ids = [c.id for c in doomed]
        used = db.session.execute(
            select(Criterion.code)
            .where(Criterion.id.in_(ids))
            .where(
                Criterion.id.in_(select(Measurement.criterion_id)) | Criterion.id.in_(select(SelfScore.criterion_id))
            )
        ).scalars()
        problems += [
            _(
                "criterion %(code)s would be replaced by the table's criteria but has measurements or self-scores; "
                "give the table a row for it, or remove them first",
                code=code,
            )
            for code in used
        ]
    if problems:
        raise RubricRefused(problems)

    # codes are unique in an index: free every code that changes before giving them out again
    renamed = {
        cid: row
        for cid, row in matched.items()
        if criteria[cid].area.code in covered and row.code and row.code != criteria[cid].code
    }
    for c in doomed + [criteria[cid] for cid in renamed]:
        c.code = f"~{c.id}"
    db.session.flush()
    taken = {c.code for c in criteria.values()}
    for cid, row in renamed.items():
        if row.code in taken:
            raise RubricRefused(
                [_("%(where)s: code %(code)s is another criterion's; correct the STT", where=where(row), code=row.code)]
            )
        c = criteria[cid]
        change.renamed.append({"before": old_codes[cid], "after": row.code, "title": row.title or c.title})
        c.code = row.code
        taken.add(row.code)
    for cid, row in matched.items():
        c = criteria[cid]
        if row.title and c.area.code in covered and fold(row.title) != fold(c.title):
            if cid not in renamed:
                change.renamed.append({"before": c.code, "after": c.code, "title": row.title})
            c.title = row.title  # the table's wording of a criterion matched by a similar title
    created: dict[int, Criterion] = {}
    for row in new_rows:
        if row.code in taken:
            raise RubricRefused(
                [_("%(where)s: code %(code)s is another criterion's; correct the STT", where=where(row), code=row.code)]
            )
        area = areas[row.code.split(".")[0]]
        bucket = next((c for c in doomed if c.area is area and c.department_id), None)
        criterion = Criterion(
            index_id=index.id,
            area=area,
            code=row.code,
            title=row.title or row.code,
            position=0,
            max_points=row.score("max"),
            rule_type="binary",
            rule_params={},
            points_estimated=False,
            loss_causes=[],
            department_id=bucket.department_id if bucket else None,
        )
        db.session.add(criterion)
        created[row.number] = criterion
        taken.add(row.code)
        change.created.append(
            {"row": row.number, "code": row.code, "title": criterion.title, "max": _n(criterion.max_points)}
        )
    db.session.flush()

    for c in doomed:
        targets = [x for x in (*created.values(), *(criteria[cid] for cid in matched)) if x.area is c.area]
        for item in list(c.items):
            if not targets:
                continue
            scored = [(similarity(item.title, t.title), t) for t in targets]
            best, target = max(scored, key=lambda pair: pair[0])
            change.moved_items.append(
                {"item": item.code, "from": c.title, "to": target.code, "similarity": round(best, 2)}
            )
            item.criterion = target
            item.position = len(target.items)
        change.removed.append(
            {"code": old_codes[c.id], "title": c.title, "max": _n(c.max_points), "remainder": c.rule_type == REMAINDER}
        )
    db.session.flush()
    for criterion in created.values():
        if not criterion.items:
            _add_item(index, criterion, doomed)
            change.added_items.append(criterion.code)
    if doomed:
        ids = [c.id for c in doomed]
        db.session.execute(delete(Proposal).where(Proposal.criterion_id.in_(ids)))
        db.session.execute(delete(CriterionResult).where(CriterionResult.criterion_id.in_(ids)))
        for c in doomed:
            c.area.criteria.remove(c)
    db.session.flush()
    for area in areas.values():
        if area.code not in covered:
            continue
        for position, c in enumerate(sorted(area.criteria, key=_code_key)):
            c.position = position
        row = area_rows.get(area.code)
        maximum = row.score("max") if row is not None else None
        if maximum is not None and maximum != area.max_points:
            change.areas.append({"code": area.code, "before": _n(area.max_points), "after": _n(maximum)})
            area.max_points = maximum
    db.session.flush()
    if change:
        audit.record(
            "results.rubric",
            unit_id=index.unit_id,
            actor_id=actor_id,
            object_type="index",
            object_id=index.id,
            data={"index": f"{index.code} {index.year}", **change.to_dict()},
        )
    return change, created


def _code_key(c: Criterion) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in c.code.split("."))


def _add_item(index: Index, criterion: Criterion, doomed: list[Criterion]) -> None:
    """A new criterion's one checklist item, so that nothing counts as secured before a document proves it."""
    owner = next((i.owner_department_id for c in doomed if c.area is criterion.area for i in c.items), None)
    if owner is None:
        owner = db.session.execute(
            select(ChecklistItem.owner_department_id)
            .join(Criterion)
            .where(Criterion.index_id == index.id)
            .group_by(ChecklistItem.owner_department_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one_or_none()
    if owner is None:
        from ..auth.models import Department

        owner = db.session.execute(
            select(Department.id).where(Department.unit_id == index.unit_id).order_by(Department.code).limit(1)
        ).scalar_one_or_none()
    if owner is None:
        return
    code, n = f"{index.code}-{criterion.code}-kq", 1
    while db.session.execute(
        select(ChecklistItem.id).where(ChecklistItem.unit_id == index.unit_id, ChecklistItem.code == code)
    ).first():
        n += 1
        code = f"{index.code}-{criterion.code}-kq{n}"
    db.session.add(
        ChecklistItem(
            unit_id=index.unit_id,
            criterion=criterion,
            code=code,
            title=_("Evidence for: %(title)s", title=criterion.title)[:500],
            checks=_("The documents the province's table asks for this criterion."),
            position=0,
            owner_department_id=owner,
            weight=Decimal(1),
            origin="results",
        )
    )
