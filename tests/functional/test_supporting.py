"""Supporting and following a proposal: what residents and anonymous visitors see of it."""

import re

import pytest

from stengage.core.i18n import LANGUAGE_COOKIE
from stengage.core.page_cache import STATUS_HEADER
from stengage.extensions import db
from tests import factories
from tests.conftest import login_as, make_test_app, submit

SUPPORTS = re.compile(r"<strong>(\d+)</strong>\s*supports?\b")


@pytest.fixture
def cached_app(tmp_path, private_database):
    """An app of its own with real commits and the page cache on (one process: memory)."""
    app = make_test_app(tmp_path, private_database, PAGE_CACHE="memory")
    yield app
    with app.app_context():
        db.engine.dispose()


def _shown_supports(response) -> int:
    return int(SUPPORTS.search(response.text).group(1))


@pytest.mark.real_commits
@pytest.mark.parametrize("process_options", [{}, {"supports_per_resident": 3}], ids=["no limit", "a limit"])
def test_an_anonymous_cached_page_shows_a_support_and_a_withdrawal_at_once(cached_app, process_options):
    with cached_app.app_context():
        proposal = factories.proposal(factories.process(**process_options))
        resident = factories.resident()
        db.session.commit()
        page = f"/proposals/{proposal.id}"
        supporter = login_as(cached_app.test_client(), resident)
    anonymous = cached_app.test_client()
    anonymous.set_cookie(LANGUAGE_COOKIE, "en")
    assert [anonymous.get(page).headers[STATUS_HEADER] for _ in range(2)] == ["miss", "hit"]

    assert submit(supporter, f"{page}/support", page=page).status_code == 302
    after_support = anonymous.get(page)
    assert after_support.headers[STATUS_HEADER] == "miss" and _shown_supports(after_support) == 1
    assert anonymous.get(page).headers[STATUS_HEADER] == "hit"

    assert submit(supporter, f"{page}/withdraw-support", page=page).status_code == 302
    after_withdrawal = anonymous.get(page)
    assert after_withdrawal.headers[STATUS_HEADER] == "miss" and _shown_supports(after_withdrawal) == 0


def _support_page(client, proposal):
    login_as(client, factories.resident())
    return f"/proposals/{proposal.id}"


@pytest.mark.parametrize(("next_target", "lands_on"), [
    ("/areas/vienna-simmering", "/areas/vienna-simmering"),  # the list the button was on
    ("/\t/evil.tld", None),  # a browser reads "/\t/evil.tld" as //evil.tld: another site
    ("/\\evil.tld", None),
    ("//evil.tld/", None),
    ("https://evil.tld/", None),
    ("/\n", None),
])
def test_the_answer_returns_only_to_a_page_of_this_site(client, next_target, lands_on):
    proposal = factories.proposal(factories.process())
    page = _support_page(client, proposal)
    for verb in ("support", "withdraw-support"):
        answer = submit(client, f"{page}/{verb}", {"next": next_target}, page=page)
        assert answer.status_code == 302
        assert answer.headers["Location"] == (lands_on or page)
    assert db.session.get(type(proposal), proposal.id).support_count == 0


def test_a_next_target_with_other_control_characters_is_a_clear_400_and_changes_nothing(client):
    proposal = factories.proposal(factories.process())
    page = _support_page(client, proposal)
    answer = submit(client, f"{page}/support", {"next": "/\x00"}, page=page)
    assert answer.status_code == 400 and "control characters" in answer.text
    assert db.session.get(type(proposal), proposal.id).support_count == 0


def test_support_and_withdraw_share_one_rate_limit(app, client):
    proposal = factories.proposal(factories.process())
    page = _support_page(client, proposal)
    limit = app.config["RATELIMIT_SUPPORT"]
    app.config["RATELIMIT_SUPPORT"] = "2 per minute"
    try:
        answers = [submit(client, f"{page}/{verb}", page=page).status_code
                   for verb in ("support", "withdraw-support", "support")]
    finally:
        app.config["RATELIMIT_SUPPORT"] = limit
    assert answers == [302, 302, 429]


def test_following_and_unfollowing_without_javascript_and_in_place(client):
    proposal = factories.proposal(factories.process())
    page = _support_page(client, proposal)
    assert submit(client, f"{page}/follow", page=page).status_code == 302
    assert "Stop following" in client.get(page).text
    fragment = submit(client, f"{page}/unfollow", page=page, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'action="{page}/follow"' in fragment.text and ">Follow<" in fragment.text
    fragment = submit(client, f"{page}/follow", page=page, headers={"HX-Request": "true"})
    assert f'action="{page}/unfollow"' in fragment.text and "Stop following" in fragment.text


def test_a_support_button_posts_to_its_own_route(client):
    proposal = factories.proposal(factories.process())
    page = _support_page(client, proposal)
    assert f'action="{page}/support"' in client.get(page).text
    submit(client, f"{page}/support", page=page)
    shown = client.get(page).text
    assert f'action="{page}/withdraw-support"' in shown and 'name="action"' not in shown


@pytest.mark.parametrize("verb", ["support", "withdraw-support", "follow", "unfollow"])
def test_a_button_without_the_pages_token_is_refused_and_changes_nothing(client, verb):
    proposal = factories.proposal(factories.process())
    page = _support_page(client, proposal)
    assert client.post(f"{page}/{verb}", data={"csrf_token": "forged"}).status_code == 400
    assert client.post(f"{page}/{verb}").status_code == 400
    shown = client.get(page).text
    assert _shown_supports(client.get(page)) == 0 and f'action="{page}/follow"' in shown


def test_a_refused_support_is_said_in_place_with_htmx_and_as_a_message_without(client):
    proposal = factories.proposal(factories.process(phase="after"))
    page = _support_page(client, proposal)
    fragment = submit(client, f"{page}/support", page=page, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'role="alert"' in fragment.text and "You can&#39;t support this proposal now." in fragment.text
    assert "You can&#39;t support this proposal now." not in client.get(page).text  # said once, in place
    answer = submit(client, f"{page}/support", page=page, follow_redirects=True)
    assert "You can&#39;t support this proposal now." in answer.text
    assert _shown_supports(client.get(page)) == 0
