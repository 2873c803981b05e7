"""A provider gives two times on one day and a week away, in a browser, at phone width."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import TimeAway
from tests.e2e.helpers import sign_in
from tests.factories import category
from tests.provider_factories import ProviderProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_adds_an_evening_window_and_dates_away_on_a_phone(page):
    provider = ProviderProfileFactory(skills=[category("meals")])
    sign_in(page, provider.user)
    page.set_viewport_size({"width": 375, "height": 740})

    page.goto("/provide/availability/")
    page.get_by_label("From on Monday").fill("08:00")
    page.get_by_label("To on Monday").fill("10:00")
    # The second window is folded away until asked for.
    expect(page.get_by_label("From, time 2 on Monday")).to_be_hidden()
    page.get_by_text("Add another time on Monday").click()
    page.get_by_label("From, time 2 on Monday").fill("09:30")
    page.get_by_label("To, time 2 on Monday").fill("11:00")
    page.get_by_role("button", name="Save changes").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "The times on Monday overlap (08:00 to 10:00 and 09:30 to 11:00)"
    )
    summary.get_by_role("link").click()
    expect(page.get_by_label("From, time 2 on Monday")).to_be_focused()
    page.get_by_label("From, time 2 on Monday").fill("17:00")
    page.get_by_label("To, time 2 on Monday").fill("19:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your availability has been updated.")).to_be_visible()
    assert [str(a) for a in provider.availability.all()] == [
        "Monday 08:00–10:00",
        "Monday 17:00–19:00",
    ]

    first = timezone.localdate() + datetime.timedelta(days=7)
    last = first + datetime.timedelta(days=6)
    page.goto("/provide/availability/")
    page.get_by_label("First day away").fill(first.isoformat())
    page.get_by_label("Last day away").fill(last.isoformat())
    page.get_by_label("Note (optional)").fill("Visiting family")
    page.get_by_role("button", name="Add dates away").click()
    expect(page.get_by_text(f"{first:%-d %B %Y} to {last:%-d %B %Y}").first).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375

    page.get_by_role("button", name="Remove dates away").click()
    expect(page.get_by_text("Your dates away have been removed.")).to_be_visible()
    assert not TimeAway.objects.exists()
