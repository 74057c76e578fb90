"""The audit trail as people read it: every action the app records (`audit.record(...)`) with its label, the
names of the fields its details hold, and where its object is shown. tests/admin/test_audit_trail.py checks that
every action recorded anywhere in evidence_app has a label here."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTIONS = {
    "auth.login": _l("Signed in"),
    "auth.login_failed": _l("Failed sign-in"),
    "auth.logout": _l("Signed out"),
    "catalog.import": _l("Catalog imported"),
    "department.create": _l("Department created"),
    "document.delete": _l("Document deleted"),
    "document.link": _l("Document linked to an item"),
    "document.read": _l("Document read (text, signatures, checks)"),
    "document.resubmit": _l("Document resubmitted"),
    "document.update": _l("Document edited"),
    "document.upload": _l("Document uploaded"),
    "document.upload_duplicate": _l("Same file uploaded again"),
    "dossier.signed": _l("Signed self-assessment dossier kept"),
    "item.assign": _l("Item assigned"),
    "measurement.add": _l("Measurement added"),
    "proposal.accept": _l("Proposal accepted"),
    "proposal.discard": _l("Proposal discarded"),
    "proposal.update": _l("Proposal edited"),
    "results.causes": _l("Causes of a result noted"),
    "results.import": _l("Results imported"),
    "results.rubric": _l("Estimated rubric replaced by the results table"),
    "results.propose": _l("Proposals made from results"),
    "review.approved": _l("Evidence approved"),
    "review.changes_requested": _l("Evidence sent back"),
    "self_score.set": _l("Self-assessed score set"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "unit.create": _l("Unit created"),
    "unit.merge": _l("Units merged"),
    "unit.rename": _l("Unit renamed"),
    "unit.split": _l("Unit split"),
    "unit.update": _l("Unit's population or province set"),
    "user.create": _l("User created"),
    "user.disable": _l("User disabled"),
    "user.enable": _l("User enabled"),
    "user.password_change": _l("Own password changed"),
    "user.password_reset": _l("Password reset by an administrator"),
    "user.password_set": _l("Password set on the command line"),
    "user.role_change": _l("Role changed"),
    "user.unlock": _l("Sign-in unlocked"),
    "user.update": _l("User edited"),
}

OBJECT_TYPES = {
    "criterion": _l("criterion"),
    "criterion_result": _l("criterion result"),
    "department": _l("department"),
    "document": _l("document"),
    "evidence": _l("evidence"),
    "index": _l("index"),
    "item": _l("checklist item"),
    "proposal": _l("proposal"),
    "result_set": _l("results"),
    "unit": _l("unit"),
    "user": _l("user"),
}

# Where an object is shown: the endpoint and the name of its id argument.
OBJECT_PAGES = {
    "criterion": ("catalog.criterion", "criterion_id"),
    "document": ("evidence.document", "document_id"),
    "evidence": ("review.show", "evidence_id"),
    "index": ("catalog.index", "index_id"),
    "item": ("evidence.item", "item_id"),
    "user": ("admin.edit_user", "user_id"),
}

# Actions whose details name each change as [before, after].
CHANGE_ACTIONS = {"user.update", "user.role_change", "document.update"}

FIELDS = {
    "active": _l("Active"),
    "address": _l("Address"),
    "comment": _l("Comment"),
    "code": _l("Code"),
    "departments": _l("Departments"),
    "document": _l("Document"),
    "email": _l("E-mail"),
    "failures_cleared": _l("Failed sign-ins forgotten"),
    "filename": _l("File"),
    "full_name": _l("Full name"),
    "issue_date": _l("Date of issue"),
    "issuer": _l("Issuer"),
    "item": _l("Item"),
    "items": _l("Items"),
    "name": _l("Name"),
    "number": _l("Number"),
    "period_end": _l("Period end"),
    "period_start": _l("Period start"),
    "operator": _l("Operator"),
    "reason": _l("Reason"),
    "replaces": _l("Replaces document"),
    "role": _l("Role"),
    "summary": _l("Summary"),
    "title": _l("Title"),
    "username": _l("Username"),
    "year": _l("Year"),
}

ROLES = {
    "staff": _l("staff"),
    "reviewer": _l("reviewer"),
    "admin": _l("administrator"),
    "province": _l("province officer"),
}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str | None, object_id: int | None) -> str:
    if not object_type:
        return ""
    name = OBJECT_TYPES.get(object_type)
    text = str(name) if name is not None else object_type
    return f"{text} #{object_id}" if object_id is not None else text


def object_url(object_type: str | None, object_id: int | None) -> str | None:
    page = OBJECT_PAGES.get(object_type or "")
    if page is None or object_id is None:
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: object_id})


def _value(key: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "role" and value in ROLES:
        return str(ROLES[value])
    if isinstance(value, list):
        return ", ".join(_value(key, v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(k, v)}" for k, v in value.items())
    return str(value)


def _lines(data: dict, changes: bool) -> list[str]:
    lines = []
    for key, value in data.items():
        name = FIELDS.get(key)
        label = str(name) if name is not None else key
        if key == "changes" and isinstance(value, dict):
            lines.extend(_lines(value, changes=True))
        elif changes and key != "username" and isinstance(value, list) and len(value) == 2:
            lines.append(f"{label}: {_value(key, value[0])} → {_value(key, value[1])}")
        else:
            lines.append(f"{label}: {_value(key, value)}")
    return lines


def detail_lines(action: str, data: dict | None) -> list[str]:
    """The event's details as "field: value" lines, a change as "field: before → after"."""
    return _lines(data or {}, changes=action in CHANGE_ACTIONS)
