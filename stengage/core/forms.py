"""Showing an operation's refusal where the user will look: on its field, or as a message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import flash
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from stengage.core.operations import Refused
from stengage.extensions import db

T = TypeVar("T")


def show_refusal(form: FlaskForm | None, refused: Refused) -> None:
    field = getattr(form, refused.field, None) if form is not None and refused.field else None
    if field is not None:
        field.errors = [*field.errors, refused.message]
    else:
        flash(refused.message, "error")


def run_operation(action: Callable[[], T]) -> tuple[T | None, Refused | None]:
    """One request's operation: committed with its result, or rolled back with its refusal."""
    try:
        result = action()
    except Refused as refused:
        db.session.rollback()
        return None, refused
    db.session.commit()
    return result, None


def run_and_report(action: Callable[[], object], success: str, form: FlaskForm | None = None) -> bool:
    """Run the operation, then say so, or show why it was refused (on its field, else as a message)."""
    refused = run_operation(action)[1]
    if refused is not None:
        show_refusal(form, refused)
        return False
    flash(success, "success")
    return True


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Choices for a select or radio field (WTForms renders SelectChoice without costly conversions)."""
    return [SelectChoice(value, str(label)) for value, label in pairs]
