"""Signing in to the API: tokens made and revoked on the account page, token and session
authentication (CSRF for session writes), and rate limits per user and per IP address."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.exceptions import TransitionError
from matchmaking.api_tokens import api_token_create
from tests.api.conftest import token_client
from tests.factories import CommissionerFactory, StaffFactory

pytestmark = pytest.mark.django_db

PAGE = "/accounts/api-token/"
NEEDS = "/api/v1/needs/"


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_account_menu_links_to_the_token_page(client, resident):
    client.force_login(resident)
    html = client.get(reverse("account_email")).content.decode()
    assert f'href="{PAGE}"' in html and "API access" in html


def test_the_token_page_needs_a_signed_in_person(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_person_makes_a_token_sees_it_once_and_uses_it(
    client, resident, need, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    assert "You have no API token." in client.get(PAGE).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"action": "create"})
    assert response.status_code == 302
    # They are told, in case it was not them.
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert "API token" in mail.outbox[0].subject
    key = Token.objects.get(user=resident).key
    page = client.get(PAGE).content.decode()
    assert key in page and "We will not show it again" in page
    assert key not in client.get(PAGE).content.decode()  # once only

    response = with_token(key).get(NEEDS)
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [need.reference]


def test_making_a_new_token_replaces_the_old_and_revoking_ends_it(client, resident):
    client.force_login(resident)
    client.post(PAGE, {"action": "create"})
    old = Token.objects.get(user=resident).key
    client.post(PAGE, {"action": "create"})
    new = Token.objects.get(user=resident).key
    assert new != old
    assert with_token(old).get(NEEDS).status_code == 401
    assert with_token(new).get(NEEDS).status_code == 200

    response = client.post(PAGE, {"action": "revoke"}, follow=True)
    assert "Your API token has been revoked" in response.content.decode()
    assert not Token.objects.filter(user=resident).exists()
    assert with_token(new).get(NEEDS).status_code == 401


def test_the_token_page_only_takes_csrf_protected_posts(resident):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.post(PAGE, {"action": "create"}).status_code == 403
    assert not Token.objects.filter(user=resident).exists()
    assert client.post(PAGE, {"action": "explode"}).status_code == 403
    client = Client()
    client.force_login(resident)
    assert client.post(PAGE, {"action": "explode"}).status_code == 400
    assert client.put(PAGE).status_code == 405


def test_a_bad_token_is_a_401(need):
    response = with_token("0" * 40).get(NEEDS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_session_authentication_needs_csrf_for_writes(resident, need):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.get(NEEDS).status_code == 200  # reads need no token
    response = client.post(f"{NEEDS}{need.reference}/withdraw/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    # With the CSRF cookie and header, as the docs page sends them, it works.
    client.get("/accounts/email/")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        f"{NEEDS}{need.reference}/withdraw/", {}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 200, response.json()


def test_an_inactive_users_token_stops_working(resident):
    client = token_client(resident)
    resident.is_active = False
    resident.save()
    assert client.get(NEEDS).status_code == 401


# --- two-factor before a staff token ------------------------------------------------------------


@pytest.mark.parametrize("factory", [StaffFactory, CommissionerFactory])
def test_staff_without_two_factor_are_not_given_a_token(client, factory):
    """A token is a password that skips the second factor: staff get one only with it."""
    person = factory(two_factor=False)
    client.force_login(person)
    page = client.get(PAGE).content.decode()
    assert "Set up two-factor authentication before you make an API token" in page
    assert 'value="create"' not in page
    assert reverse("mfa_activate_totp") in page

    response = client.post(PAGE, {"action": "create"}, follow=True)
    assert not Token.objects.filter(user=person).exists()
    assert "Set up two-factor authentication before you make an API token" in (
        response.content.decode()
    )
    with pytest.raises(TransitionError, match="two-factor"):
        api_token_create(user=person)
    assert mail.outbox == []


def test_staff_with_two_factor_make_a_token_as_anyone_does(client):
    person = StaffFactory()
    client.force_login(person)
    assert 'value="create"' in client.get(PAGE).content.decode()
    client.post(PAGE, {"action": "create"})
    assert Token.objects.filter(user=person).exists()


# --- expiry -------------------------------------------------------------------------------------


def age(token, days):
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=days))


def test_a_token_expires_after_the_configured_days(resident, settings):
    assert settings.API_TOKEN_EXPIRY_DAYS == 90
    client = token_client(resident)
    token = Token.objects.get(user=resident)
    age(token, 89)
    assert client.get(NEEDS).status_code == 200
    age(token, 90)
    response = client.get(NEEDS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    detail = response.json()["detail"]
    assert detail.startswith("This API token expired on ") and "Make a new one" in detail
    settings.API_TOKEN_EXPIRY_DAYS = 365
    assert client.get(NEEDS).status_code == 200


def test_the_account_page_shows_when_the_token_expires(client, resident, settings):
    settings.API_TOKEN_EXPIRY_DAYS = 30
    client.force_login(resident)
    client.post(PAGE, {"action": "create"})
    token = Token.objects.get(user=resident)
    expires = timezone.localtime(token.created + datetime.timedelta(days=30))
    page = client.get(PAGE).content.decode()
    assert f"{expires:%-d %B %Y}" in page and "Expires" in page
    age(token, 31)
    page = client.get(PAGE).content.decode()
    assert "Expired on" in page and "it no longer works" in page


# --- throttling -----------------------------------------------------------------------------


def test_signed_in_callers_are_limited_per_user(throttle_rates, resident, other_resident):
    throttle_rates(user="3/minute")
    client = token_client(resident)
    assert [client.get(NEEDS).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(NEEDS)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0
    # Another person from the same address has their own allowance.
    assert token_client(other_resident).get(NEEDS).status_code == 200


def test_anonymous_callers_are_limited_per_ip_address(throttle_rates, api):
    throttle_rates(anon="2/minute")
    here = {"REMOTE_ADDR": "192.0.2.1"}
    assert [api.get("/api/v1/categories/", **here).status_code for _ in range(2)] == [200, 200]
    assert api.get("/api/v1/categories/", **here).status_code == 429
    # A forged X-Forwarded-For does not buy a fresh allowance (no trusted proxies by default).
    spoofed = {**here, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert api.get("/api/v1/categories/", **spoofed).status_code == 429
    assert api.get("/api/v1/categories/", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_the_default_rates_are_generous_and_come_from_settings(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"anon": "60/minute", "user": "600/minute"}


def test_a_malformed_rate_fails_loudly():
    from django.core.exceptions import ImproperlyConfigured

    from matchmaking.api.throttles import check_rate

    with pytest.raises(ImproperlyConfigured):
        check_rate("user", "lots")
    check_rate("user", "10/second")
    check_rate("user", None)
