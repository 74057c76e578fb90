"""The query layer of the report: everything the scoring rules need for one index, as it stood at the end of
`as_of` (only what was uploaded, decided and measured by then counts; self-scores, documents' sending dates and
items' owner departments as they were then, from their undo logs, evidence_app/history.py), in a fixed number of
SQL statements whatever the size of the unit. The evidence is aggregated per checklist item in the database
(`item_summaries`); only columns are loaded, never ORM objects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, func, select

from checklists.likelihood import default_parameters
from checklists.scoring import CriterionStatus, DepartmentActivity, ItemStatus
from checklists.scoring import Measurement as MeasurementPoint

from ..auth.models import Department
from ..catalog.models import Area, AssignmentHistory, ChecklistItem, Criterion, Measurement, SelfScore, SelfScoreHistory
from ..evidence.models import Document, Evidence
from ..evidence.reading.view import flagged_items
from ..evidence.states import item_summaries
from ..extensions import db
from ..history import standing_at


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in the unit's time zone (Vietnam), as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=_zone())


@dataclass(frozen=True)
class SelfAssessment:
    """A criterion's self-score and giải trình as they stood at a moment."""

    score: Decimal
    explanation: str | None


def self_assessments(index_ids: list[int], cutoff: datetime) -> dict[int, SelfAssessment]:
    """Per criterion of the indices: the self-score (round 1) and its giải trình as they stood just before `cutoff`,
    one statement. A change since left the former values in the history (score NULL: none yet); a self-score
    first entered after the cutoff, before its history was kept, is told by its entered_at."""
    rescored = standing_at(SelfScoreHistory, SelfScoreHistory.self_score_id, cutoff, "rescored")
    kept = rescored.c.id.is_not(None)
    rows = db.session.execute(
        select(
            SelfScore.criterion_id,
            case((kept, rescored.c.score), else_=SelfScore.score),
            case((kept, rescored.c.explanation), else_=SelfScore.explanation),
        )
        .join(Criterion, SelfScore.criterion_id == Criterion.id)
        .outerjoin(rescored, rescored.c.self_score_id == SelfScore.id)
        .where(Criterion.index_id.in_(index_ids), SelfScore.round == 1, SelfScore.entered_at < cutoff)
    )
    return {
        criterion_id: SelfAssessment(score, explanation)
        for criterion_id, score, explanation in rows
        if score is not None
    }


