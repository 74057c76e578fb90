from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import DayField, YearField


class ResultsUploadForm(FlaskForm):
    file = FileField(_l("The province's table (XLSX or CSV)"))
    index_code = SelectField(_l("Index"))
    year = YearField(
        _l("Year assessed"),
        # InputRequired (not DataRequired, which would replace YearField's own message by "enter the year")
        validators=[InputRequired(_l("Enter the year assessed.")), NumberRange(2000, 2100)],
    )


class ResultsApplyForm(FlaskForm):
    """The file checked in the dry run, sent back to be applied (small: the province's table of scores)."""

    filename = HiddenField()
    content = HiddenField()
    index_code = HiddenField()
    year = HiddenField()


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=500)])
    checks = TextAreaField(
        _l("What the appraiser checks"),
        validators=[DataRequired(_l("Say what the appraiser checks.")), Length(max=4000)],
    )
    owner = SelectField(_l("Department"), coerce=int)
    due = DayField(_l("Due date"), validators=[Optional()])
    action = HiddenField()


class RubricForm(FlaskForm):
    """A rubric file (YAML, or the province's spreadsheet with its index and year), checked first; applying sends
    the checked file back in the hidden fields."""

    file = FileField(_l("The rubric (YAML, XLSX or CSV)"))
    index_code = StringField(_l("Index (spreadsheets only)"), validators=[Optional(), Length(max=32)])
    year = YearField(_l("Year of the rubric (spreadsheets only)"), validators=[Optional(), NumberRange(2000, 2100)])
    filename = HiddenField()
    content = HiddenField()
