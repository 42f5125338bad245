"""One language and one time zone per person: the rule's order, the switch, My account, mails."""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from stengage.accounts.models import EmailNotifications, User
from stengage.core.i18n import LANGUAGE_COOKIE
from stengage.extensions import db
from stengage.proposals import operations as proposal_ops
from tests import factories
from tests.conftest import login_as, submit
from tests.participation import comment as post_comment

UNKNOWN_BROWSER = {"Accept-Language": "ja"}  # speaks none of our languages


def _lang(client, url, **headers):
    page = client.get(url, headers=headers or UNKNOWN_BROWSER)
    assert page.status_code == 200, url
    return re.search(r'<html lang="([^"]+)"', page.get_data(as_text=True)).group(1)


# --- The rule, step by step ---------------------------------------------------------------------

def test_step_1_the_persons_choice_beats_everything_else(visitor):
    visitor.set_cookie(LANGUAGE_COOKIE, "es")
    login_as(visitor, factories.resident(locale="fr", registered_locale="it"))
    db.session.commit()
    assert _lang(visitor, "/areas/vienna-simmering", **{"Accept-Language": "de"}) == "fr"


def test_step_2_the_language_registered_in_beats_the_cookie_browser_and_area(visitor):
    visitor.set_cookie(LANGUAGE_COOKIE, "es")
    login_as(visitor, factories.resident(locale=None, registered_locale="it"))
    db.session.commit()
    for url in ("/", "/areas/vienna-simmering", "/areas/lyon-confluence", "/account/profile"):
        assert _lang(visitor, url, **{"Accept-Language": "de"}) == "it"


def test_step_3_the_visitors_choice_beats_the_browser_and_the_area(visitor):
    visitor.set_cookie(LANGUAGE_COOKIE, "bg")
    for url in ("/", "/areas/vienna-simmering", "/areas/lyon-confluence"):
        assert _lang(visitor, url, **{"Accept-Language": "de"}) == "bg"


def test_step_4_the_browser_beats_the_area_on_every_page(visitor):
    for url in ("/", "/areas/vienna-simmering", "/areas/lyon-confluence", "/areas/sofia"):
        assert _lang(visitor, url, **{"Accept-Language": "en-GB,en;q=0.9"}) == "en"
        assert _lang(visitor, url, **{"Accept-Language": "es-ES"}) == "es"


def test_step_5_a_visitor_gets_the_area_of_the_page_and_a_person_their_own_area(visitor):
    assert _lang(visitor, "/areas/vienna-simmering") == "de"
    assert _lang(visitor, "/areas/lyon-confluence") == "fr"
    assert _lang(visitor, "/") == "en"  # no area: the platform's default
    login_as(visitor, factories.resident("lyon-confluence", locale=None))
    db.session.commit()
    for url in ("/", "/areas/vienna-simmering", "/areas/sofia", "/account/profile", "/notifications/"):
        assert _lang(visitor, url) == "fr"


def test_staff_and_moderators_read_their_back_office_in_their_areas_language(visitor):
    moderator = factories.moderator(locale=None)  # Vienna Simmering
    login_as(visitor, moderator)
    db.session.commit()
    for url in ("/", "/moderation", "/audit", "/areas/lyon-confluence", "/account/profile"):
        assert _lang(visitor, url) == "de", url


def test_registering_keeps_the_language_of_the_registration_page_and_stores_no_choice(visitor, outbox):
    submit(visitor, "/account/register", {"email": "ines@example.org", "display_name": "Inés",
                                          "password": factories.PASSWORD},
           page="/account/register", headers={"Accept-Language": "es"})
    user = db.session.scalar(select(User).where(User.email == "ines@example.org"))
    assert (user.locale, user.registered_locale) == (None, "es")
    assert outbox.last(to="ines@example.org")["Content-Language"] == "es"


# --- The switch ---------------------------------------------------------------------------------

def test_the_switch_keeps_a_visitors_choice_in_a_cookie_on_every_page(visitor):
    response = submit(visitor, "/account/language", {"locale": "it", "next": "/areas/lyon-confluence"})
    assert response.headers["Location"] == "/areas/lyon-confluence"
    assert "stengage_lang=it" in response.headers["Set-Cookie"]
    for url in ("/", "/areas/vienna-simmering", "/areas/lyon-confluence", "/account/login"):
        assert _lang(visitor, url, **{"Accept-Language": "de"}) == "it"


def test_the_switch_stores_a_logged_in_persons_choice_which_outlives_the_session(visitor):
    person = factories.resident(email="sw@example.org", locale=None, registered_locale="de")
    db.session.commit()
    submit(visitor, "/account/login", {"email": "sw@example.org", "password": factories.PASSWORD},
           page="/account/login")
    submit(visitor, "/account/language", {"locale": "fr", "next": "/account/profile"}, page="/account/profile")
    db.session.refresh(person)
    assert person.locale == "fr"
    assert _lang(visitor, "/notifications/") == "fr"
    submit(visitor, "/account/logout", page="/account/profile")
    assert _lang(visitor, "/areas/vienna-simmering") == "fr"  # this browser keeps it
    other_browser = visitor.application.test_client()
    login_as(other_browser, person)
    assert _lang(other_browser, "/areas/sofia", **{"Accept-Language": "bg"}) == "fr"  # and so does the person


