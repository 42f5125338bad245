"""Register -> confirm from the .eml -> log in -> verify -> log out, and the password reset."""

from sqlalchemy import select

from stengage.accounts.models import AssuranceLevel, User, VerificationMethod
from stengage.extensions import db
from tests import factories
from tests.conftest import login_as, submit

PASSWORD = "lantern-over-the-danube-7"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def register(client, email="neighbour@example.org", name="Nadia Neighbour", password=PASSWORD):
    return submit(client, "/account/register",
                  {"email": email, "display_name": name, "password": password},
                  page="/account/register")


def test_register_confirm_login_verify_by_postcode_and_log_out(client, outbox):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/check-your-mail")
    assert "Check your mailbox" in client.get(response.headers["Location"]).get_data(as_text=True)

    user = _user("neighbour@example.org")
    assert user is not None and not user.is_confirmed
    assert user.password_hash.startswith("$argon2id$")

    mail = outbox.last(to="neighbour@example.org")
    assert mail["Subject"] == "Confirm your email address"
    assert mail.get_body(preferencelist=("html",)) is not None
    link = outbox.link(mail, "/account/confirm/")
    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "is confirmed" in page
    assert _user("neighbour@example.org").is_confirmed

    response = submit(client, "/account/login",
                      {"email": "Neighbour@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "Nadia Neighbour" in client.get("/account/profile").get_data(as_text=True)

    page = submit(client, "/areas/vienna-simmering/verify/postcode", {"pc-postcode": "1110"},
                  page="/areas/vienna-simmering/verify", follow_redirects=True).get_data(as_text=True)
    assert "verified resident of Simmering" in page
    membership = _user("neighbour@example.org").membership_in(factories.area("vienna-simmering"))
    assert membership.verification_method == VerificationMethod.POSTCODE
    assert membership.assurance_level == AssuranceLevel.LOW
    assert membership.verified_at is not None and membership.verified_by_id is None

    response = submit(client, "/account/logout", page="/account/profile")
    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 302  # back to the login page


def test_a_confirmation_link_that_was_tampered_with_confirms_nothing(client, outbox):
    register(client)
    link = outbox.link(outbox.last(), "/account/confirm/")
    page = client.get(link[:-3] + "xyz", follow_redirects=True).get_data(as_text=True)
    assert "invalid or has expired" in page
    assert not _user("neighbour@example.org").is_confirmed


def test_a_display_name_with_a_nul_byte_is_refused_on_the_form_and_nothing_is_stored(client, outbox):
    response = register(client, name="Nadia\x00Neighbour")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "control characters" in page and 'aria-invalid="true"' in page
    assert _user("neighbour@example.org") is None and outbox.messages() == []


def test_confirming_an_address_someone_registered_meanwhile_keeps_the_old_one_and_drops_the_change(client, outbox):
    user = factories.user(email="old@example.org")
    login_as(client, user)
    submit(client, "/account/email", {"email": "new@example.org", "current_password": factories.PASSWORD},
           page="/account/email")
    link = outbox.link(outbox.last(to="new@example.org"), "/account/confirm/")
    factories.user(email="new@example.org")  # registered before the link was followed

    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "That email address now belongs to another account." in page
    db.session.refresh(user)
    assert user.email == "old@example.org"
    # The change that can never happen is no longer shown as waiting.
    assert user.pending_email is None
    assert "Waiting for confirmation" not in client.get("/account/profile").get_data(as_text=True)


def test_registering_a_taken_email_in_any_spelling_creates_nothing_and_answers_alike(client, outbox):
    factories.user(email="alice@example.org", name="Alice")
    for variant in ("alice@example.org", "ALICE@Example.ORG", " Alice@example.org ",
                    "\uff21lice@example.org"):  # full-width A
        outbox.clear()
        response = register(client, email=variant, name="Mallory")
        assert response.status_code == 302, variant
        assert response.headers["Location"].endswith("/account/check-your-mail")
        assert db.session.scalar(select(db.func.count(User.id)).where(User.display_name == "Mallory")) == 0
        notice = outbox.last(to="alice@example.org")
        assert "already have one" in outbox.text(notice)


def test_weak_short_and_common_passwords_are_refused_with_a_clear_message(client):
    cases = {
        "short-pw-1": "Use at least 12 characters.",
        "passwordpassword": "too common or too easy to guess",
        "123456789012": "too common or too easy to guess",
        "neighbour@example.org": "too common or too easy to guess",
    }
    for password, message in cases.items():
        page = register(client, password=password).get_data(as_text=True)
        assert message in page, password
        assert 'aria-invalid="true"' in page
    assert _user("neighbour@example.org") is None


def test_long_passphrases_up_to_128_characters_and_beyond_are_accepted(client):
    passphrase = "the tram to simmering runs past the gasometer every seven minutes " * 2
    assert len(passphrase) >= 128
    response = register(client, password=passphrase)
    assert response.status_code == 302
    user = _user("neighbour@example.org")
    user.email_confirmed_at = db.func.now()
    db.session.flush()
    response = submit(client, "/account/login", {"email": "neighbour@example.org",
                                                 "password": passphrase})
    assert response.status_code == 302


def test_login_answers_alike_for_unknown_email_and_wrong_password(client):
    factories.user(email="known@example.org")
    unknown = submit(client, "/account/login", {"email": "nobody@example.org",
                                                "password": PASSWORD}).get_data(as_text=True)
    wrong = submit(client, "/account/login", {"email": "known@example.org",
                                              "password": "wrong-password-here"}).get_data(as_text=True)
    assert "The email address or the password is not correct." in unknown
    assert "The email address or the password is not correct." in wrong


def test_password_reset_from_the_mail_works_once_and_ends_other_sessions(app, client, outbox):
    user = factories.user(email="forgetful@example.org")
    other_device = app.test_client()
    assert submit(other_device, "/account/login", {"email": "forgetful@example.org",
                                                   "password": factories.PASSWORD}).status_code == 302

    page = submit(client, "/account/reset", {"email": "forgetful@example.org"},
                  page="/account/reset", follow_redirects=True).get_data(as_text=True)
    assert "If an account exists for forgetful@example.org" in page
    link = outbox.link(outbox.last(to="forgetful@example.org"), "/account/reset/")

    new_password = "copper-kettle-on-the-balcony"
    response = submit(client, link, {"password": new_password}, page=link)
    assert response.status_code == 302
    assert submit(client, "/account/login", {"email": "forgetful@example.org",
                                             "password": new_password}).status_code == 302
    # The link is single-use, and the other device was logged out.
    again = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "invalid, expired or already used" in again
    assert other_device.get("/account/profile").status_code == 302
    assert "Your password was changed" in [m["Subject"] for m in outbox.messages(to=user.email)]


def test_reset_for_unknown_email_answers_the_same_and_sends_nothing(client, outbox):
    page = submit(client, "/account/reset", {"email": "ghost@example.org"},
                  page="/account/reset", follow_redirects=True).get_data(as_text=True)
    assert "If an account exists for ghost@example.org" in page
    assert outbox.messages() == []