def indices_status(
    index_ids: list[int], as_of: date
) -> dict[int, tuple[list[CriterionStatus], list[DepartmentActivity]]]:
    """For each index: its criteria with their items, measurements and self-score, and the activity of the
    departments that own its items. Five statements, however many indices, criteria and documents."""
    cutoff, zone = end_of_day(as_of), _zone()
    in_indices = Criterion.index_id.in_(index_ids)
    criteria = db.session.execute(
        select(
            Criterion.id,
            Criterion.index_id,
            Criterion.code,
            Criterion.title,
            Criterion.max_points,
            Criterion.rule_type,
            Criterion.rule_params,
            Criterion.last_year_score,
            Criterion.points_estimated,
            Area.code.label("area_code"),
            Area.name.label("area_name"),
            Department.code.label("department"),
            Department.name.label("department_name"),
        )
        .join(Area, Criterion.area_id == Area.id)
        .outerjoin(Department, Criterion.department_id == Department.id)
        .where(in_indices)
        .order_by(Area.position, Criterion.position, Criterion.id)
    ).all()
    # the owner department as it stood: a re-assignment since left the former one in the item's history
    reassigned = standing_at(AssignmentHistory, AssignmentHistory.item_id, cutoff, "reassigned")
    owner_id = func.coalesce(reassigned.c.owner_department_id, ChecklistItem.owner_department_id)
    summary = item_summaries(
        select(ChecklistItem.id).join(Criterion, ChecklistItem.criterion_id == Criterion.id).where(in_indices), cutoff
    ).subquery("summary")
    items = db.session.execute(
        select(
            ChecklistItem.id,
            ChecklistItem.criterion_id,
            Criterion.index_id,
            ChecklistItem.code,
            ChecklistItem.title,
            ChecklistItem.due_date,
            ChecklistItem.weight,
            ChecklistItem.report_deadline,
            Department.code.label("owner"),
            Department.name.label("owner_name"),
            summary.c.documents,
            summary.c.undecided,
            summary.c.waiting,
            summary.c.sent_back,
            summary.c.first_approved_at,
            summary.c.sent_date,
        )
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .outerjoin(reassigned, reassigned.c.item_id == ChecklistItem.id)
        .join(Department, owner_id == Department.id)
        .outerjoin(summary, summary.c.item_id == ChecklistItem.id)
        .where(in_indices)
        .order_by(ChecklistItem.position, ChecklistItem.id)
    ).all()
    # the documents each item's department provided lately (its pace): links made in the pace window
    since = cutoff - timedelta(weeks=default_parameters().window_weeks, days=1)
    gone = select(Document.id).where(Document.id == Evidence.document_id, Document.deleted_at < cutoff)
    provided = db.session.execute(
        select(Evidence.item_id, Evidence.linked_at)
        .join(ChecklistItem, Evidence.item_id == ChecklistItem.id)
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .where(in_indices, Evidence.linked_at >= since, Evidence.linked_at < cutoff, ~gone.exists())
    ).all()
    provided_by_item: dict[int, list[date]] = defaultdict(list)
    for item_id, linked_at in provided:
        provided_by_item[item_id].append(linked_at.astimezone(zone).date())
    measurements = db.session.execute(
        select(
            Measurement.criterion_id,
            Measurement.measured_on,
            Measurement.numerator,
            Measurement.denominator,
            Measurement.source,
        )
        .join(Criterion, Measurement.criterion_id == Criterion.id)
        .where(in_indices, Measurement.measured_on <= as_of, Measurement.entered_at < cutoff)
        .order_by(Measurement.measured_on, Measurement.id)
    ).all()
    self_scores = {
        criterion_id: standing.score for criterion_id, standing in self_assessments(index_ids, cutoff).items()
    }

    flagged = flagged_items(index_ids, cutoff)
    departments: dict[int, dict[str, dict]] = defaultdict(dict)
    items_by_criterion: dict[int, list[ItemStatus]] = defaultdict(list)
    for (
        item_id,
        criterion_id,
        index_id,
        code,
        title,
        due,
        weight,
        report_deadline,
        owner,
        owner_name,
        documents,
        undecided,
        waiting,
        sent_back,
        first_approved_at,
        sent_date,
    ) in items:
        approved_on = None if first_approved_at is None else first_approved_at.astimezone(zone).date()
        pending = approved_on is None
        sent_back = pending and bool(sent_back)
        items_by_criterion[criterion_id].append(
            ItemStatus(
                code,
                title,
                owner,
                owner_name,
                due,
                weight,
                report_deadline,
                approved_on,
                sent_date,
                waiting=pending and bool(waiting),
                sent_back=sent_back,
                uploaded=bool(documents),
                flagged=item_id in flagged,
            )
        )
        activity = departments[index_id].get(owner)
        if activity is None:
            activity = departments[index_id][owner] = {
                "name": owner_name,
                "approvals": [],
                "uploads": [],
                "waiting": 0,
                "sent_back": 0,
            }
        activity["uploads"].extend(provided_by_item.get(item_id, ()))
        if approved_on is not None:
            activity["approvals"].append(approved_on)
        activity["waiting"] += undecided or 0
        activity["sent_back"] += sent_back
    measured: dict[int, list[MeasurementPoint]] = defaultdict(list)
    for m in measurements:
        measured[m.criterion_id].append(MeasurementPoint(m.measured_on, m.numerator, m.denominator, m.source))

    result: dict[int, tuple[list, list]] = {index_id: ([], []) for index_id in index_ids}
    for c in criteria:
        result[c.index_id][0].append(
            CriterionStatus(
                code=c.code,
                title=c.title,
                area_code=c.area_code,
                area_name=c.area_name,
                max_points=c.max_points,
                rule_type=c.rule_type,
                rule_params=c.rule_params or {},
                last_year=c.last_year_score,
                points_estimated=c.points_estimated,
                department=c.department,
                department_name=c.department_name,
                items=tuple(items_by_criterion.get(c.id, ())),
                measurements=tuple(measured.get(c.id, ())),
                self_score=self_scores.get(c.id),
            )
        )
    for index_id, by_code in departments.items():
        result[index_id][1].extend(
            DepartmentActivity(
                code,
                d["name"],
                tuple(sorted(d["approvals"])),
                d["waiting"],
                d["sent_back"],
                tuple(sorted(d["uploads"])),
            )
            for code, d in sorted(by_code.items())
        )
    return result
