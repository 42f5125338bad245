"""Forms for accounts, verification and role administration."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from stengage.accounts.emails import InvalidEmail, normalise_email
from stengage.accounts.models import EmailNotifications, MembershipRole
from stengage.core.antispam import HumanForm
from stengage.core.forms import SafeTextForm, WholeNumberField, as_choices
from stengage.core.i18n import LANGUAGE_NAMES, language_name, timezone_choices


class EmailAddress:
    """Accepts what a mailbox would accept and says plainly what is wrong otherwise."""

    def __call__(self, _form: Any, field: Any) -> None:
        try:
            normalise_email(field.data or "")
        except InvalidEmail:
            raise ValidationError(_l("Enter an email address such as name@example.org.")) from None


def _email_field(label: Any = None) -> StringField:
    return StringField(label or _l("Email address"),
                       validators=[DataRequired(), Length(max=254), EmailAddress()],
                       render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"})


def _password_field(label: Any, autocomplete: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=1024)],
                         render_kw={"autocomplete": autocomplete})


def language_choices(with_auto: bool = True, automatic: str | None = None) -> list[tuple[str, str]]:
    """The languages; with "Automatic (now: Deutsch)" first, naming what the rule gives today."""
    choices = []
    if with_auto:
        choices.append(("", gettext("Automatic (now: %(language)s)", language=language_name(automatic))
                        if automatic else str(_l("Automatic"))))
    return choices + [(code, LANGUAGE_NAMES.get(code, code))
                      for code in current_app.config["LANGUAGES"]]


def timezone_field_choices(automatic: str | None = None) -> list[tuple[str, str]]:
    first = (gettext("Automatic (now: %(zone)s)", zone=automatic) if automatic
             else str(_l("Automatic")))
    return [("", first)] + [(name, name.replace("_", " ")) for name in timezone_choices()]


class RegisterForm(HumanForm):
    email = _email_field()
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=80)],
                               description=_l("Shown next to your contributions."),
                               render_kw={"autocomplete": "nickname"})
    password = _password_field(_l("Password"), "new-password")


class ResendConfirmationForm(SafeTextForm):
    next = HiddenField()


class LoginForm(SafeTextForm):
    email = _email_field()
    password = _password_field(_l("Password"), "current-password")
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ResetRequestForm(SafeTextForm):
    email = _email_field()


class ResetPasswordForm(SafeTextForm):
    password = _password_field(_l("New password"), "new-password")


class AutomaticOrChoiceField(SelectField):
    """A choice where nothing stored (None) means the first option, "Automatic"."""

    def process_data(self, value: Any) -> None:
        super().process_data(value or "")


class ProfileForm(SafeTextForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=80)])
    locale = AutomaticOrChoiceField(_l("Preferred language"), choices=[], validate_choice=True)
    timezone = AutomaticOrChoiceField(_l("Time zone"), choices=[], validate_choice=True,
                           description=_l("Times are shown in this zone, in pages and in mails."))
    notify_by_email = RadioField(
        _l("Email me about proposals I follow"), default=EmailNotifications.IMMEDIATELY.value,
        choices=[SelectChoice(EmailNotifications.IMMEDIATELY.value, _l("At once")),
                 SelectChoice(EmailNotifications.DAILY.value, _l("Once a day, in a digest")),
                 SelectChoice(EmailNotifications.NEVER.value, _l("Never (I read them here)"))])

    def __init__(self, *args: Any, automatic_locale: str | None = None, automatic_timezone: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = as_choices(language_choices(automatic=automatic_locale))
        self.timezone.choices = as_choices(timezone_field_choices(automatic_timezone))


class ChangePasswordForm(SafeTextForm):
    current_password = _password_field(_l("Current password"), "current-password")
    password = _password_field(_l("New password"), "new-password")


class ChangeEmailForm(SafeTextForm):
    email = _email_field(_l("New email address"))
    current_password = _password_field(_l("Current password"), "current-password")


class LanguageForm(SafeTextForm):
    locale = SelectField(_l("Language"), choices=[], validate_choice=True)
    next = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = as_choices(language_choices(with_auto=False))


# --- Verification ----------------------------------------------------------------------------


class PostcodeForm(SafeTextForm):
    postcode = StringField(_l("Your postcode"), validators=[DataRequired(), Length(max=16)],
                           render_kw={"autocomplete": "postal-code"})


class LetterCodeForm(SafeTextForm):
    code = StringField(_l("Code from your letter"), validators=[DataRequired(), Length(max=32)],
                       description=_l("For example ABCD-EFGH-JKMN. Dashes and spaces do not matter."),
                       render_kw={"autocomplete": "one-time-code", "spellcheck": "false"})


class ApprovalRequestForm(SafeTextForm):
    message = TextAreaField(_l("Message to the moderators (optional)"),
                            validators=[Length(max=1000)],
                            description=_l("For example, where they can meet you or which "
                                           "document you can show."))


class ReviewForm(SafeTextForm):
    membership_id = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=1000)],
                         description=_l("How you checked the residency; kept with the membership."))


class LetterBatchForm(SafeTextForm):
    count = WholeNumberField(_l("Number of codes"), default=100,
                         validators=[InputRequired(), NumberRange(min=1, max=2000)])
    valid_days = WholeNumberField(_l("Valid for (days)"), default=60,
                              validators=[InputRequired(), NumberRange(min=1, max=365)])
    label = StringField(_l("Label (optional)"), validators=[Length(max=120)],
                        description=_l("For example the streets this batch is posted to."))


# --- Administration --------------------------------------------------------------------------


class GrantRoleForm(SafeTextForm):
    area = SelectField(_l("Area"), coerce=int, choices=[], validate_choice=True)
    role = SelectField(_l("Role"), choices=[], validate_choice=True)
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])

    def __init__(self, areas: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area.choices = as_choices(areas)
        self.role.choices = as_choices([
            (MembershipRole.MODERATOR.value, str(_l("Moderator"))),
            (MembershipRole.STAFF.value, str(_l("City staff"))),
            (MembershipRole.RESIDENT.value, str(_l("Resident"))),
        ])


class ReasonForm(SafeTextForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class AreaSettingsForm(SafeTextForm):
    area = HiddenField(validators=[DataRequired()])
    auto_hide_flags = WholeNumberField(_l("Reports that hide content until a moderator decides"),
                                   validators=[InputRequired(), NumberRange(min=1, max=100)])
