"""Forms for processes and their phases, and how a filled-in form becomes a draft for the operations."""

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
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from stengage.areas.models import Area, Phase
from stengage.areas.operations import PhaseDraft, ProcessDraft, local_to_utc, utc_to_local
from stengage.core.forms import SafeTextForm, WholeNumberField


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
    supports_per_resident = WholeNumberField(
        _l("Supports per resident"), validators=[Optional(), NumberRange(min=1, max=10_000)],
        description=_l("Leave empty for unlimited supports."))
    support_threshold = WholeNumberField(_l("Supports needed to qualify"), default=100,
                                     validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    edit_window_hours = WholeNumberField(
        _l("Hours an author may edit"), default=24, validators=[InputRequired(), NumberRange(min=0, max=24 * 90)],
        description=_l("Editing also ends with the first support."))
    comments_need_verification = BooleanField(_l("Only verified residents may comment"), default=True)
    phases = FieldList(FormField(PhaseForm), min_entries=5, max_entries=8)

    def validate_ends_on(self, field: Any) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must not be before the first day."))

    def draft(self, area: Area) -> ProcessDraft:
        """What was sent, with the phases' wall-clock times in the area's zone turned into UTC."""
        phases = tuple(
            PhaseDraft(title=entry.form.title.data, starts_at=local_to_utc(area, entry.form.starts_at.data),
                       ends_at=local_to_utc(area, entry.form.ends_at.data),
                       opens_propose=entry.form.opens_propose.data, opens_support=entry.form.opens_support.data,
                       opens_comment=entry.form.opens_comment.data)
            for entry in self.phases.entries if entry.form.title.data
        )
        return ProcessDraft(
            title=self.title.data, description=self.description.data or "", starts_on=self.starts_on.data,
            ends_on=self.ends_on.data, supports_per_resident=self.supports_per_resident.data,
            support_threshold=self.support_threshold.data, edit_window_hours=self.edit_window_hours.data,
            comments_need_verification=self.comments_need_verification.data, phases=phases)

    def show_phases(self, area: Area, phases: list[PhaseDraft] | list[Phase]) -> None:
        """Fill the phase rows with ``phases``, their times shown on the area's wall clock."""
        for entry, phase in zip(self.phases.entries, phases, strict=False):
            entry.form.title.data = phase.title
            entry.form.starts_at.data = utc_to_local(area, phase.starts_at)
            entry.form.ends_at.data = utc_to_local(area, phase.ends_at)
            entry.form.opens_propose.data = phase.opens_propose
            entry.form.opens_support.data = phase.opens_support
            entry.form.opens_comment.data = phase.opens_comment
