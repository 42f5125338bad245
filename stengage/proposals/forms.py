"""Forms for proposals, comments and the list filters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    Field,
    FloatField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from stengage.core.antispam import HumanForm
from stengage.core.forms import SafeTextForm, as_choices
from stengage.core.i18n import LANGUAGE_NAMES
from stengage.core.inputs import form_numbers
from stengage.proposals.models import Alignment, Category, ProposalStatus

CATEGORY_LABELS = {
    Category.REFURBISHMENT: _l("Refurbishment"),
    Category.MOBILITY: _l("Mobility"),
    Category.RENEWABLE_ENERGY: _l("Renewable energy"),
    Category.ENERGY_EFFICIENCY: _l("Energy efficiency"),
    Category.STREET_LIGHTING: _l("Street lighting"),
    Category.HOUSING: _l("Housing"),
    Category.PUBLIC_SPACE: _l("Public space"),
    Category.DATA_ICT: _l("Data and ICT"),
    Category.OTHER: _l("Other"),
}
STATUS_LABELS = {
    ProposalStatus.PUBLISHED: _l("Published"),
    ProposalStatus.UNDER_REVIEW: _l("Under review"),
    ProposalStatus.ACCEPTED: _l("Accepted"),
    ProposalStatus.REJECTED: _l("Rejected"),
    ProposalStatus.IN_PROGRESS: _l("In progress"),
    ProposalStatus.IMPLEMENTED: _l("Implemented"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
    ProposalStatus.MERGED: _l("Merged"),
}
ALIGNMENT_LABELS = {
    Alignment.IN_FAVOUR: _l("In favour"),
    Alignment.AGAINST: _l("Against"),
    Alignment.NEUTRAL: _l("Neutral"),
}
TITLE_MAX, BODY_MAX, COMMENT_MAX = 150, 10_000, 5_000


def _not_blank(_form: Any, field: Any) -> None:
    if field.data is not None and not str(field.data).strip():
        raise ValidationError(_l("This field cannot be only spaces."))


class IdsField(Field):
    """Ids sent several times under one name (a checkbox per row, rendered by the template). Read by
    ``core.inputs``: a value that is no id is a 400 that says so, never silently dropped."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = form_numbers(valuelist)

    def _value(self) -> str:
        return ""


class ProposalForm(HumanForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX), _not_blank],
                        description=_l("A short name for your idea, at most 150 characters."))
    body = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=BODY_MAX), _not_blank],
                         description=_l("What should change, where and why? Markdown works: **bold**, "
                                        "*italic*, lists and links."))
    category = SelectField(_l("Category"), choices=[], validate_choice=True)
    address = StringField(_l("Address or place (optional)"), validators=[Optional(), Length(max=200)],
                          description=_l("For example “Simmeringer Hauptstraße 96” or “the park by the school”."))
    latitude = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)])
    longitude = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)])
    images = MultipleFileField(_l("Photos (optional, up to 3)"),
                               description=_l("JPEG, PNG or WebP, at most 10 MB each. We remove location "
                                              "and camera data from photos."))
    image_alt = StringField(_l("What the photos show (for people who cannot see them)"),
                            validators=[Optional(), Length(max=200)])
    # Optional: a missing or unknown value falls back to the author's language.
    language = SelectField(_l("Language of your text"), choices=[], validate_choice=False)
    check_similar = HiddenField(default="1")
    pending_images = HiddenField()
    # Editing only: the photos to remove.
    remove_image = IdsField(default=list)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = as_choices([("", str(_l("Choose a category")))] + [
            (c.value, str(label)) for c, label in CATEGORY_LABELS.items()])
        self.language.choices = as_choices(content_languages())

    def validate_category(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(_l("Choose a category."))


def content_languages() -> list[tuple[str, str]]:
    """Languages a contribution can be written in: every language of the project areas."""
    return [(code, name) for code, name in LANGUAGE_NAMES.items()]


class CommentForm(HumanForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=COMMENT_MAX), _not_blank])
    alignment = RadioField(_l("Your position"), default=Alignment.NEUTRAL.value,
                           choices=[SelectChoice(a.value, label) for a, label in ALIGNMENT_LABELS.items()])
    parent_id = HiddenField()


class ButtonForm(SafeTextForm):
    """A button that acts at once, the most frequent POST there is. Its CSRF token is checked once,
    for every POST of the app, by CSRFProtect (``extensions.csrf``); checking it again here would
    only cost time."""

    class Meta:
        csrf = False


class SupportForm(ButtonForm):
    """A button: support the proposal. Without JavaScript the answer returns to ``next`` (a page of
    this site, checked by ``core.security.safe_next``), else to the proposal."""

    # A label of its own: a field without one asks the translations for a default on every form.
    next = HiddenField("next")


class WithdrawSupportForm(SupportForm):
    """A button: take one's support back."""


class FollowForm(ButtonForm):
    """A button: hear about the proposal's comments and news."""


class UnfollowForm(ButtonForm):
    """A button: stop following the proposal."""
class CommentVoteForm(SafeTextForm):
    """A vote on a comment: the button pressed sends "up" or "down"."""

    value = SelectField(choices=[SelectChoice("up", "up"), SelectChoice("down", "down")])

    @property
    def vote(self) -> int:
        return 1 if self.value.data == "up" else -1


class FilterForm(SafeTextForm):
    """The list's filters arrive as a GET query: no CSRF token, nothing changes."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    origin = SelectField(_l("Origin"), choices=[], validate_choice=False)
    located = SelectField(_l("Location"), choices=[], validate_choice=False)
    sort = SelectField(_l("Sort by"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=[], validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = ("", str(_l("All")))
        self.category.choices = as_choices([every] + [(c.value, str(label)) for c, label in CATEGORY_LABELS.items()])
        self.status.choices = as_choices([every] + [(s.value, str(label)) for s, label in STATUS_LABELS.items()])
        self.origin.choices = as_choices([every, ("resident", str(_l("Residents' ideas"))),
                               ("city", str(_l("City measures")))])
        self.located.choices = as_choices([every, ("yes", str(_l("With a place on the map")))])
        self.language.choices = as_choices([every, *content_languages()])
        self.sort.choices = as_choices([
            ("supports", _l("Most supported")), ("comments", _l("Most discussed")), ("newest", _l("Newest")),
            ("random", _l("Random order"))])
