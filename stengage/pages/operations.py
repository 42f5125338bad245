"""Creating, changing and deleting content pages (the caller checks who may); each change audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from flask_babel import gettext
from sqlalchemy import select

from stengage.core import audit
from stengage.core.operations import Refused
from stengage.db import utc_now
from stengage.extensions import db
from stengage.pages.models import SLUG, ContentPage


class Actor(Protocol):
    id: int


def _summary(page: ContentPage) -> dict[str, object]:
    return {"slug": page.slug, "titles": page.title_texts,
            "languages": sorted(page.body_texts)}


def _log(actor: Actor | None, page: ContentPage, verb: str, before: dict[str, object] | None,
         after: dict[str, object] | None) -> None:
    audit.record(db.session, actor_id=actor.id if actor else None, verb=f"page.{verb}", target_type="page",
                 target_id=page.id, target_label=page.slug, before=before, after=after)


def _check_slug(slug: str, page: ContentPage | None) -> str:
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug) or len(slug) > 64:
        raise Refused(gettext("Use lower-case letters, digits and single hyphens for the address, "
                              "such as “opening-hours”."), field="slug")
    taken = db.session.scalar(select(ContentPage.id).where(ContentPage.slug == slug))
    if taken is not None and (page is None or taken != page.id):
        raise Refused(gettext("Another page has this address already."), field="slug")
    return slug


def create_page(actor: Actor | None, slug: str, titles: Mapping[str, str], bodies: Mapping[str, str]) -> ContentPage:
    page = ContentPage(slug=_check_slug(slug, None), updated_by_id=actor.id if actor else None)
    page.set_texts("title", titles)
    page.set_texts("body", bodies)
    if not page.title:
        raise Refused(gettext("Write this in at least one language."), field="title_texts")
    db.session.add(page)
    db.session.flush()
    _log(actor, page, "create", None, _summary(page))
    return page


def update_page(actor: Actor, page: ContentPage, slug: str, titles: Mapping[str, str],
                bodies: Mapping[str, str]) -> ContentPage:
    before = _summary(page)
    new_slug = _check_slug(slug, page)
    if new_slug != page.slug and page.in_footer:
        raise Refused(gettext("Every page links to this one from its footer: its address stays."), field="slug")
    page.slug = new_slug
    page.set_texts("title", titles)
    page.set_texts("body", bodies)
    if not page.title:
        raise Refused(gettext("Write this in at least one language."), field="title_texts")
    page.updated_at, page.updated_by_id = utc_now(), actor.id
    db.session.flush()
    _log(actor, page, "update", before, _summary(page))
    return page


def delete_page(actor: Actor, page: ContentPage) -> None:
    if page.in_footer:
        raise Refused(gettext("Every page links to this one from its footer: it can be changed, not deleted."))
    _log(actor, page, "delete", _summary(page), None)
    db.session.delete(page)
    db.session.flush()


def seed_pages(defaults: Mapping[str, tuple[Mapping[str, str], Mapping[str, str]]]) -> int:
    """Create the pages of ``defaults`` (slug: titles, bodies) that do not exist; how many were made."""
    existing = set(db.session.scalars(select(ContentPage.slug)))
    made = 0
    for slug, (titles, bodies) in defaults.items():
        if slug not in existing:
            create_page(None, slug, titles, bodies)
            made += 1
    return made
