"""The query layer of the report: everything the scoring rules need for one index, as it stood at the end of
`as_of` (only what was uploaded, decided and measured by then counts), in a fixed number of SQL statements
whatever the size of the unit."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from checklists.scoring import CriterionStatus, DepartmentActivity, ItemStatus, Measurement as MeasurementPoint

from ..auth.models import Department
from ..catalog.models import Area, ChecklistItem, Criterion, Measurement, SelfScore
from ..evidence.models import Document, Evidence, EvidenceState
from ..extensions import db
from ..review.models import Decision, Review


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in the unit's time zone (Vietnam), as an aware datetime."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def indices_status(index_ids: list[int], as_of: date) -> dict[int, tuple[list[CriterionStatus], list[DepartmentActivity]]]:
    """For each index: its criteria with their items, measurements and self-score, and the activity of the
    departments that own its items. Six statements, however many indices, criteria and documents."""
    cutoff = end_of_day(as_of)
    criteria = db.session.execute(
        select(Criterion, Area, Department).join(Area, Criterion.area_id == Area.id)
        .outerjoin(Department, Criterion.department_id == Department.id)
        .where(Criterion.index_id.in_(index_ids)).order_by(Area.position, Criterion.position)
    ).all()
    items = db.session.execute(
        select(ChecklistItem, Department, Criterion.index_id).join(Department, ChecklistItem.owner_department_id == Department.id)
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .where(Criterion.index_id.in_(index_ids)).order_by(ChecklistItem.position)
    ).all()
    evidence = db.session.execute(
        select(Evidence.id, Evidence.item_id, Evidence.replaces_id, Document.sent_date, Document.uploaded_at)
        .join(Document, Evidence.document_id == Document.id)
        .join(ChecklistItem, Evidence.item_id == ChecklistItem.id).join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .where(Criterion.index_id.in_(index_ids), Evidence.linked_at < cutoff,
               (Document.deleted_at.is_(None)) | (Document.deleted_at >= cutoff))
    ).all()
    reviews = db.session.execute(
        select(Review.evidence_id, Review.decision, Review.created_at)
        .join(Evidence, Review.evidence_id == Evidence.id).join(ChecklistItem, Evidence.item_id == ChecklistItem.id)
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .where(Criterion.index_id.in_(index_ids), Review.created_at < cutoff).order_by(Review.created_at, Review.id)
    ).all()
    measurements = db.session.execute(
        select(Measurement).join(Criterion, Measurement.criterion_id == Criterion.id)
        .where(Criterion.index_id.in_(index_ids), Measurement.measured_on <= as_of, Measurement.entered_at < cutoff)
        .order_by(Measurement.measured_on, Measurement.id)
    ).scalars().all()
    self_scores = dict(db.session.execute(
        select(SelfScore.criterion_id, SelfScore.score).join(Criterion, SelfScore.criterion_id == Criterion.id)
        .where(Criterion.index_id.in_(index_ids), SelfScore.round == 1, SelfScore.entered_at < cutoff)
    ).all())

    decision_of: dict[int, tuple[str, datetime]] = {}     # each evidence's latest decision by the cutoff
    for evidence_id, decision, decided_at in reviews:
        decision_of[evidence_id] = (decision, decided_at)
    by_item: dict[int, list] = defaultdict(list)
    for row in evidence:
        by_item[row.item_id].append(row)

    departments: dict[int, dict[str, dict]] = defaultdict(dict)
    items_by_criterion: dict[int, list[ItemStatus]] = defaultdict(list)
    for item, owner, index_id in items:
        status = _item_status(item, owner, by_item.get(item.id, []), decision_of)
        items_by_criterion[item.criterion_id].append(status)
        activity = departments[index_id].setdefault(owner.code, {"name": owner.name, "approvals": [], "waiting": 0, "sent_back": 0})
        if status.approved_on is not None:
            activity["approvals"].append(status.approved_on)
        activity["waiting"] += sum(1 for row in by_item.get(item.id, []) if row.id not in decision_of)
        activity["sent_back"] += 1 if status.sent_back else 0
    measured: dict[int, list[MeasurementPoint]] = defaultdict(list)
    for m in measurements:
        measured[m.criterion_id].append(MeasurementPoint(m.measured_on, m.numerator, m.denominator, m.source))

    result: dict[int, tuple[list, list]] = {index_id: ([], []) for index_id in index_ids}
    for criterion, area, department in criteria:
        result[criterion.index_id][0].append(CriterionStatus(
            code=criterion.code, title=criterion.title, area_code=area.code, area_name=area.name,
            max_points=criterion.max_points, rule_type=criterion.rule_type, rule_params=criterion.rule_params or {},
            last_year=criterion.last_year_score, points_estimated=criterion.points_estimated,
            department=department.code if department else None, department_name=department.name if department else None,
            items=tuple(items_by_criterion.get(criterion.id, [])), measurements=tuple(measured.get(criterion.id, [])),
            self_score=self_scores.get(criterion.id)))
    for index_id, by_code in departments.items():
        result[index_id][1].extend(DepartmentActivity(code, d["name"], tuple(sorted(d["approvals"])), d["waiting"], d["sent_back"])
                                   for code, d in sorted(by_code.items()))
    return result


def _item_status(item: ChecklistItem, owner: Department, rows: list, decision_of: dict) -> ItemStatus:
    replaced = {row.replaces_id for row in rows if row.replaces_id}
    approved = [(decision_of[row.id][1], row) for row in rows
                if decision_of.get(row.id, ("",))[0] == Decision.approved.value]
    approved.sort(key=lambda pair: pair[0])
    current = [row for row in rows if row.id not in replaced]
    waiting = any(row.id not in decision_of for row in current)
    sent_back = any(decision_of.get(row.id, ("",))[0] == EvidenceState.changes_requested.value for row in current)
    if approved:
        first_approval, approved_row = approved[0]
        approved_on = local_day(first_approval)
        sent_date = approved_row.sent_date
    else:
        approved_on = None
        latest = max(rows, key=lambda row: row.uploaded_at, default=None)
        sent_date = latest.sent_date if latest is not None else None
    return ItemStatus(code=item.code, title=item.title, owner=owner.code, owner_name=owner.name, due=item.due_date,
                      weight=item.weight, report_deadline=item.report_deadline, approved_on=approved_on,
                      sent_date=sent_date, waiting=waiting and not approved, sent_back=sent_back and not approved,
                      uploaded=bool(rows))


