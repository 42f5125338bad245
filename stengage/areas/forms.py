"""Forms for processes and their phases."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from stengage.core.forms import SafeTextForm


class PhaseForm(Form):
    title = StringField(_l("Phase name"), validators=[Optional(), Length(max=80)],
                        description=_l("Leave empty to remove the phase."))
    starts_at = DateTimeLocalField(_l("Starts"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField(_l("Ends"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    opens_propose = BooleanField(_l("Residents can propose"))
    opens_support = BooleanField(_l("Residents can support"))
    opens_comment = BooleanField(_l("Residents can comment"))

    def validate_ends_at(self, field: Any) -> None:
        if not self.title.data:
            return
        if not self.starts_at.data or not field.data:
            raise ValidationError(_l("A phase needs a start and an end."))
        if field.data <= self.starts_at.data:
            raise ValidationError(_l("The phase must end after it starts."))


class ProcessForm(SafeTextForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=150)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)],
                                description=_l("Markdown: **bold**, *italic*, lists and links."))
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    supports_per_resident = IntegerField(
        _l("Supports per resident"), validators=[Optional(), NumberRange(min=1, max=10_000)],
        description=_l("Leave empty for unlimited supports."))
    support_threshold = IntegerField(_l("Supports needed to qualify"), default=100,
                                     validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    edit_window_hours = IntegerField(
        _l("Hours an author may edit"), default=24, validators=[InputRequired(), NumberRange(min=0, max=24 * 90)],
        description=_l("Editing also ends with the first support."))
    comments_need_verification = BooleanField(_l("Only verified residents may comment"), default=True)
    phases = FieldList(FormField(PhaseForm), min_entries=5, max_entries=8)

    def validate_ends_on(self, field: Any) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must not be before the first day."))
