"""A content page: a slug, and a title and Markdown body per language (``Localized``)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from stengage.core.localized import Localized
from stengage.db import Base, utc_now

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The footer links to these on every page: they can be edited, not deleted.
FOOTER_SLUGS = ("help", "faq", "privacy", "terms")


class ContentPage(Localized, Base):
    __tablename__ = "content_page"

    localized_fields = ("title", "body")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    @property
    def in_footer(self) -> bool:
        return self.slug in FOOTER_SLUGS

    def __repr__(self) -> str:
        return f"<ContentPage {self.slug}>"
