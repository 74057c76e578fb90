from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from .. import clock
from ..forms import DayField, no_control_characters
from .operations import DocumentFields


def not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("This date is in the future."))


class DocumentFieldsForm(FlaskForm):
    number = StringField(
        _l("Document number"),
        validators=[Optional(), Length(max=100), no_control_characters],
        description=_l("Số hiệu, e.g. 25/BC-UBND"),
    )
    issue_date = DayField(_l("Issue date"), validators=[Optional(), not_in_future])
    issuer = StringField(_l("Issued by"), validators=[Optional(), Length(max=300), no_control_characters])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000), no_control_characters])
    period_start = DayField(_l("Period from"), validators=[Optional()])
    period_end = DayField(_l("Period to"), validators=[Optional()])
    page_ref = StringField(
        _l("Page or section that proves it"), validators=[Optional(), Length(max=200), no_control_characters]
    )
    sent_date = DayField(
        _l("Date sent"),
        validators=[Optional(), not_in_future],
        description=_l("For a report: the day it was sent; it decides whether it was on time."),
    )

    def __init__(self, *args, report_item: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.report_item = report_item

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_l("The period ends before it starts."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.report_item:  # a periodic report's timeliness is proved by its number and sending date
            if not (self.number.data or "").strip():
                self.number.errors = [
                    *self.number.errors,
                    _l("A report needs its document number: it proves when and what was sent."),
                ]
                valid = False
            if not self.sent_date.data and not self.sent_date.errors:
                self.sent_date.errors = [
                    *self.sent_date.errors,
                    _l("A report needs the date it was sent: it decides whether it was on time."),
                ]
                valid = False
        return valid

    def to_fields(self) -> DocumentFields:
        def text(value):
            value = (value or "").strip()
            return value or None

        return DocumentFields(
            number=text(self.number.data),
            issue_date=self.issue_date.data,
            issuer=text(self.issuer.data),
            summary=text(self.summary.data),
            period_start=self.period_start.data,
            period_end=self.period_end.data,
            page_ref=text(self.page_ref.data),
            sent_date=self.sent_date.data,
        )


__all__ = ["DocumentFieldsForm"]
