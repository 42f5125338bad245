"""The open-data API: public facts only, hidden content never, staff tokens for the full summaries."""

import hashlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from stengage.api.models import ApiToken
from stengage.extensions import db
from stengage.moderation import operations as moderation_ops
from stengage.proposals import supports
from tests import factories
from tests.conftest import login_as, submit


@pytest.fixture
def published(app):
    process = factories.process(title="Open data")
    author = factories.resident(name="Very Personal Name", email="personal@mail.example.org")
    visible = factories.proposal(process, author=author, title="Visible idea", latitude=48.17, longitude=16.42)
    hidden = factories.proposal(process, title="Hidden idea")
    supports.support(factories.resident(), visible)
    moderation_ops.hide(factories.moderator(), hidden, factories.area(), "spam")
    return process, visible, hidden, author


def test_areas_processes_and_proposals_without_personal_data(client, published):
    process, visible, hidden, author = published
    areas = client.get("/api/v1/areas").get_json()["items"]
    assert len(areas) == 8 and {"lighthouse", "follower", "observer"} == {a["project_role"] for a in areas}
    url = f"/api/v1/areas/vienna-simmering/processes/{process.slug}/proposals"
    body = client.get(url).get_json()
    assert [p["title"] for p in body["items"]] == ["Visible idea"]
    assert body["items"][0]["supports"] == 1 and body["total"] == 1
    text = client.get(url).get_data(as_text=True) + client.get(f"/api/v1/proposals/{visible.id}").get_data(as_text=True)
    assert author.display_name not in text and author.email not in text
    assert client.get(f"/api/v1/proposals/{hidden.id}").status_code == 404
    assert "Hidden idea" not in client.get("/api/v1/areas/vienna-simmering/summary").get_data(as_text=True)


def test_pagination_and_bad_parameters(client):
    process = factories.process()
    for i in range(5):
        factories.proposal(process, title=f"P{i}")
    url = f"/api/v1/areas/vienna-simmering/processes/{process.slug}/proposals"
    first = client.get(f"{url}?per_page=2").get_json()
    assert len(first["items"]) == 2 and first["total"] == 5 and "page=2" in first["next"]
    for bad in ("per_page=0", "per_page=101", "page=abc", "page=-1"):
        response = client.get(f"{url}?{bad}")
        assert response.status_code == 400 and response.get_json() == {"error": "Bad Request", "status": 400}
    assert client.get("/api/v1/areas/atlantis/processes").status_code == 404


def test_staff_tokens_unlock_the_full_summary(client):
    clerk = factories.staff()
    login_as(client, clerk)
    page = submit(client, "/staff/tokens/", {"name": "dashboard"}, page="/staff/tokens/").get_data(as_text=True)
    token = page.split("<p><code>")[1].split("</code>")[0]
    stored = db.session.query(ApiToken).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    response = client.get("/api/v1/staff/summary", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["areas"] == ["vienna-simmering"]
    assert client.get("/api/v1/staff/summary", headers={"Authorization": "Bearer wrong"}).status_code == 401
    submit(client, f"/staff/tokens/{stored.id}/revoke", page="/staff/tokens/")
    assert client.get("/api/v1/staff/summary", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    login_as(client, factories.resident())
    assert client.get("/staff/tokens/").status_code == 403


def test_the_api_matches_its_openapi_document(app, published):
    """Property-based: generated requests for every operation; no 5xx, every answer fits the document."""
    db.session.commit = db.session.flush  # the API's writes stay inside the test's savepoint
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call()
            assert response.status_code < 500, (case.path, response.status_code)
            case.validate_response(response)
            assert "Hidden idea" not in response.text

        check()
        checked += 1
    assert checked == 9


def test_too_many_api_requests_get_a_json_429_that_says_when_to_come_back(client):
    codes = [client.get("/api/v1/areas").status_code for _ in range(600)]
    assert codes == [200] * 600
    refused = client.get("/api/v1/areas")
    assert refused.status_code == 429
    assert refused.get_json() == {"error": "Too Many Requests", "status": 429}
    assert refused.headers["Retry-After"] == "60"
    assert "X-RateLimit-Remaining" not in refused.headers
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/areas"]["get"]["responses"]
    assert "Retry-After" in documented["429"]["headers"]
