"""Resident and provider of an active match exchange messages in its conversation without
either phone number being shown; the resident then chooses to share hers."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matchmaking import conversations
from matchmaking.constants import MatchStatus
from tests.e2e.helpers import sign_in
from tests.factories import NeedFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT_PHONE = "07700 900456"
PROVIDER_PHONE = "07700 900321"


def test_resident_and_provider_talk_without_swapping_numbers(new_page):
    resident = UserFactory(first_name="Rose", phone=RESIDENT_PHONE)
    need = NeedFactory(
        requested_by=resident,
        phone=RESIDENT_PHONE,
        on_date=timezone.localdate() + datetime.timedelta(days=2),
    )
    cook = eligible_cook(need, user=UserFactory(first_name="Carlos", phone=PROVIDER_PHONE))
    match = make_match(need, cook, MatchStatus.ACTIVE, confirmed_at=timezone.now())

    as_resident = new_page()
    as_provider = new_page()
    sign_in(as_resident, resident)
    sign_in(as_provider, cook.user)

    as_resident.goto(f"/matches/{match.pk}/")
    as_resident.get_by_role("link", name="Messages").click()
    expect(as_resident.get_by_role("heading", level=1)).to_have_text("Messages with Carlos")
    as_resident.get_by_label("Your message").fill("Hello Carlos, the side gate is open.")
    as_resident.get_by_role("button", name="Send message").click()
    expect(as_resident.get_by_text("Message sent.")).to_be_visible()

    as_provider.goto("/notifications/")
    as_provider.get_by_role("link", name="Rose sent you a message").click()
    expect(as_provider.get_by_text("Hello Carlos, the side gate is open.")).to_be_visible()
    as_provider.get_by_label("Your message").fill("Thank you, see you at noon.")
    as_provider.get_by_role("button", name="Send message").click()

    as_resident.reload()
    expect(as_resident.get_by_text("Thank you, see you at noon.")).to_be_visible()
    for page in (as_resident, as_provider):
        for phone in (RESIDENT_PHONE, PROVIDER_PHONE):
            expect(page.get_by_text(phone)).to_have_count(0)
    as_provider.goto(f"/help-requests/{match.pk}/")
    expect(as_provider.get_by_text(RESIDENT_PHONE)).to_have_count(0)

    # Rose decides Carlos may have her number.
    as_resident.get_by_role("button", name="Share my phone number and email with Carlos").click()
    expect(as_resident.get_by_text("are now shown to the other person")).to_be_visible()
    as_provider.reload()
    expect(as_provider.get_by_text(RESIDENT_PHONE)).to_be_visible()
    as_resident.goto(f"/matches/{match.pk}/")
    expect(as_resident.get_by_text(PROVIDER_PHONE)).to_have_count(0)


def test_the_conversation_fits_a_320_pixel_screen(page):
    need = NeedFactory(on_date=timezone.localdate() + datetime.timedelta(days=2))
    cook = eligible_cook(need)
    match = make_match(need, cook, MatchStatus.ACTIVE, confirmed_at=timezone.now())
    conversations.message_post(match=match, actor=cook.user, body="https://" + "x" * 300)
    sign_in(page, need.requested_by)
    # Signed in at desktop width first: at phone width the header's links fold into "Menu".
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/matches/{match.pk}/conversation/")
    page.get_by_role("heading", level=1).wait_for()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
