"""What every form shares: text free of control characters, and choices built cheaply."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field, FieldList, FormField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import HiddenInput

from stengage.core.inputs import LARGEST_ID, has_control_characters, parse_number

CONTROL_MESSAGE = _l("This contains characters that cannot be used (control characters).")


class SafeTextForm(FlaskForm):
    """The base of every form: text with NUL or other control characters is refused on its field,
    and what was typed stays in the form to be corrected."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in leaf_fields(self):
            data = field.data
            texts = data if isinstance(data, list) else [data]
            if any(isinstance(t, str) and has_control_characters(t, in_form_text=True) for t in texts):
                field.errors = [*field.errors, str(CONTROL_MESSAGE)]
                valid = False
        return valid

    def error_fields(self) -> list[Field]:
        """The fields a person can correct that have errors, nested ones (a process's phases)
        included: what the error summary lists."""
        return [f for f in leaf_fields(self) if f.errors
                and f.type not in ("CSRFTokenField", "HiddenField") and f.name != "website"]

    def hidden_tag(self, *fields: Any) -> Markup:
        """The form's hidden fields, without ids: no label points at them, and a page with
        several forms must not repeat an id (``csrf_token`` would be on every one)."""
        chosen = (getattr(self, f, None) if isinstance(f, str) else f for f in (fields or self))
        return Markup("\n").join(f(id=False) for f in chosen if f is not None and isinstance(f.widget, HiddenInput))


class WholeNumberField(IntegerField):
    """A whole number typed into a form, read as ``core.inputs`` reads every number a request
    carries: ASCII digits only (WTForms' own IntegerField takes ``٣`` for 3 and ``5_0`` for 50).
    Bounds belong to validators."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        typed = str(valuelist[0]).strip()
        if typed == "":
            self.data = None  # left empty: Optional or InputRequired says what that means
            return
        self.data = parse_number(typed, low=0, high=LARGEST_ID)
        if self.data is None:
            raise ValueError(str(_l("Enter a whole number, in digits 0 to 9.")))


def leaf_fields(fields: Iterable[Field]) -> Iterator[Field]:
    """Every field that holds a value itself: lists of subforms are walked into."""
    for field in fields:
        if isinstance(field, FieldList):
            yield from leaf_fields(field.entries)
        elif isinstance(field, FormField):
            yield from leaf_fields(field.form)
        else:
            yield field


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Choices for a select or radio field (WTForms renders SelectChoice without costly conversions)."""
    return [SelectChoice(value, str(label)) for value, label in pairs]

