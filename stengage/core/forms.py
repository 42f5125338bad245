"""Showing an operation's refusal where the user will look: on its field, or as a message."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from stengage.core.operations import Refused


def show_refusal(form: FlaskForm | None, refused: Refused) -> None:
    field = getattr(form, refused.field, None) if form is not None and refused.field else None
    if field is not None:
        field.errors = [*field.errors, refused.message]
    else:
        flash(refused.message, "error")
