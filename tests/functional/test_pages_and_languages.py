"""Public pages, and which language a visitor gets."""

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from stengage.accounts.models import User
from stengage.extensions import db
from tests import factories
from tests.conftest import login_as, submit

AREA_NAMES = ["Lyon Confluence", "Neuaubing-Westkreuz/Freiham", "Simmering", "Santiago de Compostela",
              "Sofia", "Venice", "Kyiv", "Yokohama"]


def _lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def test_home_lists_all_eight_areas_grouped_by_their_role_in_the_project(client):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for name in AREA_NAMES:
        assert name in page
    lighthouse, follower, observer = (page.index(h) for h in
                                      ("Lighthouse cities", "Follower cities", "Observer cities"))
    assert lighthouse < page.index("Simmering") < follower < page.index("Sofia") < observer < page.index("Yokohama")


def test_the_areas_address_and_the_browsers_icon_request_lead_somewhere(client):
    assert client.get("/areas").headers["Location"] == "/"
    icon = client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_the_area_page_shows_aims_and_how_to_take_part(client):
    page = client.get("/areas/vienna-simmering", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Use waste heat and solar heat for 3,000 households" in page
    assert "21,000" in page
    assert "How to take part" in page and "Create an account" in page


def test_area_pages_speak_the_area_language_when_neither_visitor_nor_browser_chose_one(visitor):
    client = visitor
    vienna = client.get("/areas/vienna-simmering", headers={"Accept-Language": "en"})
    assert _lang(vienna.get_data(as_text=True)) == "en"  # the browser's language beats the area's
    assert _lang(client.get("/areas/vienna-simmering").get_data(as_text=True)) == "de"
    assert _lang(client.get("/areas/lyon-confluence", headers={"Accept-Language": "ja"}).get_data(as_text=True)) == "fr"
    assert _lang(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)) == "fr"
    assert _lang(client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)) == "en"

    submit(client, "/account/language", {"locale": "fr", "next": "/areas/vienna-simmering"})
    assert _lang(client.get("/areas/vienna-simmering").get_data(as_text=True)) == "fr"


