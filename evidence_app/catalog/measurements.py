"""Measurements of ratio criteria (numerator, denominator, date, source) and self-scores: one place for the
checks, used by the pages, the CLI and the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit, clock
from ..auth.models import User
from ..dates import FORMAT_HINT, parse_day
from ..errors import Refused
from ..extensions import db
from .models import Criterion, Measurement, SelfScore, SelfScoreHistory

LARGEST_NUMBER = Decimal(10_000_000)  # points and figures are NUMERIC(10, 3) in the database
DECIMALS = 3  # ... so a fourth decimal would be silently dropped (0.0004 stored as 0)
MAX_TEXT = 4000  # a source or a note, as the API allows


class EntryRefused(Refused):
    """A measurement or self-score that cannot be recorded; `field` names the input, `message` says why."""

    def __init__(self, field: str, message):
        super().__init__(message, field=field)


def parse_number(raw, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise EntryRefused(field, _l("Enter a number, for example 123 or 12,5.")) from None
    if not value.is_finite():
        raise EntryRefused(field, _l("Enter a number, for example 123 or 12,5."))
    if abs(value) >= LARGEST_NUMBER:
        raise EntryRefused(field, _l("The number is too large (at most %(max)s).", max=LARGEST_NUMBER - 1))
    if value != value.quantize(Decimal(1).scaleb(-DECIMALS)):
        raise EntryRefused(field, _l("At most %(n)s decimals, for example 12,345.", n=DECIMALS))
    return value


def _short_enough(field: str, text: str | None) -> None:
    if text is not None and len(text) > MAX_TEXT:
        raise EntryRefused(field, _l("At most %(n)s characters.", n=MAX_TEXT))


def parse_entry_day(raw, field: str) -> date:
    day = parse_day(raw)
    if day is None:
        raise EntryRefused(field, FORMAT_HINT)
    return day


def add_measurement(
    criterion: Criterion, user: User, *, numerator: Decimal, denominator: Decimal | None, measured_on: date, source: str
) -> Measurement:
    if numerator < 0:
        raise EntryRefused("numerator", _l("The number cannot be negative."))
    if denominator is not None:
        if denominator <= 0:
            raise EntryRefused("denominator", _l("The total must be above 0 (a ratio cannot be taken of nothing)."))
        if numerator > denominator:
            raise EntryRefused(
                "numerator", _l("The count cannot exceed the total (%(n)s of %(d)s).", n=numerator, d=denominator)
            )
    if measured_on > clock.today():
        raise EntryRefused("measured_on", _l("This date is in the future."))
    if not (source or "").strip():
        raise EntryRefused("source", _l("Say where the figure comes from (the system, the report, the list)."))
    _short_enough("source", source)
    measurement = Measurement(
        criterion=criterion,
        numerator=numerator,
        denominator=denominator,
        measured_on=measured_on,
        source=source.strip(),
        entered_by_id=user.id,
    )
    db.session.add(measurement)
    db.session.flush()
    audit.record(
        "measurement.add",
        unit_id=user.unit_id,
        actor_id=user.id,
        object_type="criterion",
        object_id=criterion.id,
        data={
            "criterion": criterion.code,
            "numerator": str(numerator),
            "denominator": None if denominator is None else str(denominator),
            "measured_on": measured_on.isoformat(),
            "source": source.strip(),
        },
    )
    db.session.commit()
    return measurement


def set_self_score(
    criterion: Criterion,
    user: User,
    score: Decimal,
    *,
    round_: int = 1,
    note: str | None = None,
    explanation: str | None = None,
) -> SelfScore:
    """Record the unit's self-score of a criterion, with its note and its giải trình (`explanation`, what the
    self-assessment dossier shows the appraisers). The values it replaces stay in its history, from which a
    report or dossier as of an earlier day reads them."""
    if score < 0 or score > criterion.max_points:
        raise EntryRefused(
            "score", _l("The self-score must be between 0 and the maximum, %(max)s.", max=criterion.max_points)
        )
    existing = db.session.execute(
        select(SelfScore).where(SelfScore.criterion_id == criterion.id, SelfScore.round == round_)
    ).scalar_one_or_none()
    before = None if existing is None else str(existing.score)
    before_explanation = None if existing is None else existing.explanation
    note = (note or "").strip() or None
    explanation = (explanation or "").strip() or None
    _short_enough("note", note)
    _short_enough("explanation", explanation)
    if existing is None:
        existing = SelfScore(
            criterion=criterion,
            round=round_,
            score=score,
            note=note,
            explanation=explanation,
            entered_by_id=user.id,
        )
        db.session.add(existing)
        db.session.flush()  # its creation is logged too: before it, the criterion had no self-score
        db.session.add(
            SelfScoreHistory(
                self_score_id=existing.id, score=None, changed_by_id=user.id, changed_at=existing.entered_at
            )
        )
    elif (existing.score, existing.note, existing.explanation, existing.entered_by_id) != (
        score,
        note,
        explanation,
        user.id,
    ):
        # the previous value stays in the history: a report as of an earlier day reads it
        db.session.add(
            SelfScoreHistory(
                self_score_id=existing.id,
                score=existing.score,
                note=existing.note,
                explanation=existing.explanation,
                entered_by_id=existing.entered_by_id,
                changed_by_id=user.id,
            )
        )
        existing.score, existing.note, existing.explanation = score, note, explanation
        existing.entered_by_id = user.id
    db.session.flush()
    audit.record(
        "self_score.set",
        unit_id=user.unit_id,
        actor_id=user.id,
        object_type="criterion",
        object_id=criterion.id,
        data={
            "criterion": criterion.code,
            "round": round_,
            "before": before,
            "after": str(score),
            "explanation_before": before_explanation,
            "explanation_after": explanation,
        },
    )
    db.session.commit()
    return existing
