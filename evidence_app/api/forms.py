from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(
        _l("What is the token for?"),
        validators=[DataRequired(_l("Give the token a name.")), Length(max=100)],
        description=_l("e.g. “the department's scanner script”"),
    )
