"""Deciding on evidence: approve, or send back with a coded reason. The four-eyes rule and the binding of a
decision to the version the reviewer saw are enforced here, for the pages, the CLI and the API alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..auth.models import User
from ..errors import Refused
from ..evidence.models import Decision, Evidence, EvidenceState, Review
from ..evidence.queries import changes_since
from ..evidence.reasons import REASONS
from ..extensions import db
from ..permissions import can_review
from ..transactions import service_transaction

MAX_COMMENT = 4000  # as the API allows


class ReviewRefused(Refused):
    """The decision is not allowed; `code` is stable ("not_reviewer", "own_upload", "reason_required", …)."""

    NOT_ALLOWED = ("own_upload", "not_reviewer")  # who decides, not what: 403

    def __init__(self, code: str, message):
        super().__init__(message, code=code, status=403 if code in self.NOT_ALLOWED else 422)


class ReviewConflict(Refused):
    """Someone else decided first; nothing was overwritten."""

    code = "decided_elsewhere"
    status = 409

    def __init__(self, evidence: Evidence):
        self.evidence = evidence
        super().__init__(
            _l("Another reviewer decided on this document first; nothing was overwritten. Their decision stands."),
            current={"state": evidence.state, "version": evidence.version},
        )


class ChangedSinceSeen(ReviewConflict):
    """The document's metadata or links changed after the reviewer opened it: nothing was decided. `changed`
    says what, `{"field", "old", "new"}` each; `evidence` is the current version."""

    code = "changed_since_seen"

    def __init__(self, evidence: Evidence, changed: list[dict]):
        self.evidence, self.changed = evidence, changed
        Refused.__init__(
            self,
            _l(
                "The document was changed after you opened it; nothing was decided. Look at what changed, then "
                "decide on the current version."
            ),
            current={"state": evidence.state, "version": evidence.version},
            changed=changed,
        )


class EvidenceGone(Refused):
    """The document was deleted after the reviewer opened it."""

    code = "not_found"
    status = 404

    def __init__(self):
        super().__init__(_l("This page does not exist, or it is not yours to see."))


def is_own(evidence: Evidence, user: User) -> bool:
    """A reviewer never decides on a document they uploaded or offered for this item themselves."""
    return evidence.document.uploaded_by_id == user.id or evidence.linked_by_id == user.id


def decide(
    evidence: Evidence,
    reviewer: User,
    decision: str,
    *,
    expected_version: int,
    reason_code: str | None = None,
    comment: str | None = None,
) -> Review:
    """Record a decision and commit. `expected_version` is the version the reviewer saw: if the evidence changed
    since (another reviewer decided), ReviewConflict is raised and nothing is written."""

    if evidence.document.unit_id != reviewer.unit_id:
        raise ValueError("evidence of another unit")
    if not can_review(reviewer):
        raise ReviewRefused("not_reviewer", _l("Only reviewers and administrators decide on evidence."))
    if is_own(evidence, reviewer):
        raise ReviewRefused(
            "own_upload", _l("You uploaded this document yourself: another reviewer must decide on it.")
        )
    if decision not in (Decision.approved.value, Decision.changes_requested.value):
        raise ReviewRefused("bad_decision", _l("Unknown decision."))
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ReviewRefused("comment_too_long", _l("At most %(n)s characters.", n=MAX_COMMENT))
    if decision == Decision.changes_requested.value:
        if reason_code not in REASONS:
            raise ReviewRefused("reason_required", _l("Choose the reason the document is sent back."))
        if reason_code == "other" and not comment:
            raise ReviewRefused("comment_required", _l("Say in the comment what is wrong with the document."))
    else:
        reason_code = None
    with service_transaction():
        # Read the evidence afresh and lock it (SELECT … FOR UPDATE on PostgreSQL) until the commit: an edit of the
        # document moves every link to a new version under the same lock (evidence/operations.py), so it lands
        # either before this check (and is seen: 409) or after this decision (and is refused: decided).
        evidence = db.session.execute(
            select(Evidence)
            .where(Evidence.id == evidence.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        db.session.refresh(evidence.document)
        if evidence.document.deleted_at is not None:
            raise EvidenceGone()
        if evidence.state != EvidenceState.submitted.value or evidence.version != expected_version:
            raise _conflict(evidence, expected_version)
        evidence.state = decision
        review = Review(
            evidence=evidence, reviewer_id=reviewer.id, decision=decision, reason_code=reason_code, comment=comment
        )
        db.session.add(review)
        try:
            db.session.flush()  # the UPDATE … WHERE version = expected: fails if another writer got there first
        except StaleDataError:  # SQLite: another writer committed between our reading and our writing
            db.session.rollback()
            raise _conflict(db.session.get(Evidence, evidence.id), expected_version) from None
        audit.record(
            f"review.{decision}",
            unit_id=reviewer.unit_id,
            actor_id=reviewer.id,
            object_type="evidence",
            object_id=evidence.id,
            data={
                "document": evidence.document_id,
                "item": evidence.item.code,
                "reason": reason_code,
                "comment": comment,
            },
        )
    return review


def _conflict(evidence: Evidence, expected_version: int) -> ReviewConflict:
    """Why a decision naming `expected_version` cannot be taken on `evidence` as it now stands."""
    if evidence.state != EvidenceState.submitted.value:
        return ReviewConflict(evidence)
    return ChangedSinceSeen(evidence, changes_since(evidence, expected_version))
