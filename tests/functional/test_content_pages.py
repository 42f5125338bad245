"""Content pages per language: read at /pages/<slug> in the reader's language, written by admins."""

import pytest
from sqlalchemy import select

from stengage.core.audit import AuditEntry
from stengage.extensions import db
from stengage.pages.models import ContentPage
from tests import factories
from tests.conftest import login_as, submit

NEW = "/admin/pages/new"


def _read(client, url: str, locale: str) -> str:
    submit(client, "/account/language", {"locale": locale, "next": "/"})
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(("locale", "title"), [("en", "Help"), ("de", "Hilfe"), ("fr", "Aide"), ("es", "Ayuda"),
                                               ("it", "Aiuto"), ("bg", "Помощ")])
def test_help_is_there_in_six_languages_and_linked_from_every_footer(client, locale, title):
    page = _read(client, "/pages/help", locale)
    assert f"<h1>{title}</h1>" in page
    home = client.get("/").get_data(as_text=True)
    for slug in ("help", "faq", "privacy", "terms"):
        assert f'href="/pages/{slug}"' in home
        assert client.get(f"/pages/{slug}").status_code == 200


def test_an_unknown_page_is_a_404(client):
    assert client.get("/pages/no-such-page").status_code == 404
    assert client.get("/pages/" + "x" * 300).status_code == 404


@pytest.mark.parametrize("who", ["visitor", "resident", "staff", "moderator"])
def test_only_admins_write_pages(client, who):
    users = {"visitor": None, "resident": factories.resident(), "staff": factories.staff(),
             "moderator": factories.moderator()}
    if users[who] is not None:
        login_as(client, users[who])
    response = client.get(NEW)
    assert response.status_code == (302 if who == "visitor" else 403)


def test_an_admin_writes_a_page_side_by_side_and_readers_get_theirs_with_a_fallback(client):
    admin = factories.user(admin=True)
    login_as(client, admin)
    data = {"slug": "opening-hours", "title_texts-en": "Opening hours", "title_texts-de": "Öffnungszeiten",
            "body_texts-en": "The office is open **Monday to Friday**.<script>alert(1)</script>",
            "body_texts-de": "Das Büro ist **Montag bis Freitag** geöffnet."}
    response = submit(client, NEW, data, page=NEW)
    assert response.status_code == 302 and response.headers["Location"].endswith("/pages/opening-hours")
    english = _read(client, "/pages/opening-hours", "en")
    assert "<strong>Monday to Friday</strong>" in english and "<script>" not in english
    assert "<strong>Montag bis Freitag</strong>" in _read(client, "/pages/opening-hours", "de")
    assert '<h1 lang="en">Opening hours</h1>' in _read(client, "/pages/opening-hours", "it")  # falls back
    _read(client, "/", "en")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "page.create"))
    assert entry.actor_id == admin.id and entry.after["titles"]["de"] == "Öffnungszeiten"

    page = db.session.scalar(select(ContentPage).where(ContentPage.slug == "opening-hours"))
    edit = f"/admin/pages/{page.id}/edit"
    submit(client, edit, {**data, "title_texts-en": "Office hours"}, page=edit)
    db.session.refresh(page)
    assert page.title_texts["en"] == "Office hours"
    assert db.session.scalar(select(AuditEntry.verb).where(AuditEntry.verb == "page.update")) == "page.update"

    delete = f"/admin/pages/{page.id}/delete"
    assert "cannot be undone" in client.get(delete).get_data(as_text=True)
    submit(client, delete, {}, page=delete)
    assert client.get("/pages/opening-hours").status_code == 404
    assert db.session.scalar(select(AuditEntry.verb).where(AuditEntry.verb == "page.delete")) == "page.delete"


@pytest.mark.parametrize(("fields", "message"), [
    ({"slug": "Opening Hours!"}, "Use lower-case letters, digits and single hyphens"),
    ({"slug": "help"}, "Another page has this address already."),
    ({"title_texts-en": ""}, "Write this in English"),
    ({"body_texts-de": "bad\x01text"}, "control characters"),
])
def test_bad_pages_are_refused_with_a_message_and_nothing_is_saved(client, fields, message):
    login_as(client, factories.user(admin=True))
    data = {"slug": "opening-hours", "title_texts-en": "Opening hours", "body_texts-en": "Open.", **fields}
    response = submit(client, NEW, data, page=NEW)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(ContentPage).where(ContentPage.title == "Opening hours")) is None


def test_the_footers_pages_are_edited_but_not_deleted(client):
    login_as(client, factories.user(admin=True))
    help_page = db.session.scalar(select(ContentPage).where(ContentPage.slug == "help"))
    delete = f"/admin/pages/{help_page.id}/delete"
    assert "can be changed, not deleted" in client.get(delete).get_data(as_text=True)
    client.post(delete)
    assert client.get("/pages/help").status_code == 200
    listing = client.get("/admin/pages/").get_data(as_text=True)
    assert "/pages/faq" in listing and f'/admin/pages/{help_page.id}/delete"' not in listing
