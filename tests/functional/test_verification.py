"""Residency verification by postcode, letter code and moderator approval."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from stengage.accounts.models import AssuranceLevel, LetterCode, LetterCodeBatch, VerificationMethod
from stengage.core.audit import AuditEntry
from stengage.db import utc_now
from stengage.extensions import db
from tests import factories
from tests.conftest import login_as, submit

VERIFY = "/areas/vienna-simmering/verify"


def _postcode(client, postcode, area="vienna-simmering"):
    return submit(client, f"/areas/{area}/verify/postcode", {"pc-postcode": postcode},
                  page=f"/areas/{area}/verify")


def _letter(client, code, area="vienna-simmering"):
    return submit(client, f"/areas/{area}/verify/letter", {"lc-code": code},
                  page=f"/areas/{area}/verify")


def test_a_postcode_outside_the_area_is_refused_and_changes_nothing(client):
    user = factories.user()
    login_as(client, user)
    page = _postcode(client, "80331").get_data(as_text=True)  # Munich city centre
    assert "80331 is not a postcode of Simmering." in page
    assert user.membership_in(factories.area()) is None


def test_postcodes_compare_without_spaces_and_one_person_joins_several_areas(client):
    user = factories.user()
    login_as(client, user)
    assert _postcode(client, " 1110 ").status_code == 302
    assert _postcode(client, "81 241", area="munich-neuaubing-westkreuz-freiham").status_code == 302
    assert user.is_verified_in(factories.area("vienna-simmering"))
    assert user.is_verified_in(factories.area("munich-neuaubing-westkreuz-freiham"))
    assert not user.is_verified_in(factories.area("lyon-confluence"))


def test_unconfirmed_accounts_must_confirm_their_email_before_verifying(client):
    user = factories.user(confirmed=False)
    login_as(client, user)
    page = _postcode(client, "1110").get_data(as_text=True)
    assert "Please confirm your email address before verifying" in page
    assert user.membership_in(factories.area()) is None


def test_a_letter_code_verifies_once_at_substantial_level(client):
    code = factories.letter_codes(count=1)[0]
    first, second = factories.user(), factories.user()
    login_as(client, first)
    assert _letter(client, code.lower().replace("-", " ")).status_code == 302
    membership = first.membership_in(factories.area())
    assert membership.verification_method == VerificationMethod.LETTER_CODE
    assert membership.assurance_level == AssuranceLevel.SUBSTANTIAL

    login_as(client, second)
    page = _letter(client, code).get_data(as_text=True)
    assert "has expired or was already used" in page
    assert second.membership_in(factories.area()) is None


@pytest.mark.parametrize("kind", ["wrong", "expired", "other-area"])
def test_wrong_expired_and_foreign_letter_codes_are_refused(client, kind):
    if kind == "wrong":
        code = "ABCD-EFGH-JKMN"
    elif kind == "expired":
        code = factories.letter_codes(count=1)[0]
        batch = db.session.scalar(select(LetterCodeBatch).order_by(LetterCodeBatch.id.desc()))
        batch.expires_at = batch.created_at - timedelta(seconds=1)
        db.session.flush()
    else:
        code = factories.letter_codes("lyon-confluence", count=1)[0]
    user = factories.user()
    login_as(client, user)
    page = _letter(client, code).get_data(as_text=True)
    assert "This code is not valid for Simmering, has expired or was already used." in page
    assert user.membership_in(factories.area()) is None


def test_only_a_fingerprint_of_each_letter_code_is_stored(app):
    codes = factories.letter_codes(count=5)
    stored = set(db.session.scalars(select(LetterCode.code_hash)))
    assert not stored & set(codes)
    assert all(len(h) == 64 for h in stored)


def test_letter_code_attempts_are_rate_limited(client):
    user = factories.user()
    login_as(client, user)
    statuses = [_letter(client, f"WRONG-CODE-{i:04d}").status_code for i in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


def test_letter_code_columns_are_merge_fields_in_every_language(client):
    login_as(client, factories.staff(locale="de"))
    response = submit(client, "/areas/vienna-simmering/letter-codes", {"count": "2", "valid_days": "30", "label": ""},
                      page="/areas/vienna-simmering/letter-codes")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["code", "area", "valid_until", "batch"] and len(rows) == 3
    # Valid until 30 days from now, in Vienna's time (the letters' readers'), its zone named.
    until = datetime.strptime(rows[1][2][:16], "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Europe/Vienna"))
    assert rows[1][2][17:] in ("CET", "CEST")
    assert abs(until - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=2)


def test_staff_generate_a_batch_and_download_printable_codes(client):
    clerk = factories.staff()
    login_as(client, clerk)
    response = submit(client, "/areas/vienna-simmering/letter-codes",
                      {"count": "25", "valid_days": "30", "label": "Simmeringer Hauptstraße 1-99"},
                      page="/areas/vienna-simmering/letter-codes")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["code", "area", "valid_until", "batch"]  # merge fields, in every language
    codes = [row[0] for row in rows[1:]]
    assert len(set(codes)) == 25

    # A resident can use a printed code.
    resident = factories.user()
    login_as(client, resident)
    assert _letter(client, codes[7]).status_code == 302
    assert resident.is_verified_in(factories.area(), AssuranceLevel.SUBSTANTIAL)

    login_as(client, clerk)
    page = client.get("/areas/vienna-simmering/letter-codes").get_data(as_text=True)
    assert "Simmeringer Hauptstraße 1-99" in page and "1 of 25" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "letter_codes.generate"))
    assert entry.actor_id == clerk.id and entry.after["size"] == 25


@pytest.mark.parametrize("count", ["0", "-5", "2001", "many", "", "\u0663", "\u00b2", "1_0"])
def test_bad_batch_sizes_are_refused_with_a_message(client, count):
    login_as(client, factories.staff())
    response = submit(client, "/areas/vienna-simmering/letter-codes",
                      {"count": count, "valid_days": "30"}, page="/areas/vienna-simmering/letter-codes")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "field-errors" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(LetterCodeBatch.id))) == 0


def test_moderator_approval_records_the_verifier_and_the_note(client, outbox):
    resident = factories.user(name="Resi Dent", locale="en")  # mails speak the person's language
    mod = factories.moderator()
    elsewhere = factories.moderator("lyon-confluence")
    login_as(client, resident)
    response = submit(client, "/areas/vienna-simmering/verify/request",
                      {"ap-message": "I can show my Meldezettel at the Stadtteilbüro"}, page=VERIFY)
    assert response.status_code == 302
    # The area's moderators hear of it (those of other areas do not), with a link to the requests.
    [request_mail] = outbox.messages(mod.email)
    assert "Resi Dent" in outbox.text(request_mail) and "Meldezettel" in outbox.text(request_mail)
    assert "/areas/vienna-simmering/residents" in outbox.text(request_mail)
    assert outbox.messages(elsewhere.email) == []

    login_as(client, mod)
    page = client.get("/areas/vienna-simmering/residents").get_data(as_text=True)
    assert "Resi Dent" in page and "Meldezettel" in page
    membership = resident.membership_in(factories.area())
    response = submit(client, "/areas/vienna-simmering/residents/approve",
                      {"membership_id": str(membership.id), "note": "Saw Meldezettel in person"},
                      page="/areas/vienna-simmering/residents", follow_redirects=True)
    assert "Resi Dent is now a verified resident." in response.get_data(as_text=True)
    membership = resident.membership_in(factories.area())
    assert membership.verification_method == VerificationMethod.MODERATOR_APPROVAL
    assert membership.assurance_level == AssuranceLevel.HIGH
    assert membership.verified_by_id == mod.id
    assert membership.verification_note == "Saw Meldezettel in person"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "residency.approve"))
    assert entry.actor_id == mod.id and entry.after == {"method": "moderator_approval", "level": "high"}
    approved = outbox.last(resident.email)
    assert "verified resident" in approved["Subject"] and "/areas/vienna-simmering" in outbox.text(approved)


def test_a_declined_request_tells_the_resident_why_and_how_else_to_verify(client, outbox):
    resident = factories.user(name="Resi Dent")
    factories.membership(resident).approval_requested_at = utc_now()
    login_as(client, factories.moderator())
    submit(client, "/areas/vienna-simmering/residents/decline",
           {"membership_id": str(resident.membership_in(factories.area()).id), "note": "Nobody knew you at the office"},
           page="/areas/vienna-simmering/residents")
    declined = outbox.last(resident.email)
    assert "Nobody knew you at the office" in outbox.text(declined)
    assert "/areas/vienna-simmering/verify" in outbox.text(declined)
    assert not resident.is_verified_in(factories.area())


def test_a_moderator_approval_needs_a_note(client):
    resident = factories.user()
    factories.membership(resident).approval_requested_at = utc_now()
    mod = factories.moderator()
    login_as(client, mod)
    page = submit(client, "/areas/vienna-simmering/residents/approve",
                  {"membership_id": str(resident.membership_in(factories.area()).id), "note": ""},
                  page="/areas/vienna-simmering/residents", follow_redirects=True).get_data(as_text=True)
    assert "Please write a note" in page
    assert not resident.is_verified_in(factories.area())


def test_a_request_named_in_other_than_ascii_digits_is_not_found_and_not_approved(client):
    resident = factories.user()
    membership = factories.membership(resident)
    membership.approval_requested_at = utc_now()
    login_as(client, factories.moderator())
    arabic_indic = str(membership.id).translate(str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664"
                                                                             "\u0665\u0666\u0667\u0668\u0669"))
    response = submit(client, "/areas/vienna-simmering/residents/approve",
                      {"membership_id": arabic_indic, "note": "Saw the papers"},
                      page="/areas/vienna-simmering/residents")
    assert response.status_code == 404
    assert not resident.is_verified_in(factories.area())


@pytest.mark.parametrize(("who", "letter_codes", "requests"), [
    ("anonymous", 302, 302),
    ("resident", 403, 403),
    ("moderator-here", 403, 200),
    ("staff-here", 200, 403),
    ("moderator-lyon", 403, 403),
    ("staff-lyon", 403, 403),
    ("admin", 200, 200),
])
def test_who_may_open_the_team_pages_of_vienna(client, who, letter_codes, requests):
    users = {
        "resident": lambda: factories.resident(),
        "moderator-here": lambda: factories.moderator(),
        "staff-here": lambda: factories.staff(),
        "moderator-lyon": lambda: factories.moderator("lyon-confluence"),
        "staff-lyon": lambda: factories.staff("lyon-confluence"),
        "admin": lambda: factories.user(admin=True),
    }
    if who != "anonymous":
        login_as(client, users[who]())
    assert client.get("/areas/vienna-simmering/letter-codes").status_code == letter_codes
    assert client.get("/areas/vienna-simmering/residents").status_code == requests


def test_a_lyon_moderator_cannot_approve_a_vienna_request(client):
    resident = factories.user()
    membership = factories.membership(resident)
    membership.approval_requested_at = utc_now()
    login_as(client, factories.moderator("lyon-confluence"))
    response = submit(client, "/areas/vienna-simmering/residents/approve",
                      {"membership_id": str(membership.id), "note": "trust me"})
    assert response.status_code == 403
    # Nor through their own area's URL.
    response = submit(client, "/areas/lyon-confluence/residents/approve",
                      {"membership_id": str(membership.id), "note": "trust me"})
    assert response.status_code == 404
    assert not resident.is_verified_in(factories.area())


def _notice_link(client) -> str:
    listing = client.get("/notifications/").get_data(as_text=True)
    return re.search(r'href="(/notifications/account/\d+)"', listing).group(1)


def test_residency_requests_and_answers_reach_the_notification_centre(client):
    resident, mod = factories.user(name="Resi Dent"), factories.moderator()
    elsewhere = factories.moderator("lyon-confluence")
    login_as(client, resident)
    submit(client, "/areas/vienna-simmering/verify/request", {"ap-message": "Ask my neighbours"}, page=VERIFY)

    login_as(client, elsewhere)
    assert "badge-count" not in client.get("/").get_data(as_text=True)  # another area's moderator
    login_as(client, mod)
    assert re.search(r'Notifications <span class="badge badge-count">1', client.get("/").get_data(as_text=True))
    assert "Resi Dent asks to be verified as a resident of Simmering." in client.get("/notifications/").get_data(
        as_text=True)
    request_link = _notice_link(client)
    assert "Mark all as read" in client.get("/notifications/").get_data(as_text=True)
    assert client.get(request_link).headers["Location"].endswith("/areas/vienna-simmering/residents")
    assert "badge-count" not in client.get("/").get_data(as_text=True)  # opened: read
    assert "Mark all as read" not in client.get("/notifications/").get_data(as_text=True)  # nothing left to mark
    membership_id = str(resident.membership_in(factories.area()).id)
    submit(client, "/areas/vienna-simmering/residents/decline", {"membership_id": membership_id, "note": "Unknown"},
           page="/areas/vienna-simmering/residents")

    login_as(client, resident)
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "A moderator could not confirm from your request that you live in Simmering." in listing
    declined_link = _notice_link(client)
    assert client.get(declined_link).headers["Location"].endswith("/areas/vienna-simmering/verify")
    assert client.get(request_link).status_code == 404  # the moderator's notice is not hers

    submit(client, "/areas/vienna-simmering/verify/request", {"ap-message": "Again, with a letter"}, page=VERIFY)
    login_as(client, mod)
    submit(client, "/areas/vienna-simmering/residents/approve", {"membership_id": membership_id, "note": "Letter seen"},
           page="/areas/vienna-simmering/residents")
    login_as(client, resident)
    assert re.search(r'Notifications <span class="badge badge-count">1', client.get("/").get_data(as_text=True))
    assert "You are a verified resident of Simmering" in client.get("/notifications/").get_data(as_text=True)
    submit(client, "/notifications/read", page="/notifications/")  # "mark all as read" covers notices too
    assert "badge-count" not in client.get("/").get_data(as_text=True)