def test_the_users_preference_beats_the_area_and_the_browser(visitor):
    client = visitor
    user = factories.user(locale="fr")
    login_as(client, user)
    page = client.get("/areas/vienna-simmering", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert _lang(page) == "fr"


def test_the_language_switcher_saves_the_preference_of_a_logged_in_user(client):
    user = factories.user()
    login_as(client, user)
    response = submit(client, "/account/language", {"locale": "de", "next": "/account/profile"})
    assert response.headers["Location"] == "/account/profile"
    db.session.refresh(user)
    assert user.locale == "de"


def test_the_language_switcher_refuses_unknown_languages_and_foreign_targets(visitor):
    client = visitor
    response = submit(client, "/account/language", {"locale": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert _lang(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "en"


def test_mail_is_written_in_the_recipients_language_with_text_and_html(client, outbox):
    factories.user(email="marie@example.org", locale="fr", name="Marie")
    submit(client, "/account/reset", {"email": "marie@example.org"}, page="/account/reset")
    mail = outbox.last(to="marie@example.org")
    assert mail["Content-Language"] == "fr"
    with force_locale("fr"):
        french_subject, french_greeting = gettext("Reset your password"), gettext("Hello %(name)s,", name="Marie")
    assert french_subject != "Reset your password"
    assert mail["Subject"] == french_subject
    assert french_greeting in outbox.text(mail)
    assert 'lang="fr"' in outbox.html(mail)


def test_profile_changes_name_and_language(client):
    user = factories.user(name="Old Name")
    login_as(client, user)
    submit(client, "/account/profile", {"display_name": "New Name", "locale": "de", "notify_by_email": "daily"},
           page="/account/profile")
    db.session.refresh(user)
    assert (user.display_name, user.locale, user.notify_by_email.value) == ("New Name", "de", "daily")


def test_a_display_name_with_a_nul_byte_is_refused_on_the_profile_and_the_old_name_kept(client):
    user = factories.user(name="Old Name")
    login_as(client, user)
    response = submit(client, "/account/profile",
                      {"display_name": "New\x00Name", "locale": "de", "notify_by_email": "never"},
                      page="/account/profile")
    assert response.status_code == 200
    assert "control characters" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.display_name, user.locale) == ("Old Name", None)


def test_changing_the_email_waits_for_the_new_address_to_confirm(client, outbox):
    user = factories.user(email="old@example.org")
    login_as(client, user)
    submit(client, "/account/email", {"email": "New@Example.org", "current_password": factories.PASSWORD},
           page="/account/email")
    assert user.email == "old@example.org" and user.pending_email == "new@example.org"
    link = outbox.link(outbox.last(to="new@example.org"), "/account/confirm/")
    client.get(link)
    db.session.refresh(user)
    assert user.email == "new@example.org" and user.pending_email is None
    assert outbox.last(to="old@example.org")["Subject"] == "Your email address was changed"


def test_changing_the_email_needs_the_current_password(client, outbox):
    user = factories.user(email="old@example.org")
    login_as(client, user)
    page = submit(client, "/account/email", {"email": "new@example.org", "current_password": "not-my-password"},
                  page="/account/email").get_data(as_text=True)
    assert "Your current password is not correct." in page
    assert user.pending_email is None and outbox.messages() == []


def test_changing_the_password_keeps_this_device_and_logs_out_the_others(app, client):
    factories.user(email="pw@example.org")
    other = app.test_client()
    for device in (client, other):
        submit(device, "/account/login", {"email": "pw@example.org", "password": factories.PASSWORD})
    response = submit(client, "/account/password",
                      {"current_password": factories.PASSWORD, "password": "seven-swans-on-the-old-danube"},
                      page="/account/password")
    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 200
    assert other.get("/account/profile").status_code == 302


def test_the_accessibility_statement_is_linked_from_every_page(client):
    assert 'href="/accessibility"' in client.get("/").get_data(as_text=True)
    page = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG" in page and "2016/2102" in page


@pytest.mark.parametrize(("area", "lang"), [("sofia", "bg"), ("venice", "it"), ("santiago-de-compostela", "es"),
                                            ("munich-neuaubing-westkreuz-freiham", "de")])
def test_every_area_page_speaks_its_language_with_no_english_left_in_the_chrome(visitor, area, lang):
    page = visitor.get(f"/areas/{area}").get_data(as_text=True)
    assert _lang(page) == lang
    for english in ("Skip to main content", "How to take part", "Log in", "Change language"):
        assert english not in page


def test_the_switcher_offers_all_six_languages(client):
    page = client.get("/").get_data(as_text=True)
    for name in ("English", "Deutsch", "Français", "Español", "Italiano", "Български"):
        assert f">{name}</option>" in page


def test_a_proposal_page_speaks_its_areas_language_and_time_like_the_area_pages(app, visitor):
    from datetime import UTC, datetime

    process = factories.process()  # Vienna Simmering: German, Europe/Vienna
    proposal = factories.proposal(process)
    factories.comment(proposal, body="Zur Mittagszeit.", created_at=datetime(2026, 6, 1, 10, 5, tzinfo=UTC))
    db.session.commit()
    headers = {"Accept-Language": "ja"}  # a visitor whose browser speaks none of ours: the area's language
    area_page = visitor.get(f"/areas/vienna-simmering/processes/{process.slug}", headers=headers)
    proposal_page = visitor.get(f"/proposals/{proposal.id}", headers=headers).get_data(as_text=True)
    assert '<html lang="de">' in area_page.get_data(as_text=True)
    assert '<html lang="de">' in proposal_page
    assert "12:05 CEST" in proposal_page  # summer time in Vienna, not UTC's 10:05
    login_as(visitor, factories.resident(locale=None))
    assert '<html lang="de">' in visitor.get(f"/proposals/{proposal.id}", headers=headers).get_data(as_text=True)


def test_the_report_page_speaks_the_language_of_the_area_it_came_from(visitor):
    proposal = factories.proposal(factories.process())
    comment = factories.comment(proposal)
    login_as(visitor, factories.resident(locale=None))
    db.session.commit()
    page = visitor.get(f"/flags?type=comment&id={comment.id}&next=/proposals/{proposal.id}").get_data(as_text=True)
    assert '<html lang="de">' in page


def test_pages_of_no_area_speak_the_language_of_the_residents_home_area(visitor):
    login_as(visitor, factories.resident(locale=None))  # verified in Vienna Simmering, no choice made
    db.session.commit()
    unknown_browser = {"Accept-Language": "ja"}
    assert '<html lang="de">' in visitor.get("/account/profile", headers=unknown_browser).get_data(as_text=True)
    assert '<html lang="de">' in visitor.get("/areas/lyon-confluence", headers=unknown_browser).get_data(as_text=True)
    login_as(visitor, factories.user(locale=None))  # a resident of nowhere yet: the browser decides
    db.session.commit()
    assert '<html lang="en">' in visitor.get("/account/profile",
                                             headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_language_of_the_registration_page_stays_the_new_users(visitor):
    submit(visitor, "/account/register", {"email": "nadia@example.org", "display_name": "Nadia",
                                          "password": factories.PASSWORD},
           page="/account/register", headers={"Accept-Language": "fr"})
    chosen, registered = db.session.execute(select(User.locale, User.registered_locale)
                                            .where(User.email == "nadia@example.org")).one()
    assert (chosen, registered) == (None, "fr")


def test_the_login_greeting_speaks_the_language_of_the_pages_after_it(visitor):
    factories.resident(email="resi@example.org", name="Resi", locale=None)  # Simmering speaks German
    db.session.commit()
    answer = submit(visitor, "/account/login", {"email": "resi@example.org", "password": factories.PASSWORD},
                    page="/account/login", headers={"Accept-Language": "ja"}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert _lang(page) == "de" and "Willkommen, Resi." in page


def test_the_first_login_is_welcomed_and_the_next_ones_welcomed_back(visitor):
    factories.user(email="new@example.org", name="Nadia", locale="en", last_login_at=None)
    db.session.commit()
    for greeting in ("Welcome, Nadia.", "Welcome back, Nadia."):
        page = submit(visitor, "/account/login", {"email": "new@example.org", "password": factories.PASSWORD},
                      page="/account/login", follow_redirects=True).get_data(as_text=True)
        assert greeting in page
        submit(visitor, "/account/logout", page="/account/profile")
