"""The content page form: its address, and title and body side by side in every language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from stengage.core.forms import SafeTextForm
from stengage.core.localized import LocalizedTextField


class ContentPageForm(SafeTextForm):
    slug = StringField(_l("Address"), validators=[DataRequired(), Length(max=64)],
                       description=_l("The end of the page's address, /pages/…: lower-case letters, digits and "
                                      "hyphens."))
    title_texts = LocalizedTextField(_l("Title"), max_length=150, required=True)
    body_texts = LocalizedTextField(_l("Text"), multiline=True, max_length=50_000,
                                    description=_l("Markdown: **bold**, *italic*, ## headings, lists and links."))
