import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from services.models import Need
from tests.e2e.helpers import sign_in
from tests.factories import PostcodeFactory, ProgrammeFactory, UserFactory, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def request_help(page, *, when=None):
    """Fill in every page of "Request help" for yourself; returns the reference shown."""
    when = when or timezone.localdate() + datetime.timedelta(days=2)
    page.goto("/")
    page.get_by_role("button", name="Request help").click()
    page.get_by_role("button", name="Start now").click()

    page.get_by_label("Me", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("A hot meal").check()
    page.get_by_label("Tell us a little more").fill("A hot lunch, please. No pork.")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Once, on a particular day").check()
    page.get_by_label("This week").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Date", exact=True).fill(when.isoformat())
    page.get_by_label("From", exact=True).fill("12:00")
    page.get_by_label("To", exact=True).fill("13:00")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Full name of the person who needs help").fill("Rose Turner")
    page.get_by_label("Postcode", exact=True).fill("rv1 2ab")
    page.get_by_label("Address", exact=True).fill("14 Willow Close")
    page.get_by_label("Phone number").fill("07700 900456")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("Dietary needs (optional)").fill("No pork")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your request"
    )
    expect(page.get_by_text("14 Willow Close")).to_be_visible()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    return page.locator(".govuk-panel__body strong").inner_text()


def test_a_resident_requests_help_and_sees_it_in_their_requests(page):
    place = PostcodeFactory(code="RV1 2AB")
    ProgrammeFactory(categories=[category("meals")], areas=[place.area])
    resident = UserFactory(first_name="Rose")
    sign_in(page, resident)

    # A mistake on the way is explained on the page and can be corrected.
    page.goto("/request-help/who/")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who needs help")

    reference = request_help(page)
    need = Need.objects.get()
    assert need.reference == reference and need.address == "14 Willow Close"
    assert any(reference in message.subject for message in mail.outbox)

    page.get_by_role("link", name="See your requests").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Withdraw this request").click()
    page.get_by_role("button", name="Withdraw request").click()
    expect(page.get_by_text(f"Request {reference} has been withdrawn")).to_be_visible()
