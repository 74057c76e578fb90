"""Form pieces every feature uses: the CSRF-only action form and the day field."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField

from .dates import FORMAT_HINT, parse_day, show_day


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
