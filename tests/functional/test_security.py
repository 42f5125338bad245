"""The security baseline: CSRF, redirects, sessions that really end, rate limits, headers."""

import pytest

from stengage.accounts import operations
from tests import factories
from tests.conftest import csrf_token, login_as, submit
from tests.participation import process_url


def _login(client, email, password=factories.PASSWORD, **extra):
    return submit(client, "/account/login", {"email": email, "password": password, **extra})


def test_a_post_without_csrf_token_is_refused_with_a_message_and_changes_nothing(client, outbox):
    response = client.post("/account/register", data={
        "email": "csrf@example.org", "display_name": "No Token", "password": "river-boat-morning-fog"})
    assert response.status_code == 400
    assert "Please reload the page and send it again." in response.get_data(as_text=True)
    assert operations.find_user_by_email("csrf@example.org") is None
    assert outbox.messages() == []


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "/\\evil.example", "http:/evil.example",
    "\\\\evil.example", "javascript:alert(1)", "/\r\nLocation: https://evil.example", " //evil.example",
])
def test_login_never_redirects_off_site(client, target):
    factories.user(email="nextuser@example.org")
    response = _login(client, "nextuser@example.org", next=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and location in ("/", "http://localhost/")


def test_login_returns_to_a_same_site_path(client):
    factories.user(email="nextuser@example.org")
    response = _login(client, "nextuser@example.org", next="/areas/vienna-simmering?tab=aims")
    assert response.headers["Location"] == "/areas/vienna-simmering?tab=aims"


def test_a_session_cookie_replayed_after_logout_is_logged_out(app, client):
    factories.user(email="replay@example.org")
    _login(client, "replay@example.org")
    assert client.get("/account/profile").status_code == 200
    stolen = client.get_cookie("stengage_session").value

    submit(client, "/account/logout", page="/account/profile")
    attacker = app.test_client()
    attacker.set_cookie("stengage_session", stolen)
    assert attacker.get("/account/profile").status_code == 302


def test_logging_out_on_one_device_logs_out_every_device(app, client):
    factories.user(email="devices@example.org")
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop, "devices@example.org")
    _login(phone, "devices@example.org")
    submit(phone, "/account/logout", page="/account/profile")
    assert laptop.get("/account/profile").status_code == 302


def test_blocking_a_user_ends_their_sessions_and_they_cannot_log_in(app, client):
    admin = factories.user(admin=True)
    victim = factories.user(email="blocked@example.org")
    _login(client, "blocked@example.org")
    assert client.get("/account/profile").status_code == 200
    operations.block_user(admin, victim, "spam")
    assert client.get("/account/profile").status_code == 302
    page = _login(client, "blocked@example.org").get_data(as_text=True)
    assert "not correct" in page


def test_the_sixth_login_attempt_in_a_minute_gets_429(client):
    factories.user(email="target@example.org")
    for _ in range(5):
        assert _login(client, "target@example.org", password="wrong-password-again").status_code == 200
    response = _login(client, "target@example.org", password="wrong-password-again")
    assert response.status_code == 429
    assert "You tried this too often" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "60"  # the one-minute window


def test_logins_that_work_do_not_count_against_the_limit(client):
    """People behind one address (a workshop) log in and out many times a minute."""
    factories.user(email="workshop@example.org")
    for _ in range(8):
        assert _login(client, "workshop@example.org").status_code == 302
        with client.session_transaction() as session:
            session.clear()


def test_failed_logins_from_one_address_are_limited_across_accounts(client):
    codes = [_login(client, f"guess{n}@example.org", password="wrong-password-again").status_code
             for n in range(31)]
    assert codes == [200] * 30 + [429]


def test_every_response_carries_a_strict_csp_and_security_headers(client):
    for path in ("/", "/areas/vienna-simmering", "/account/login", "/does-not-exist"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_is_httponly_and_lax(client):
    factories.user(email="cookie@example.org")
    response = _login(client, "cookie@example.org")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("stengage_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_development(app):
    from stengage.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


@pytest.mark.parametrize(("path", "status", "text"), [
    ("/no/such/page", 404, "Page not found"),
    ("/areas/atlantis", 404, "Page not found"),
    ("/admin/users/12abc", 404, "Page not found"),
])
def test_friendly_error_pages(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/areas/%00", "/areas/vienna-simmering%00", "/areas/%00/verify",
                                  "/areas/vienna-simmering/residents?x=%00"])
def test_a_nul_byte_in_an_area_address_is_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)


def test_admin_pages_refuse_non_admins_and_unknown_ids_are_404(client):
    login_as(client, factories.resident())
    assert client.get("/admin/").status_code == 403
    login_as(client, factories.user(admin=True))
    for path in ("/admin/users/99999999", "/admin/users/-1"):
        assert client.get(path).status_code == 404


def test_a_too_large_request_gets_a_friendly_413(client):
    token = csrf_token(client)
    response = client.post("/account/login", data={"csrf_token": token, "email": "x" * (13 * 1024 * 1024)})
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)


def test_an_unexpected_error_gets_a_friendly_500(app, client, monkeypatch):
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "areas.home", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["/account/register", "propose"])
def test_forms_carry_one_anti_spam_clock(client, page):
    if page == "propose":
        login_as(client, factories.resident())
        page = f"{process_url(factories.process())}/propose"
    html = client.get(page).get_data(as_text=True)
    assert html.count('name="form_started"') == 1
