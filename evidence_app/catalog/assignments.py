"""Who provides a checklist item: its owner department and, optionally, one person. One service for every path
that changes them (the admin page, a rubric import that moves an item), so that each change leaves its
previous values in the item's history (`AssignmentHistory`) and the report can name the owner as of any day."""

from __future__ import annotations

from .. import audit
from ..auth.models import Department, User
from ..extensions import db
from .models import AssignmentHistory, ChecklistItem


def note_assignment(item: ChecklistItem, changed_by_id: int | None) -> None:
    """Keep the item's current assignment in its history, just before it is changed (no commit: the caller's
    transaction holds the change)."""
    db.session.add(
        AssignmentHistory(
            item_id=item.id,
            owner_department_id=item.owner_department_id,
            assignee_id=item.assignee_id,
            changed_by_id=changed_by_id,
        )
    )


def assign_item(item: ChecklistItem, user: User, department: Department, assignee: User | None) -> bool:
    """Give `item` to `department` and `assignee` (or no one in particular), and commit. Returns whether
    anything changed; an unchanged assignment writes nothing."""
    if department.unit_id != item.unit_id or user.unit_id != item.unit_id:
        raise ValueError("the department and the user must belong to the item's unit")
    if assignee is not None and assignee.unit_id != item.unit_id:
        raise ValueError("the assignee must belong to the item's unit")
    assignee_id = assignee.id if assignee is not None else None
    if item.owner_department_id == department.id and item.assignee_id == assignee_id:
        return False
    before = {"department": item.owner_department.code, "assignee": item.assignee.username if item.assignee else None}
    note_assignment(item, user.id)
    item.owner_department, item.assignee = department, assignee
    after = {"department": department.code, "assignee": assignee.username if assignee else None}
    audit.record(
        "item.assign",
        unit_id=item.unit_id,
        actor_id=user.id,
        object_type="item",
        object_id=item.id,
        data={"item": item.code, "before": before, "after": after},
    )
    db.session.commit()
    return True
