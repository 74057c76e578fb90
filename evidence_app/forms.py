"""Form pieces every feature uses: the CSRF-only action form, the day field and the check of typed text."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField
from wtforms.validators import ValidationError

from .dates import FORMAT_HINT, parse_day, show_day
from .inputs import has_forbidden_characters


class ActionForm(FlaskForm):
    """A bare form: a button that needs only its CSRF token (reset a password, delete, approve)."""


class DayField(DateField):
    """A day typed as dd/mm/yyyy (the Vietnamese way) or sent as yyyy-mm-dd by a date picker (`dates.parse_day`)."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_day(valuelist[0])
        if self.data is None:
            raise ValueError(FORMAT_HINT)

    def _value(self):
        return show_day(self.data) if isinstance(self.data, date) else (self.raw_data or [""])[0]


def no_control_characters(form, field):
    """Text with NUL or another control character cannot be stored (PostgreSQL refuses NUL). Urlencoded forms are
    refused before any page (inputs.py); a multipart form, such as an upload's, is read by its page, so it is checked
    here."""
    if field.data and has_forbidden_characters(field.data):
        raise ValidationError(_l("Remove the control characters (such as NUL) or broken characters from this text."))


class YearField(IntegerField):
    """A year of an assessment (2000–2100). WTForms' IntegerField takes any length of digits and its NumberRange
    then fails on a float conversion (a 500 for "99999…9"); a year is read only when it has four digits."""

    def process_formdata(self, valuelist):
        if valuelist and not (valuelist[0].strip().isascii() and len(valuelist[0].strip()) <= 4):
            self.data = None
            raise ValueError(_l("Enter a year of four digits, for example 2024."))
        super().process_formdata(valuelist)
