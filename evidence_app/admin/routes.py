from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.accounts import AccountRefused, create_user, set_password, unlock, update_user
from ..auth.models import User
from ..auth.passwords import new_password
from ..auth.queries import actors_of_unit, departments_of_unit, users_of_unit
from ..catalog import assignments
from ..catalog.forms import AssignForm
from ..catalog.queries import item_in_unit
from ..dates import FORMAT_HINT, parse_day
from ..evidence.queries import about_document, document_in_unit
from ..forms import ActionForm
from ..inputs import database_id
from ..permissions import admin_required
from . import audit_labels
from .audit_labels import ACTIONS, OBJECT_TYPES
from .forms import UserForm
from .queries import about_user, audit_events, audit_page, user_in_unit

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@admin_required
def users():
    return render_template("admin/users.html", users=users_of_unit(), role_names=audit_labels.ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    departments = {d.id: d for d in departments_of_unit()}
    form = UserForm()
    form.departments.choices = [SelectChoice(d.id, d.name) for d in departments.values()]
    if form.validate_on_submit():
        username = form.username.data.strip()
        password = new_password(username)
        try:
            created = create_user(
                current_user.unit,
                username,
                role=form.role.data,
                departments=[departments[i] for i in form.departments.data if i in departments],
                full_name=form.full_name.data or "",
                email=(form.email.data or "").strip() or None,
                password=password,
                actor=current_user,
                active=bool(form.active.data),
            )
        except AccountRefused as refused:
            getattr(form, refused.field).errors.append(refused.message)
        else:
            message = _(
                "User %(name)s created. Their password, shown this once: %(password)s", name=username, password=password
            )
            return _password_page(created, message)
    return render_template("admin/user_form.html", form=form, user=None), 422 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = user_in_unit(user_id)
    departments = {d.id: d for d in departments_of_unit()}
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    form.departments.choices = [SelectChoice(d.id, d.name) for d in departments.values()]
    del form.username
    if request.method == "GET":
        form.departments.data = [d.id for d in user.departments]
    if form.validate_on_submit():
        try:
            update_user(
                user,
                current_user,
                full_name=form.full_name.data or "",
                email=(form.email.data or "").strip() or None,
                role=form.role.data,
                active=bool(form.active.data),
                departments=[departments[i] for i in form.departments.data if i in departments],
            )
        except AccountRefused as refused:
            flash(refused.message, "error")
            return redirect(url_for("admin.edit_user", user_id=user.id), 303)
        flash(_("Saved."), "success")
        return redirect(url_for("admin.users"), 303)
    events = audit_events(about_user(user.id), limit=200)
    return render_template(
        "admin/user_form.html", form=form, user=user, events=events, action_form=ActionForm()
    ), 422 if form.errors else 200


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    user = user_in_unit(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    password = new_password(user.username)
    set_password(user, password, actor=current_user)
    return _password_page(
        user, _("New password for %(name)s, shown this once: %(password)s", name=user.username, password=password)
    )


@bp.post("/users/<int:user_id>/unlock")
@admin_required
def unlock_user(user_id: int):
    user = user_in_unit(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    unlock(user, actor=current_user)
    flash(_("%(name)s can sign in again: their failed sign-ins are forgotten.", name=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id), 303)


def _password_page(user: User, message: str):
    """A new password is shown in this answer only: not in a flash message (the session cookie is readable), not
    in any cache."""
    response = make_response(render_template("admin/password.html", user=user, message=message))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/items/<int:item_id>/assign", methods=["POST"])
@admin_required
def assign_item(item_id: int):
    item = item_in_unit(item_id)
    form = AssignForm()
    departments = {d.id: d for d in departments_of_unit()}
    people = {u.id: u for u in users_of_unit(active_only=True)}
    form.owner_department.choices = [SelectChoice(i, d.name) for i, d in departments.items()]
    form.assignee.choices = [SelectChoice(0, "—")] + [SelectChoice(i, u.display_name) for i, u in people.items()]
    if not form.validate_on_submit():
        abort(400)
    assignments.assign_item(item, current_user, departments[form.owner_department.data], people.get(form.assignee.data))
    flash(_("Assignment saved."), "success")
    return redirect(url_for("evidence.item", item_id=item.id), 303)


@bp.get("/audit")
@admin_required
def audit_trail():
    """The unit's audit trail, filtered by the query string (user, action, object, from/to days) and paged."""
    args = request.args
    user_id = args.get("user", type=database_id)
    document_id = args.get("document", type=database_id)
    action = args.get("action", "")
    object_type = args.get("object_type", "")
    object_id = args.get("object_id", type=database_id)
    subject, conditions, problems = None, [], []
    if user_id:
        subject = user_in_unit(user_id)
        conditions.append(about_user(user_id))
    if document_id:
        subject = document_in_unit(document_id)
        conditions.append(about_document(document_id))
    days = {}
    for name in ("since", "until"):
        raw = args.get(name, "").strip()
        days[name] = parse_day(raw) if raw else None
        if raw and days[name] is None:
            problems.append(str(FORMAT_HINT))
    listing = audit_page(
        *conditions,
        action=action if action in ACTIONS else None,
        object_type=object_type if object_type in OBJECT_TYPES else None,
        object_id=object_id,
        since=days["since"],
        until=days["until"],
        page=args.get("page", 1, type=database_id) or 1,
    )
    filters = {k: v for k, v in args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html",
        listing=listing,
        events=listing.events,
        actors=actors_of_unit(),
        subject=subject,
        filters=filters,
        problems=problems,
        actions=ACTIONS,
        object_types=OBJECT_TYPES,
    )


bp.add_app_template_global(audit_labels.action_label, "audit_action")
bp.add_app_template_global(audit_labels.object_label, "audit_object")
bp.add_app_template_global(audit_labels.object_url, "audit_object_url")
bp.add_app_template_global(audit_labels.detail_lines, "audit_details")
