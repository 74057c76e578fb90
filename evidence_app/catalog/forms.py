"""The form that gives a checklist item its owner department and person (shown on the item's page, handled by
the administrators' pages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class AssignForm(FlaskForm):
    owner_department = SelectField(_l("Department"), coerce=int)
    assignee = SelectField(_l("Person"), coerce=int)
