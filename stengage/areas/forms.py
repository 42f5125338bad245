"""Forms for processes and their phases, and how a filled-in form becomes a draft for the operations."""

from __future__ import annotations

from types import SimpleNamespace
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
    SubmitField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from stengage.areas.models import Area, Phase
from stengage.areas.operations import MAX_PHASES, PhaseDraft, ProcessDraft, local_to_utc, utc_to_local
from stengage.core.forms import SafeTextForm, WholeNumberField, leaf_fields
from stengage.core.localized import LocalizedTextField, enabled_languages


class PhaseForm(Form):
    title_texts = LocalizedTextField(_l("Phase name"), max_length=80,
                                     description=_l("Leave every language empty to remove the phase."))
    description_texts = LocalizedTextField(_l("What happens in this phase"), multiline=True, max_length=2_000)
    starts_at = DateTimeLocalField(_l("Starts"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField(_l("Ends"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    opens_propose = BooleanField(_l("Residents can propose"))
    opens_support = BooleanField(_l("Residents can support"))
    opens_comment = BooleanField(_l("Residents can comment"))

    @property
    def named(self) -> bool:
        return any((text or "").strip() for text in (self.title_texts.data or {}).values())

    def validate_ends_at(self, field: Any) -> None:
        if not self.named:
            return
        if not self.starts_at.data or not field.data:
            raise ValidationError(_l("A phase needs a start and an end."))
        if field.data <= self.starts_at.data:
            raise ValidationError(_l("The phase must end after it starts."))


class ProcessForm(SafeTextForm):
    title_texts = LocalizedTextField(_l("Title"), max_length=150, required=True)
    description_texts = LocalizedTextField(_l("Description"), multiline=True, max_length=10_000,
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
    phases = FieldList(FormField(PhaseForm), min_entries=1, max_entries=MAX_PHASES)
    # Without JavaScript, these re-render the form with one phase more or less and save nothing.
    add_phase = SubmitField(_l("Add a phase"))
    remove_phase = StringField()

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title_texts.required_language = area.default_locale

    def change_phases(self) -> bool:
        """Add or remove a phase row when one of those buttons was pressed; True when one was."""
        if self.add_phase.data:
            if len(self.phases.entries) < MAX_PHASES:
                self.phases.append_entry()
            return True
        wanted = self.remove_phase.data
        if wanted and wanted.isascii() and wanted.isdigit():
            index = int(wanted) - 1
            if 0 <= index < len(self.phases.entries) and len(self.phases.entries) > 1:
                kept = [entry.data for n, entry in enumerate(self.phases.entries) if n != index]
                while self.phases.entries:
                    self.phases.pop_entry()
                for data in kept:
                    self.phases.append_entry(data)
            return True
        return False

    def error_fields(self) -> list[Any]:
        """The summary names each phase's field with its number ("Phase 2: Ends")."""
        fields = super().error_fields()
        refusals = [error for error in self.phases.errors if isinstance(error, str)]
        if refusals:  # a refusal about the phases together (overlaps), already naming its phases
            fields.append(SimpleNamespace(id="phases-error", errors=refusals, summary_label=""))
        for number, entry in enumerate(self.phases.entries, start=1):
            for inner in leaf_fields(entry.form):
                inner.summary_label = _l("Phase %(num)d: %(field)s", num=number, field=inner.label.text)
        return fields

    def validate_ends_on(self, field: Any) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must not be before the first day."))

    def draft(self, area: Area) -> ProcessDraft:
        """What was sent, with the phases' wall-clock times in the area's zone turned into UTC."""
        phases = tuple(
            PhaseDraft(title=_first(entry.form.title_texts.data, area),
                       starts_at=local_to_utc(area, entry.form.starts_at.data),
                       ends_at=local_to_utc(area, entry.form.ends_at.data),
                       opens_propose=entry.form.opens_propose.data, opens_support=entry.form.opens_support.data,
                       opens_comment=entry.form.opens_comment.data,
                       title_texts=_cleaned(entry.form.title_texts.data),
                       description_texts=_cleaned(entry.form.description_texts.data))
            for entry in self.phases.entries if entry.form.named
        )
        return ProcessDraft(
            title=_first(self.title_texts.data, area), description=_first(self.description_texts.data, area),
            title_texts=_cleaned(self.title_texts.data), description_texts=_cleaned(self.description_texts.data),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data, supports_per_resident=self.supports_per_resident.data,
            support_threshold=self.support_threshold.data, edit_window_hours=self.edit_window_hours.data,
            comments_need_verification=self.comments_need_verification.data, phases=phases)

    def show_phases(self, area: Area, phases: list[PhaseDraft] | list[Phase]) -> None:
        """Fill the phase rows with ``phases``, their times shown on the area's wall clock."""
        while len(self.phases.entries) < len(phases):
            self.phases.append_entry()
        for entry, phase in zip(self.phases.entries, phases, strict=False):
            entry.form.title_texts.data = dict(phase.title_texts) or {area.default_locale: phase.title}
            entry.form.description_texts.data = dict(phase.description_texts)
            entry.form.starts_at.data = utc_to_local(area, phase.starts_at)
            entry.form.ends_at.data = utc_to_local(area, phase.ends_at)
            entry.form.opens_propose.data = phase.opens_propose
            entry.form.opens_support.data = phase.opens_support
            entry.form.opens_comment.data = phase.opens_comment


def _cleaned(values: dict[str, str] | None) -> dict[str, str]:
    return {language: text.strip() for language, text in (values or {}).items()
            if language in enabled_languages() and text and text.strip()}


def _first(values: dict[str, str] | None, area: Area) -> str:
    """The text in the area's language, else the first language written."""
    cleaned = _cleaned(values)
    return cleaned.get(area.default_locale) or next(iter(cleaned.values()), "")
