import datetime
import re
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts.models import ProviderProfile
from services.models import Offer
from tests.factories import PASSWORD, UserFactory
from tests.provider_factories import AreaFactory, PostcodeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def place(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return PostcodeFactory(code="RV1 1AA", area=AreaFactory(name="Northgate"))


def photo_file():
    out = BytesIO()
    Image.new("RGB", (1600, 1200), "teal").save(out, format="JPEG")
    return {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def continue_(page):
    page.get_by_role("button", name="Continue").click()


def test_offer_help_then_post_a_one_off_offer(page, place):
    user = UserFactory(email="cook@example.org")

    page.goto("/provide/offer-help/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offer help")
    page.get_by_role("button", name="Start now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What kind of helper are you?")
    page.get_by_label("Home cook").check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("What can you help with?")
    expect(page.get_by_label("Personal care")).to_have_count(0)
    page.get_by_label("A hot meal").check()
    page.get_by_label("Companionship").check()
    continue_(page)

    page.get_by_label("From on Thursday").fill("17:00")
    page.get_by_label("To on Thursday").fill("19:00")
    continue_(page)

    # A mistake first: the error summary says what to fix.
    page.get_by_label("Your home postcode").fill("RV8 8ZZ")
    page.get_by_label("How far can you travel").fill("2")
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("We cannot find RV8 8ZZ")
    page.get_by_label("Your home postcode").fill("rv1 1aa")
    continue_(page)

    page.get_by_label("How many people could you help").fill("2")
    page.get_by_label("English").check()
    page.get_by_label("Polish").check()
    continue_(page)

    page.get_by_label("Tell residents a little about yourself").fill("I cook most evenings.")
    page.get_by_label("A photo of you (optional)").set_input_files(photo_file())
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you apply")
    summary = page.locator("main")
    for text in ("Home cook", "A hot meal", "Thursday, 17:00 to 19:00", "RV1 1AA", "Polish"):
        expect(summary).to_contain_text(text)
    page.get_by_role("button", name="Accept and apply").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your helper dashboard")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Thank you for offering to help"
    )
    tasks = page.locator(".govuk-task-list")
    expect(tasks.first).to_contain_text("Food hygiene certificate (level 2)")
    expect(tasks.first).to_contain_text("Not started")
    expect(page.get_by_role("img", name="Your profile photo")).to_be_visible()
    profile = ProviderProfile.objects.get(user=user)
    assert profile.photo.name.startswith("providers/")

    page.get_by_role("button", name="Post an offer").click()
    page.get_by_label("A hot meal").check()
    page.get_by_label("Describe your offer").fill("Two extra portions of vegetable lasagne")
    page.get_by_label("How many portions?").fill("2")
    page.get_by_label("Dietary information").fill("Vegetarian")
    thursday = timezone.localdate() + datetime.timedelta(days=3)
    page.get_by_label("Date").fill(thursday.isoformat())
    page.get_by_label("From").fill("18:00")
    page.get_by_label("To", exact=True).fill("19:30")
    page.get_by_label("How far will you take it").fill("2")
    page.get_by_role("button", name="Post offer").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your offer has been posted")
    expect(page.get_by_role("table")).to_contain_text("Two extra portions of vegetable lasagne")
    expect(page).to_have_url(re.compile(r"/provide/offers/$"))
    offer = Offer.objects.get()
    assert (offer.provider, offer.portions, offer.on_date) == (profile, 2, thursday)
