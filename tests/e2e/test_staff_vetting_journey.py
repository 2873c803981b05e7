"""A ward officer signs in with two-factor authentication and vets a new provider."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from playwright.sync_api import expect

from accounts.models import Check
from matchmaking.scoping import grant_area
from tests.factories import PASSWORD, AreaFactory, PostcodeFactory, StaffFactory, category
from tests.provider_factories import CheckFactory, ProviderProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_staff_sign_in_with_two_factor_and_vet_a_new_provider(page):
    ward = AreaFactory(name="Northgate")
    PostcodeFactory(code="RV1 1AA", area=ward)
    officer = StaffFactory(email="officer@riverside.example.org", two_factor=False)
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)
    grant_area(officer, ward)
    provider = ProviderProfileFactory(home_postcode="RV1 1AA", skills=[category("companionship")])
    check = CheckFactory(provider=provider, kind="dbs_basic", reference="001234567890")

    page.goto("/admin/")
    page.get_by_label("Email").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # The second factor: the code from the officer's authenticator app.
    page.locator("input[name=code]").fill(current_code(secret))
    # Inside the page's main content: the header's language switch is a form button too.
    page.locator("#main-content form button[type=submit]").first.click()
    expect(page.get_by_role("link", name="Provider profiles")).to_be_visible()

    page.goto(f"/admin/accounts/check/{check.pk}/decide/")
    page.get_by_role("button", name="Verify this check").click()
    expect(page.locator(".messagelist")).to_contain_text("verified")

    page.goto("/admin/accounts/providerprofile/")
    page.locator(f"input[name=_selected_action][value='{provider.pk}']").check()
    page.locator("select[name=action]").select_option("activate_providers")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("activated")

    check = Check.objects.get(pk=check.pk)
    provider.refresh_from_db()
    assert (check.status, check.verified_by) == ("verified", officer)
    assert provider.status == "active"
