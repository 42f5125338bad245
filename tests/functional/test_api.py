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
    for bad in ("per_page=0", "per_page=101", "per_page=\u00b2", "page=abc", "page=-1", "page=\u00b2", "page=\u0663",
                "page=", "page=99999999999"):
        response = client.get(f"{url}?{bad}")
        name = bad.split("=")[0]
        assert response.status_code == 400, bad
        body = response.get_json()
        assert body["status"] == 400 and f"“{name}” must be a whole number" in body["error"]
    assert client.get("/api/v1/areas/atlantis/processes").get_json() == {"error": "Not Found", "status": 404}


def test_what_is_no_number_or_holds_control_characters_is_a_documented_json_4xx(client, published):
    _process, visible, _hidden, _author = published
    arabic_indic_id = "".join(chr(0x660 + int(d)) for d in str(visible.id))
    paths = {  # what is asked -> the documented path it is answered as
        f"/api/v1/proposals/{arabic_indic_id}": None,  # no route: an Arabic-Indic digit is no digit of an id
        "/api/v1/proposals/\u00b2": None, "/api/v1/proposals/-1": None, "/api/v1/proposals/99999999999": None,
        "/api/v1/areas/%00": "/api/v1/areas/{slug}",
        "/api/v1/areas/vienna-simmering%01/processes": "/api/v1/areas/{slug}/processes",
        "/api/v1/areas?x=%00": "/api/v1/areas",
        "/api/v1/areas/vienna-simmering/reports/r/versions/\u0663": None,
        "/api/v1/areas/vienna-simmering/summary?page=%7F": "/api/v1/areas/{slug}/summary",
    }
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, template in paths.items():
        response = client.get(path)
        assert 400 <= response.status_code < 500 and response.is_json, path
        assert set(response.get_json()) == {"error", "status"} and response.get_json()["status"] == response.status_code
        if template is None:
            assert response.status_code == 404, path
        else:
            assert response.status_code == 400 and "control characters" in response.get_json()["error"], path
            assert "400" in documented[template]["get"]["responses"], path


def test_staff_tokens_unlock_the_full_summary(client):
    clerk = factories.staff()
    login_as(client, clerk)
    page = submit(client, "/staff/tokens/", {"name": "dashboard"}, page="/staff/tokens/").get_data(as_text=True)
    token = page.split("<p><code>")[1].split("</code>")[0]
    stored = db.session.query(ApiToken).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    response = client.get("/api/v1/staff/summary", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["areas"] == ["vienna-simmering"]
    db.session.refresh(stored)
    assert stored.last_used_at is not None  # kept by the request's one commit
    assert client.get("/api/v1/staff/summary", headers={"Authorization": "Bearer " + "x" * 5000}).status_code == 401
    assert client.get("/api/v1/staff/summary", headers={"Authorization": "Bearer wrong"}).status_code == 401
    submit(client, f"/staff/tokens/{stored.id}/revoke", page="/staff/tokens/")
    assert client.get("/api/v1/staff/summary", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    refused = client.get("/api/v1/staff/summary", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert refused == {"error": "Send a working staff token as “Authorization: Bearer TOKEN”.", "status": 401}
    login_as(client, factories.resident())
    assert client.get("/staff/tokens/").status_code == 403


def test_making_and_revoking_tokens_is_logged_and_names_are_checked(client):
    from sqlalchemy import select

    from stengage.core.audit import AuditEntry

    clerk = factories.staff()
    login_as(client, clerk)
    for name, message in (("", "Give the token a name"), ("dash\x00board", "control characters")):
        page = submit(client, "/staff/tokens/", {"name": name}, page="/staff/tokens/").get_data(as_text=True)
        assert message in page and "<code>" not in page
    assert db.session.query(ApiToken).count() == 0
    submit(client, "/staff/tokens/", {"name": "dashboard"}, page="/staff/tokens/")
    token = db.session.query(ApiToken).one()
    other = factories.staff()
    login_as(client, other)
    assert submit(client, f"/staff/tokens/{token.id}/revoke", page="/staff/tokens/").status_code == 404
    assert token.revoked_at is None
    login_as(client, clerk)
    submit(client, f"/staff/tokens/{token.id}/revoke", page="/staff/tokens/")
    entries = db.session.execute(select(AuditEntry.verb, AuditEntry.actor_id, AuditEntry.target_id)
                                 .where(AuditEntry.target_type == "api_token").order_by(AuditEntry.id)).all()
    assert [tuple(e) for e in entries] == [("api_token.create", clerk.id, token.id),
                                           ("api_token.revoke", clerk.id, token.id)]


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
