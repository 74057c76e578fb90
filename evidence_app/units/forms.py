"""The forms of the province's units page: merge, rename, population."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import DayField, no_control_characters

METHOD_CHOICES = [
    SelectChoice("mean", _l("Mean of the merged units' scores")),
    SelectChoice("weighted", _l("Mean weighted by population")),
    SelectChoice("own", _l("The new unit's own score")),
]


class MergeForm(FlaskForm):
    sources = SelectMultipleField(
        _l("Units merged"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    into = StringField(
        _l("Code of the merged unit"),
        validators=[DataRequired(_l("Enter the merged unit's code.")), Length(max=40)],
        description=_l("A new code (give its name below) or the code of a unit that absorbs the others."),
    )
    name = StringField(_l("Name of the new unit"), validators=[Optional(), Length(max=200), no_control_characters])
    effective_on = DayField(
        _l("Effective from"), validators=[DataRequired(_l("Enter the day the merge takes effect."))]
    )
    method = SelectField(_l("Last year's baseline"), choices=METHOD_CHOICES, default="mean")
    preview = SubmitField(_l("Preview"))
    confirm = SubmitField(_l("Merge"))


class RenameForm(FlaskForm):
    unit = SelectField(_l("Unit"))
    name = StringField(
        _l("New name"),
        validators=[DataRequired(_l("Enter the unit's new name.")), Length(max=200), no_control_characters],
    )
    effective_on = DayField(
        _l("Effective from"), validators=[DataRequired(_l("Enter the day the new name takes effect."))]
    )


class PopulationForm(FlaskForm):
    unit = SelectField(_l("Unit"))
    population = IntegerField(
        _l("Population"),
        validators=[DataRequired(_l("Enter the population.")), NumberRange(min=1, max=100_000_000)],
    )
