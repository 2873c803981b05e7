"""Choosing text messages in a browser at 320 px: the code goes through the real Notify
client to the fake Notify of tests/matchmaking/test_notify.py, and the person confirms it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from matchmaking.models import TextNumber
from tests.e2e.helpers import sign_in
from tests.factories import UserFactory
from tests.matchmaking.test_notify import code_in, fake_notify, texts_to  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_and_passes_axe(page):
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    serious = [
        violation["id"]
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_a_resident_confirms_their_number_on_a_small_phone(page, fake_notify):  # noqa: F811
    person = UserFactory()
    sign_in(page, person)
    # After signing in: at 320 px the header's links fold into its menu button.
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto("/account/text-messages/")
    fits_and_passes_axe(page)
    page.get_by_label("Text message", exact=True).check()
    page.get_by_label("UK mobile number").fill("07700 900123")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check your phone")).to_be_visible()
    fits_and_passes_axe(page)
    page.get_by_role("link", name="Not received a text message?").click()
    expect(page.get_by_role("heading", name="Resend the code")).to_be_visible()
    fits_and_passes_axe(page)
    page.go_back()
    code = code_in(texts_to(fake_notify, "+447700900123")[0])
    page.get_by_label("Text message code").fill(code)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_text("Your phone number is confirmed")).to_be_visible()
    assert TextNumber.objects.get(user=person).confirmed_at is not None
