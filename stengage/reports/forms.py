"""Forms of the report workspace."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from stengage.core.forms import SafeTextForm, as_choices


class ReportForm(SafeTextForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=150)])
    # Not "process": WTForms forms have a process() method.
    process_slug = SelectField(_l("Process"), choices=[], validate_choice=True,
                          description=_l("Or leave empty and give a period for the whole area."))
    period_start = DateField(_l("From"), validators=[Optional()])
    period_end = DateField(_l("Until"), validators=[Optional()])

    def __init__(self, processes: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.process_slug.choices = as_choices([("", str(_l("The whole area, over a period"))), *processes])


class ThemeForm(SafeTextForm):
    title = StringField(_l("Theme"), validators=[DataRequired(), Length(max=150)])
    synthesis = TextAreaField(_l("Synthesis"), validators=[Optional(), Length(max=20_000)],
                              description=_l("What residents said on this theme, in your words. Markdown works."))
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=1000)])


class PublishForm(SafeTextForm):
    changelog = TextAreaField(_l("What changed since the last version"), validators=[Optional(), Length(max=5000)])


class SuggestionForm(SafeTextForm):
    key = HiddenField(validators=[DataRequired()])
    title = StringField(_l("Theme title"), validators=[Optional(), Length(max=150)])
    synthesis = TextAreaField(_l("Synthesis"), validators=[Optional(), Length(max=20_000)])
