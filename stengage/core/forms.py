"""Showing an operation's refusal where the user will look: on its field, or as a message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from stengage.core.operations import Refused
from stengage.extensions import db


def show_refusal(form: FlaskForm | None, refused: Refused) -> None:
    field = getattr(form, refused.field, None) if form is not None and refused.field else None
    if field is not None:
        field.errors = [*field.errors, refused.message]
    else:
        flash(refused.message, "error")


def run_and_report(action: Callable[[], object], success: str, form: FlaskForm | None = None) -> bool:
    """One request's operation: commit and say so, or roll back and show why it was refused."""
    try:
        action()
    except Refused as refused:
        db.session.rollback()
        show_refusal(form, refused)
        return False
    db.session.commit()
    flash(success, "success")
    return True


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Choices for a select or radio field (WTForms renders SelectChoice without costly conversions)."""
    return [SelectChoice(value, str(label)) for value, label in pairs]
