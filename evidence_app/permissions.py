"""Who may do what: every role check of the app in one place, and the decorators the pages use.

Which unit an object belongs to is the other half of authorisation; it is checked where objects are looked up
(`scoping.py` and each feature's `queries.py`), answering 404 for anything outside the user's unit.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .auth.models import Role

REVIEWING_ROLES = (Role.reviewer.value, Role.admin.value)


def is_admin(user) -> bool:
    return user.role == Role.admin.value


def can_review(user) -> bool:
    """Reviewers and administrators decide on evidence, set self-scores and build the submission pack."""
    return user.role in REVIEWING_ROLES


def can_enter_figures(user, criterion) -> bool:
    """Reviewers, administrators, and the staff of the criterion's department enter its measurements."""
    if can_review(user):
        return True
    return criterion.department_id is not None and criterion.department_id in {d.id for d in user.departments}


def sees_the_province(user) -> bool:
    return user.role == Role.province.value


def sees_unit_report(user, unit) -> bool:
    """A unit's report: its own users, and the province's officers for every unit of the province (the
    installation serves one province: every unit in it)."""
    return sees_the_province(user) or user.unit_id == unit.id


def can_reorganise(user, unit) -> bool:
    """Merging, splitting and renaming units: the province's officers, for the units of their own province (a
    unit's `province_id` is the province's unit, the one its officers belong to)."""
    return sees_the_province(user) and unit.province_id is not None and unit.province_id == user.unit_id


HOME_PAGES = {  # where each role starts: the page of its daily work
    Role.staff.value: "evidence.my_work_page",
    Role.reviewer.value: "review.queue",
    Role.admin.value: "reports.report_page",  # the chairman's one-page summary
    Role.province.value: "reports.province",
}


def home_endpoint(user) -> str:
    return HOME_PAGES.get(user.role, "evidence.my_work_page")


def allowed_or_403(allowed: bool) -> None:
    if not allowed:
        abort(403)


def role_required(check):
    """A page for signed-in users that `check(current_user)` admits; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            allowed_or_403(check(current_user))
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(is_admin)
reviewer_required = role_required(can_review)
province_required = role_required(sees_the_province)
