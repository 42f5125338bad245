"""Supporting and following a proposal: what residents and anonymous visitors see of it."""

import re

import pytest

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
    with anonymous.session_transaction() as session:
        session["locale"] = "en"
    assert [anonymous.get(page).headers[STATUS_HEADER] for _ in range(2)] == ["miss", "hit"]

    assert submit(supporter, f"{page}/support", page=page).status_code == 302
    after_support = anonymous.get(page)
    assert after_support.headers[STATUS_HEADER] == "miss" and _shown_supports(after_support) == 1
    assert anonymous.get(page).headers[STATUS_HEADER] == "hit"

    assert submit(supporter, f"{page}/withdraw-support", page=page).status_code == 302
    after_withdrawal = anonymous.get(page)
    assert after_withdrawal.headers[STATUS_HEADER] == "miss" and _shown_supports(after_withdrawal) == 0