def test_an_unknown_language_changes_nothing(client):
    person = factories.resident(locale="de")
    login_as(client, person)
    db.session.commit()
    response = submit(client, "/account/language", {"locale": "xx", "next": "/"}, page="/account/profile")
    assert "stengage_lang" not in response.headers.get("Set-Cookie", "")
    db.session.refresh(person)
    assert person.locale == "de"


# --- My account ---------------------------------------------------------------------------------

def _selected(page: str, select_id: str) -> str:
    block = re.search(rf'<select[^>]*id="{select_id}".*?</select>', page, re.S).group(0)
    return re.search(r"<option([^>]*selected[^>]*)>([^<]*)</option>", block).group(2)


def test_my_account_says_automatic_and_what_it_gives_now_when_nothing_is_stored(visitor):
    login_as(visitor, factories.resident(locale=None))  # a demo-like account: Vienna, no language stored
    db.session.commit()
    page = visitor.get("/account/profile", headers=UNKNOWN_BROWSER).get_data(as_text=True)
    with force_locale("de"):
        automatic = gettext("Automatic (now: %(language)s)", language="Deutsch")
        zone = gettext("Automatic (now: %(zone)s)", zone="Europe/Vienna")
    assert _selected(page, "locale") == automatic
    assert _selected(page, "timezone") == zone


def test_my_account_stores_a_time_zone_and_times_follow_it_with_their_label(client):
    proposal = factories.proposal(factories.process())  # Vienna Simmering
    factories.comment(proposal, body="At noon.", created_at=datetime(2026, 12, 3, 13, 5, tzinfo=UTC))
    person = factories.resident(locale="en")
    login_as(client, person)
    db.session.commit()
    assert "Dec 3, 2026, 2:05\u202fPM CET" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    response = submit(client, "/account/profile", {"display_name": person.display_name, "locale": "en",
                                                   "timezone": "Asia/Tokyo", "notify_by_email": "never"},
                      page="/account/profile")
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.timezone == "Asia/Tokyo"
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert '<time datetime="2026-12-03T13:05:00Z" class="muted">Dec 3, 2026, 10:05\u202fPM JST</time>' in page


def test_an_unknown_time_zone_is_refused_with_a_message_and_nothing_changes(client):
    person = factories.resident(locale="en", name="Kept")
    login_as(client, person)
    db.session.commit()
    response = submit(client, "/account/profile", {"display_name": "Changed", "locale": "de",
                                                   "timezone": "Mars/Olympus_Mons", "notify_by_email": "never"},
                      page="/account/profile")
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert (person.display_name, person.locale, person.timezone) == ("Kept", "en", None)


# --- Mails --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "language"), [({"locale": "fr"}, "fr"),
                                                   ({"locale": None, "registered_locale": "it"}, "it"),
                                                   ({"locale": None}, "de")])  # Vienna: the area's
def test_a_mail_is_in_the_recipients_language_not_the_senders(client, outbox, fields, language):
    proposal = factories.proposal(factories.process())
    reader = factories.resident(email="reader@example.org", notify_by_email=EmailNotifications.IMMEDIATELY,
                                **fields)
    proposal_ops.follow(reader, proposal)
    login_as(client, factories.resident(locale="en"))  # writes from an English page and browser
    db.session.commit()
    post_comment(client, proposal, "Ein Kommentar")
    mail = outbox.last(to="reader@example.org")
    assert mail["Content-Language"] == language
    with force_locale(language):
        greeting = gettext("Hello %(name)s,", name=reader.display_name)
    assert greeting in outbox.text(mail) and f'lang="{language}"' in outbox.html(mail)


def test_the_digest_shows_times_in_the_recipients_zone_with_its_label(app, client, outbox):
    proposal = factories.proposal(factories.process())
    reader = factories.resident(email="digest@example.org", locale="de", timezone="Asia/Tokyo",
                                notify_by_email=EmailNotifications.DAILY)
    proposal_ops.follow(reader, proposal)
    login_as(client, factories.resident(locale="en"))
    db.session.commit()
    post_comment(client, proposal, "Late news")
    assert "1 digests sent." in app.test_cli_runner().invoke(args=["send-digests"]).output
    text = outbox.text(outbox.last(to="digest@example.org"))
    assert re.search(r"\(\d\d\.\d\d\.\d{4}, \d\d:\d\d JST\)", text), text


def test_demo_accounts_store_no_language_and_my_account_says_what_automatic_gives(app, visitor):
    assert app.test_cli_runner().invoke(args=["seed-demo", "--with-users"]).exit_code == 0
    demo = db.session.scalars(select(User).where(User.email.like("%@example.org"),
                                                 User.email.in_(["admin@example.org", "moderator.vienna@example.org",
                                                                 "staff.vienna@example.org"]))).all()
    assert len(demo) == 3 and {(u.locale, u.registered_locale, u.timezone) for u in demo} == {(None, None, None)}
    moderator = next(u for u in demo if u.email == "moderator.vienna@example.org")
    login_as(visitor, moderator)
    page = visitor.get("/account/profile", headers=UNKNOWN_BROWSER).get_data(as_text=True)
    with force_locale("de"):
        assert _selected(page, "locale") == gettext("Automatic (now: %(language)s)", language="Deutsch")
    assert '<option selected value="en">' not in page and 'value="en" selected' not in page
