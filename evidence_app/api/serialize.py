"""The JSON shapes of the API (described one for one in openapi.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ..errors import both_languages
from ..evidence.reasons import REASONS


def num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def department(d) -> dict | None:
    return None if d is None else {"id": d.id, "code": d.code, "name": d.name}


def user_ref(u) -> dict | None:
    return None if u is None else {"id": u.id, "username": u.username, "name": u.display_name}


def me(u) -> dict:
    return {
        **user_ref(u),
        "role": u.role,
        "unit": {"code": u.unit.code, "name": u.unit.name},
        "departments": [department(d) for d in u.departments],
    }


def index_summary(i) -> dict:
    return {
        "id": i.id,
        "code": i.code,
        "name": i.name,
        "year": i.year,
        "max_points": num(i.max_points),
        "assessment_date": day(i.assessment_date),
        "last_year_score": num(i.last_year_score),
    }


def item_summary(item) -> dict:
    return {
        "id": item.id,
        "code": item.code,
        "title": item.title,
        "checks": item.checks,
        "due_date": day(item.due_date),
        "weight": num(item.weight),
        "owner_department": department(item.owner_department),
        "assignee": user_ref(item.assignee),
        "report_period": item.report_period,
        "report_deadline": day(item.report_deadline),
        "report_cutoff": day(item.report_cutoff),
        "report_source": item.report_source,
        "criterion_id": item.criterion_id,
    }


def criterion_summary(c) -> dict:
    return {
        "id": c.id,
        "code": c.code,
        "title": c.title,
        "max_points": num(c.max_points),
        "rule_type": c.rule_type,
        "last_year_score": num(c.last_year_score),
        "last_year_note": c.last_year_note,
        "points_estimated": c.points_estimated,
        "department": department(c.department),
    }


def rubric(index, areas) -> dict:
    return {
        **index_summary(index),
        "areas": [
            {
                "id": a.id,
                "code": a.code,
                "name": a.name,
                "max_points": num(a.max_points),
                "last_year_score": num(a.last_year_score),
                "criteria": [{**criterion_summary(c), "items": [item_summary(i) for i in c.items]} for c in a.criteria],
            }
            for a in areas
        ],
    }


def measurement(m) -> dict:
    return {
        "id": m.id,
        "measured_on": day(m.measured_on),
        "numerator": num(m.numerator),
        "denominator": num(m.denominator),
        "percent": None if m.percent is None else round(float(m.percent), 2),
        "source": m.source,
        "entered_at": moment(m.entered_at),
    }


def self_score(s) -> dict | None:
    return (
        None
        if s is None
        else {
            "round": s.round,
            "score": num(s.score),
            "note": s.note,
            "explanation": s.explanation,
            "entered_at": moment(s.entered_at),
        }
    )


def document(d) -> dict:
    return {
        "id": d.id,
        "filename": d.filename,
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "page_count": d.page_count,
        "uploaded_by": user_ref(d.uploaded_by),
        "uploaded_at": moment(d.uploaded_at),
        "number": d.number,
        "issue_date": day(d.issue_date),
        "issuer": d.issuer,
        "summary": d.summary,
        "period_start": day(d.period_start),
        "period_end": day(d.period_end),
        "page_ref": d.page_ref,
        "sent_date": day(d.sent_date),
    }


def reading(r, view) -> dict | None:
    """What was read from a document (`r`, a DocumentReading) and its failed pre-checks (`view`, a ReadingView)."""
    if r is None:
        return None
    return {
        "status": r.status,
        "method": r.method,
        "confidence": r.confidence,
        "pages": r.pages,
        "proposals": r.proposals or {},
        "signatures": r.signatures or [],
        "prechecks": [
            {"evidence_id": evidence_id, "code": c.code, "reason": reason(c.reason), "message": c.message}
            for evidence_id, checks in view.prechecks.items()
            for c in checks
        ],
    }


def reason(code: str | None) -> dict | None:
    if code is None:
        return None
    label, label_en = both_languages(REASONS[code]) if code in REASONS else (code, code)
    return {"code": code, "label": label, "label_en": label_en}


def review(r) -> dict:
    return {
        "id": r.id,
        "evidence_id": r.evidence_id,
        "decision": r.decision,
        "reason": reason(r.reason_code),
        "comment": r.comment,
        "reviewer": user_ref(r.reviewer),
        "created_at": moment(r.created_at),
    }


def evidence(e, *, own: bool | None = None, with_document: bool = True, with_item: bool = True) -> dict:
    """`version` is what a decision must send back (optimistic locking)."""
    body = {
        "id": e.id,
        "state": e.state,
        "version": e.version,
        "document_id": e.document_id,
        "item_id": e.item_id,
        "replaces_id": e.replaces_id,
        "linked_by": user_ref(e.linked_by),
        "linked_at": moment(e.linked_at),
    }
    if with_document:
        body["document"] = document(e.document)
    if with_item:
        body["item"] = {"id": e.item.id, "code": e.item.code, "title": e.item.title}
    if own is not None:
        body["own"] = own
    return body


def audit_event(event, actors: dict) -> dict:
    return {
        "id": event.id,
        "occurred_at": moment(event.occurred_at),
        "action": event.action,
        "actor": user_ref(actors.get(event.actor_id)),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data or {},
        "hash": event.hash,
    }
