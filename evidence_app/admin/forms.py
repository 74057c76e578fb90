from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.models import Role
from .audit_labels import ROLES

# Every role (a role missing here would silently change a user who has it on the next save).
ROLE_CHOICES = [SelectChoice(role.value, ROLES[role.value]) for role in Role]


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(min=2, max=80),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", message=_l("Letters, digits, '.', '_' and '-' only.")),
        ],
    )
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(_l("Not an e-mail address.")), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    # Check boxes, not a multiple select that needs Ctrl+click.
    departments = SelectMultipleField(
        _l("Departments"), coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    active = BooleanField(_l("Active"), default=True)
