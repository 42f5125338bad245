"""Forms of the staff token page: one per verb."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from stengage.core.forms import SafeTextForm

NAME_IT = _l("Give the token a name, e.g. the tool that will use it.")


class TokenForm(SafeTextForm):
    name = StringField(_l("Name"), validators=[DataRequired(NAME_IT), Length(max=80)],
                       description=_l("The tool that will use it, e.g. “energy dashboard”."))


class RevokeTokenForm(SafeTextForm):
    """The token stops working."""
