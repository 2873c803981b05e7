"""Resident asks for help → provider accepts the offer → resident confirms →
the provider sees the address (phone numbers stay private until shared, see
test_conversation_journey.py) → the provider marks it done."""

import datetime

import pytest
from playwright.sync_api import expect

from matchmaking.constants import MatchStatus
from matchmaking.models import Match
from services.models import Need
from tests.e2e.helpers import sign_in
from tests.e2e.test_request_help_journey import request_help
from tests.factories import PostcodeFactory, ProgrammeFactory, UserFactory, category
from tests.matching import eligible_cook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_accept_confirm_and_complete(new_page):
    place = PostcodeFactory(code="RV1 2AB")
    ProgrammeFactory(categories=[category("meals")], areas=[place.area])
    resident = UserFactory(first_name="Rose")
    # An eligible cook near RV1 2AB; request_help asks for help two days from now.
    template_need = Need(
        latitude=place.latitude,
        longitude=place.longitude,
        category=category("meals"),
        on_date=datetime.date.today() + datetime.timedelta(days=2),
    )
    cook = eligible_cook(template_need)
    cook.user.first_name = "Carlos"
    cook.user.phone = "07700 900321"
    cook.user.save()

    as_resident = new_page()
    as_provider = new_page()

    sign_in(as_resident, resident)
    reference = request_help(as_resident)
    match = Match.objects.get(need__reference=reference)
    assert match.provider == cook and match.status == MatchStatus.OFFERED

    sign_in(as_provider, cook.user)
    as_provider.get_by_role("link", name="Help requests").click()
    as_provider.get_by_role("link", name="A hot meal for Rose").click()
    expect(as_provider.get_by_text("14 Willow Close")).to_have_count(0)
    as_provider.get_by_role("button", name="Accept – I can help").click()
    expect(as_provider.get_by_text("We have asked the resident to confirm")).to_be_visible()

    as_resident.goto(f"/requests/{reference}/")
    as_resident.get_by_role("link", name="Confirm or ask for someone else").click()
    expect(as_resident.get_by_role("heading", level=1)).to_have_text("Carlos can help")
    as_resident.get_by_role("button", name="Yes, Carlos can help").click()
    expect(as_resident.get_by_text("You can now send each other messages")).to_be_visible()
    expect(as_resident.get_by_text("07700 900321")).to_have_count(0)

    as_provider.reload()
    expect(as_provider.get_by_text("14 Willow Close")).to_be_visible()
    expect(as_provider.get_by_text("07700 900456")).to_have_count(0)
    expect(as_provider.get_by_role("button", name="Mark as done")).to_have_count(0)
    expect(
        as_provider.get_by_text("You can mark this as done once the help has started")
    ).to_be_visible()

    # The day comes and the meal is delivered.
    Need.objects.filter(reference=reference).update(
        on_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    as_provider.reload()
    as_provider.get_by_role("button", name="Mark as done").click()
    expect(as_provider.get_by_text("Marked as done")).to_be_visible()

    match.refresh_from_db()
    assert match.status == MatchStatus.COMPLETED
    as_resident.goto("/notifications/")
    expect(as_resident.get_by_text(f"Request {reference} was marked as done")).to_be_visible()
