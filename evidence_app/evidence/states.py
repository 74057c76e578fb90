"""The state of a checklist item, from the states of the evidence linked to it (one rule, used everywhere)."""
from __future__ import annotations

from collections.abc import Iterable

from .models import EvidenceState

MISSING = "missing"                   # chưa có
WAITING = "waiting"                   # chờ duyệt
CHANGES_REQUESTED = "changes_requested"  # cần bổ sung
APPROVED = "approved"                 # đã duyệt


def item_state(evidence_states: Iterable[str]) -> str:
    """Approved as soon as one document is approved; otherwise waiting while one awaits review; otherwise sent
    back if every document was; otherwise missing."""
    states = set(evidence_states)
    if EvidenceState.approved.value in states:
        return APPROVED
    if EvidenceState.submitted.value in states:
        return WAITING
    if EvidenceState.changes_requested.value in states:
        return CHANGES_REQUESTED
    return MISSING
