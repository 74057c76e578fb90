from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username.")), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)])


class LogoutForm(FlaskForm):
    """Signing out is a POST with a CSRF token, so no other site can sign a user out."""


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password.")), Length(max=200)]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password."))],  # its length: the rule of passwords.py
        description=_l(
            "At least %(n)s characters, not one of the most common passwords, and without your username. A few "
            "words make a long password that is easy to remember.",
            n=MIN_PASSWORD_LENGTH,
        ),
    )
    new_password_again = PasswordField(
        _l("New password, again"),
        validators=[
            DataRequired(_l("Enter the new password once more.")),
            EqualTo("new_password", _l("The two new passwords differ.")),
        ],
    )
