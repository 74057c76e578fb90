"""The state of a checklist item, from the evidence linked to it (one rule, used everywhere)."""
from __future__ import annotations

from collections.abc import Iterable

from .models import EvidenceState

MISSING = "missing"                      # chưa có
WAITING = "waiting"                      # chờ duyệt
CHANGES_REQUESTED = "changes_requested"  # cần bổ sung
APPROVED = "approved"                    # đã duyệt


def item_state(evidence: Iterable) -> str:
    """`evidence`: objects or rows with `id`, `state` and `replaces_id`. A version replaced by a resubmission
    no longer counts. Approved as soon as one document is approved; otherwise, a document sent back and not yet
    replaced needs action; otherwise waiting while one awaits review; otherwise missing."""
    evidence = list(evidence)
    replaced = {e.replaces_id for e in evidence if e.replaces_id}
    states = {e.state for e in evidence if e.id not in replaced}
    if EvidenceState.approved.value in states:
        return APPROVED
    if EvidenceState.changes_requested.value in states:
        return CHANGES_REQUESTED
    if EvidenceState.submitted.value in states:
        return WAITING
    return MISSING
