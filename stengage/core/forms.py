"""What every form shares: text free of control characters, and choices built cheaply."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.fields.choices import SelectChoice

from stengage.core.inputs import LARGEST_ID, has_control_characters, parse_number

CONTROL_MESSAGE = _l("This contains characters that cannot be used (control characters).")


class SafeTextForm(FlaskForm):
    """The base of every form: text with NUL or other control characters is refused on its field,
    and what was typed stays in the form to be corrected."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            data = field.data
            texts = data if isinstance(data, list) else [data]
            if any(isinstance(t, str) and has_control_characters(t, in_form_text=True) for t in texts):
                field.errors = [*field.errors, str(CONTROL_MESSAGE)]
                valid = False
        return valid


class WholeNumberField(IntegerField):
    """A whole number written in ASCII digits, read by ``core.inputs`` as every number a request
    carries: WTForms' own IntegerField takes ``٣`` for 3 and ``5_0`` for 50."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        if valuelist[0] == "":
            self.data = None  # left empty: Optional or InputRequired says what that means
            return
        self.data = parse_number(valuelist[0], low=0, high=LARGEST_ID)
        if self.data is None:
            raise ValueError(self.gettext("Not a valid integer value."))


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Choices for a select or radio field (WTForms renders SelectChoice without costly conversions)."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


# --- Transitional: the views still calling these move to core.boundary.perform ---------------
from collections.abc import Callable  # noqa: E402
from typing import TypeVar  # noqa: E402

from flask import flash  # noqa: E402

from stengage.core.boundary import show_refusal  # noqa: E402
from stengage.core.operations import Refused  # noqa: E402
from stengage.extensions import db  # noqa: E402

T = TypeVar("T")


def run_operation(action: Callable[[], T]) -> tuple[T | None, Refused | None]:
    try:
        result = action()
    except Refused as refused:
        db.session.rollback()
        return None, refused
    db.session.commit()
    return result, None


def run_and_report(action: Callable[[], object], success: str, form: FlaskForm | None = None) -> bool:
    refused = run_operation(action)[1]
    if refused is not None:
        show_refusal(form, refused)
        return False
    flash(success, "success")
    return True
