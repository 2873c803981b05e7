"""Security headers, cookies and session limits, as a browser would receive them."""

import re
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from matchmaking.middleware import LAST_SEEN, SIGNED_IN_AT
from matchmaking.settings import https_settings
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    """The settings production runs with (HTTPS on), applied to this test."""
    for name, value in https_settings(True).items():
        setattr(settings, name, value)
    return settings


def test_production_responses_carry_the_security_headers(client, production):
    response = client.get(reverse("home"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_plain_http_is_redirected_to_https_in_production(client, production):
    response = client.get(reverse("home"))
    assert response.status_code == 301 and response.url.startswith("https://")


def test_production_cookies_are_secure_httponly_samesite_and_host_prefixed(client, production):
    UserFactory(email="rose@example.org")
    response = client.post(
        reverse("account_login"), {"login": "rose@example.org", "password": PASSWORD}, secure=True
    )
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
    csrf = client.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"]


def test_the_session_key_changes_at_sign_in(client):
    UserFactory(email="rose@example.org")
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("account_login"), {"login": "rose@example.org", "password": PASSWORD})
    assert client.session.session_key != before


PAGES = ["home", "accessibility", "privacy", "cookies", "account_login", "account_signup"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_have_no_inline_script_or_style(client, name):
    html = client.get(reverse(name)).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html


def test_signed_in_pages_have_no_inline_script_or_style_either(client):
    client.force_login(UserFactory())
    for name in ["home", "needs:list", "matchmaking:notifications", "matchmaking:your_data"]:
        html = client.get(reverse(name)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert " style=" not in html, name


def test_sessions_end_after_30_minutes_idle():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60


def test_sessions_end_after_12_hours_however_active(client):
    user = UserFactory()
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get(reverse("needs:list"), follow=True)
    assert "signed out after 12 hours" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_using_the_site_renews_the_idle_timer_at_most_once_a_minute(client):
    client.force_login(UserFactory())
    session = client.session
    session[LAST_SEEN] = time.time() - 120
    session.save()
    client.get(reverse("home"))
    assert time.time() - client.session[LAST_SEEN] < 5


def test_the_timeout_warning_is_offered_to_signed_in_people_only(client):
    assert "kith-timeout-dialog" not in client.get(reverse("home")).content.decode()
    client.force_login(UserFactory())
    html = client.get(reverse("home")).content.decode()
    assert 'id="kith-timeout-dialog"' in html and 'data-session-seconds="1800"' in html
    assert "Stay signed in" in html


def test_stay_signed_in_renews_the_session(client):
    assert client.post(reverse("session_extend")).status_code == 401
    client.force_login(UserFactory())
    session = client.session
    session[LAST_SEEN] = time.time() - 20 * 60
    session.save()
    assert client.post(reverse("session_extend")).status_code == 204
    assert time.time() - client.session[LAST_SEEN] < 5
    assert client.get(reverse("session_extend")).status_code == 405


def test_the_signed_out_page_signs_out(client):
    client.force_login(UserFactory())
    assert "You have been signed out" in client.get(reverse("signed_out")).content.decode()
    assert "_auth_user_id" not in client.session


def test_long_passphrases_are_accepted(client):
    passphrase = "correct horse battery staple " * 4
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Long Passphrase",
            "known_as": "Lo",
            "email": "long@example.org",
            "password1": passphrase,
            "password2": passphrase,
        },
    )
    from accounts.models import User

    assert User.objects.get(email="long@example.org").check_password(passphrase)


@pytest.mark.parametrize("suffix", ["", "submitted/", "change/", "withdraw/"])
def test_a_reference_holding_a_nul_character_is_not_found(client, suffix):
    # PostgreSQL refuses to compare text holding a NUL: the lookup was a 500 there.
    client.force_login(UserFactory())
    assert client.get(f"/requests/%00/{suffix}").status_code == 404
    assert client.get(f"/requests/KTH-%00ABC/{suffix}").status_code == 404


def test_pages_with_personal_details_are_never_stored_by_the_browser(client):
    from tests.factories import NeedFactory

    resident = UserFactory()
    need = NeedFactory(requested_by=resident, address="12 Mill Lane")
    client.force_login(resident)
    for url in [
        reverse("needs:detail", args=[need.reference]),
        reverse("needs:list"),
        reverse("matchmaking:notifications"),
        reverse("matchmaking:your_data_download"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_a_signed_in_resident_opening_the_admin_is_told_they_have_no_access(client):
    client.force_login(UserFactory(email="rose@example.org"))
    # Followed as a browser would: it looped /admin/ → /admin/login/ → /accounts/login/.
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2
    html = response.content.decode()
    assert "You do not have access to the council admin" in html
    assert "rose@example.org" in html


def test_someone_signed_out_opening_the_admin_is_asked_to_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
