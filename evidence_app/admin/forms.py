from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..auth.models import Role

ROLE_CHOICES = [
    SelectChoice(Role.staff.value, _l("staff")),
    SelectChoice(Role.reviewer.value, _l("reviewer")),
    SelectChoice(Role.admin.value, _l("administrator")),
]


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
    departments = SelectMultipleField(_l("Departments"), coerce=int)
    active = BooleanField(_l("Active"), default=True)
