"""Cheap bot traps for public forms: a honeypot field and a minimum time to fill the form in.

People never see the honeypot (it is off-screen and skipped by keyboard and screen readers);
bots fill every field. People also take a few seconds to write; scripts post at once.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from stengage.core.forms import SafeTextForm

REFUSAL = _l("We could not accept this form. Please wait a moment and send it again.")


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="stengage.form-started")


class HumanForm(SafeTextForm):
    """Base for forms that bots target: registration, proposals, comments."""

    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    form_started = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form shown afresh starts its clock now: on a page, or answering a POST with
        # ``formdata=None`` (the empty comment form after a comment was posted in place).
        if not self.is_submitted() or ("formdata" in kwargs and kwargs["formdata"] is None):
            self.form_started.data = _signer().dumps(int(time.time()))

    def hidden_tag(self, *fields: Any) -> Markup:
        """The form's hidden fields but its start time, which the antispam() macro renders."""
        return super().hidden_tag(*(fields or [f for f in self if f is not self.form_started]))

    def validate_website(self, field: Any) -> None:
        if field.data:
            raise ValidationError(REFUSAL)

    def validate_form_started(self, field: Any) -> None:
        try:
            started = int(_signer().loads(field.data or ""))
        except (BadSignature, TypeError, ValueError):
            raise ValidationError(REFUSAL) from None
        if time.time() - started < current_app.config["ANTISPAM_MIN_SECONDS"]:
            raise ValidationError(REFUSAL)

    @property
    def spam_errors(self) -> list[str]:
        return [*self.website.errors, *self.form_started.errors]
