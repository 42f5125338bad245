"""Forms of the moderators' and staff's tools."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from stengage.core.forms import SafeTextForm, as_choices
from stengage.moderation.models import FlagReason

FLAG_REASON_LABELS = {
    FlagReason.SPAM: _l("Spam or advertising"),
    FlagReason.OFFENSIVE: _l("Offensive or hateful"),
    FlagReason.OFF_TOPIC: _l("Off topic"),
    FlagReason.PERSONAL_DATA: _l("Reveals personal data"),
    FlagReason.OTHER: _l("Something else"),
}


class FlagForm(SafeTextForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    area = HiddenField()  # a person is reported from an area's page
    next = HiddenField()
    reason = RadioField(_l("What is wrong?"), validators=[DataRequired()],
                        choices=[SelectChoice(r.value, label) for r, label in FLAG_REASON_LABELS.items()])
    text = TextAreaField(_l("Tell the moderators more (needed for “something else”)"),
                         validators=[Optional(), Length(max=1000)])


# --- The queue's verbs: one form each; every one says where to go back to ------------------------

REQUIRED_REASON = [DataRequired(message=_l("Please give the reason; it is kept in the audit log and shown to the "
                                             "author.")), Length(max=500)]


class QueueActionForm(SafeTextForm):
    next = HiddenField()


class DismissForm(QueueActionForm):
    reason = StringField(_l("Note for the audit log (optional)"), validators=[Optional(), Length(max=500)])


class HideForm(QueueActionForm):
    reason = StringField(_l("Reason (shown to the author)"), validators=REQUIRED_REASON)


class UnhideForm(QueueActionForm):
    reason = StringField(_l("Note for the audit log (optional)"), validators=[Optional(), Length(max=500)])


class RedactForm(QueueActionForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=150)])
    body = TextAreaField(_l("Text without the personal data"), validators=[DataRequired(), Length(max=10_000)])
    reason = StringField(_l("What was removed and why"), validators=[DataRequired(), Length(max=500)])


class BlockForm(QueueActionForm):
    reason = StringField(_l("Reason (shown to the person)"), validators=REQUIRED_REASON)
    hide_content = BooleanField(_l("Also hide everything they posted in this area"))


class UnblockForm(QueueActionForm):
    reason = StringField(_l("Note for the audit log (optional)"), validators=[Optional(), Length(max=500)])


class BlockEverywhereForm(QueueActionForm):
    reason = StringField(_l("Reason"), validators=REQUIRED_REASON)


# --- Triage and merging --------------------------------------------------------------------------


class StatusForm(SafeTextForm):
    status = SelectField(_l("New status"), choices=[], validate_choice=True)
    answer = TextAreaField(_l("Official answer"), validators=[DataRequired(), Length(max=10_000)],
                           description=_l("Residents read this on the proposal; its author and supporters are "
                                          "notified. Markdown works."))

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = as_choices(choices)


class NoteForm(SafeTextForm):
    body = TextAreaField(_l("Internal note (moderators and staff only)"),
                         validators=[DataRequired(), Length(max=5_000)])


class AssignForm(SafeTextForm):
    assignee = SelectField(_l("Evaluated by"), choices=[], validate_choice=True)

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignee.choices = as_choices([("", str(_l("Nobody yet"))), *choices])


class MergeForm(SafeTextForm):
    q = HiddenField()  # the search the duplicates were chosen from
    duplicates = SelectMultipleField(_l("Duplicates"), choices=[], validate_choice=True)
    into = RadioField(_l("Merge into"), choices=[], validate_choice=True, default="this",
                      description=_l("One of the chosen proposals, or a new one written from them."))
    title = StringField(_l("Title of the new proposal"), validators=[Optional(), Length(max=150)])
    body = TextAreaField(_l("Description of the new proposal"), validators=[Optional(), Length(max=10_000)])


class UndoMergeForm(SafeTextForm):
    pass


class AuditFilterForm(SafeTextForm):
    class Meta:
        csrf = False

    area = SelectField(_l("Area"), choices=[], validate_choice=False)
    verb = StringField(_l("Action"), validators=[Optional(), Length(max=64)])
    actor = StringField(_l("Done by (name or email)"), validators=[Optional(), Length(max=100)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
