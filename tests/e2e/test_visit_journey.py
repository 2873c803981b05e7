"""In the browser: the helper marks today's visit done on "Your visits", then the resident
rates the help while the match goes on."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matchmaking.constants import VisitStatus
from matchmaking.models import Rating, Visit
from services.constants import NeedStatus
from tests.e2e.helpers import sign_in
from tests.factories import NeedFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_helper_marks_the_visit_done_and_the_resident_rates(new_page):
    need = NeedFactory(contact_name="Rose Turner", status=NeedStatus.MATCHED)
    provider = eligible_cook(need, user=UserFactory(first_name="Priya"))
    match = make_match(need, provider, "active")
    start = timezone.now() - datetime.timedelta(minutes=30)
    visit = Visit.objects.create(
        match=match, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )

    as_provider = new_page()
    sign_in(as_provider, provider.user)
    as_provider.get_by_role("link", name="Your visits").first.click()
    expect(as_provider.get_by_text("for Rose")).to_be_visible()
    as_provider.get_by_role("button", name="Mark as done").click()
    expect(as_provider.get_by_text("Marked as done. Thank you.")).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE

    as_resident = new_page()
    sign_in(as_resident, need.requested_by)
    as_resident.goto(f"/matches/{match.pk}/")
    as_resident.get_by_role("link", name="Rate this help").click()
    as_resident.get_by_label("5 – Excellent").check()
    as_resident.get_by_role("button", name="Save rating").click()
    expect(as_resident.get_by_text("Thank you for your rating")).to_be_visible()
    assert list(Rating.objects.values_list("rater_role", "score")) == [("resident", 5)]


def test_your_visits_and_the_calendar_link_fit_320_pixels(page):
    need = NeedFactory(contact_name="Rose Turner", status=NeedStatus.MATCHED)
    provider = eligible_cook(need)
    match = make_match(need, provider, "active")
    for days in (-8, -1, 1, 8):
        start = timezone.now() + datetime.timedelta(days=days)
        Visit.objects.create(
            match=match, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
        )
    sign_in(page, provider.user)
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto("/visits/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    page.get_by_role("link", name="Make a private calendar link").click()
    page.get_by_role("button", name="Make a calendar link").click()
    expect(page.locator("#calendar-link")).to_contain_text("/calendar/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
