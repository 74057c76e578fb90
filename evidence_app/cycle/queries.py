"""The next cycle's reads inside the user's unit (anything else is 404: see scoping.py)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from ..scoping import one_in_unit_or_404
from .models import Proposal


def proposal_in_unit(proposal_id: int) -> Proposal:
    return one_in_unit_or_404(
        select(Proposal).where(Proposal.id == proposal_id, Proposal.unit_id == current_user.unit_id)
    )
