"""Forms of the report workspace: one form class per verb, ids read by ``core.inputs``."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from stengage.core.forms import SafeTextForm, WholeNumberField, as_choices
from stengage.core.inputs import parse_number

NOT_A_CHOICE = _l("The form sent something that is not a valid choice.")


class IdField(HiddenField):
    """One id sent with a form: ASCII digits within the database's bounds, else a field error."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = valuelist[0] if valuelist else ""
        self.data = parse_number(raw) if isinstance(raw, str) else None
        if raw and self.data is None:
            raise ValueError(NOT_A_CHOICE)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class IdsField(Field):
    """Several ids sent as repeated values (ticked checkboxes), each read like ``IdField``."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        numbers = [parse_number(v) if isinstance(v, str) else None for v in valuelist]
        self.data = [n for n in numbers if n is not None]
        if len(self.data) != len(valuelist):
            raise ValueError(NOT_A_CHOICE)

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


FIRST_YEAR, LAST_YEAR = 2000, 2100  # dates a summary can count: beyond them the date arithmetic overflows


class WithinYears:
    """A date in the years the platform can count, else an error naming the field."""

    def __init__(self, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> None:
        self.first, self.last = first, last

    def __call__(self, form: Any, field: DateField) -> None:
        if field.data and not self.first <= field.data.year <= self.last:
            raise ValidationError(_l("%(field)s: enter a date in the years %(first)s to %(last)s.",
                                     field=field.label.text, first=str(self.first), last=str(self.last)))


class ReportForm(SafeTextForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=150)])
    # Not "process": WTForms forms have a process() method.
    process_slug = SelectField(_l("Process"), choices=[], validate_choice=True,
                          description=_l("Or leave empty and give a period for the whole area."))
    period_start = DateField(_l("From"), validators=[Optional(), WithinYears()])
    period_end = DateField(_l("Until"), validators=[Optional(), WithinYears()])

    def __init__(self, processes: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.process_slug.choices = as_choices([("", str(_l("The whole area, over a period"))), *processes])


class ThemeForm(SafeTextForm):
    """Add a theme (in the workspace, prefix ``theme``) or edit one (on its page)."""

    title = StringField(_l("Theme"), validators=[DataRequired(), Length(max=150)])
    synthesis = TextAreaField(_l("Synthesis"), validators=[Optional(), Length(max=20_000)],
                              description=_l("What residents said on this theme, in your words. Markdown works."))
    position = WholeNumberField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=1000)])


class AssignForm(SafeTextForm):
    """Put the ticked contributions into a theme (prefix ``assign``)."""

    theme = IdField(_l("Theme"), validators=[InputRequired(_l("Choose the theme to put the contributions in."))])
    proposals = IdsField(_l("Proposals"))
    comments = IdsField(_l("Comments"))


class PublishForm(SafeTextForm):
    changelog = TextAreaField(_l("What changed since the last version"), validators=[Optional(), Length(max=5000)])


class DeleteThemeForm(SafeTextForm):
    """Delete a theme (its contributions go back to the unassigned ones)."""


class QuoteForm(SafeTextForm):
    """Mark a comment of a theme as a quote."""


class UnquoteForm(SafeTextForm):
    """A comment of a theme is no quote any more."""


class RemoveItemForm(SafeTextForm):
    """Take a contribution out of its theme."""


class AcceptSuggestionForm(SafeTextForm):
    key = HiddenField(validators=[DataRequired(), Length(max=64)])
    title = StringField(_l("Theme title"), validators=[Optional(), Length(max=150)])
    synthesis = TextAreaField(_l("Synthesis"), validators=[Optional(), Length(max=20_000)])


class RejectSuggestionForm(SafeTextForm):
    key = HiddenField(validators=[DataRequired(), Length(max=64)])


class FollowForm(SafeTextForm):
    """Be told by mail when a new version of a report is published."""


class UnfollowForm(SafeTextForm):
    """Stop being told about new versions."""


class IsoDateField(DateField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter dates as YYYY-MM-DD.")) from error


class SummaryForm(SafeTextForm):
    """Which engagement summary a staff member wants as a file."""

    areas = SelectMultipleField(_l("Areas"), choices=[], validate_choice=False)
    processes = SelectMultipleField(_l("Only these processes (optional)"), choices=[], validate_choice=False)
    format = RadioField(_l("Format"), choices=as_choices([("csv", "CSV"), ("xlsx", "XLSX (Excel)"), ("json", "JSON")]),
                        validate_choice=False)
    start = IsoDateField(_l("From"), validators=[Optional(), WithinYears()])
    end = IsoDateField(_l("Until"), validators=[Optional(), WithinYears()])

    def __init__(self, areas: list[tuple[str, str]], processes: list[tuple[str, str]], *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas.choices = as_choices(areas)
        self.processes.choices = as_choices(processes)

    def chosen(self, field: SelectMultipleField) -> list[str]:
        """What was ticked among what is offered (nothing else can be asked for)."""
        offered = {choice.value for choice in field.choices}  # type: ignore[attr-defined]
        return [value for value in field.data or [] if value in offered]

    def validate_areas(self, field: SelectMultipleField) -> None:
        if not self.chosen(field):
            raise ValidationError(_l("Choose at least one area."))

    def validate_processes(self, field: SelectMultipleField) -> None:
        # A process that is not offered would silently widen the summary to the whole area.
        if len(self.chosen(field)) != len(field.data or []):
            raise ValidationError(_l("Choose among the processes offered."))

    def validate_format(self, field: RadioField) -> None:
        if field.data not in ("csv", "xlsx", "json"):
            raise ValidationError(_l("Choose CSV, XLSX or JSON."))

    def validate_end(self, field: IsoDateField) -> None:
        if field.data and self.start.data and self.start.data > field.data:
            raise ValidationError(_l("The period must not end before it starts."))


class RerunForm(SafeTextForm):
    """Run a stopped export again."""
