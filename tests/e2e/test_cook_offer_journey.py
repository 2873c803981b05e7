"""A new home cook's extra portions reach a neighbour who asked to hear of offers.

The cook signs up with a name, offers help, uploads a food hygiene certificate and is vetted
(the council's side of vetting is its own journey, test_staff_vetting_journey.py: here staff's
decisions are made through the same service functions their pages call); posts two extra
portions; a resident who opted in to meal offers says yes first; each then sees the other's
first name, and the cook sees the address.
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts import vetting
from accounts.constants import CheckKind, CheckStatus
from accounts.models import Check, ProviderProfile, User
from matchmaking.constants import MatchStatus
from matchmaking.models import Match
from services.constants import OfferStatus
from services.models import Offer
from tests.accounts.document_files import (
    pdf_bytes,
    private_media_fixture,  # noqa: F401 (the private_media fixture)
)
from tests.e2e.helpers import sign_in
from tests.factories import StaffFactory, UserFactory
from tests.provider_factories import AreaFactory, PostcodeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COOK_EMAIL = "cara.jones@example.org"
COOK_PASSWORD = "a pot of soup on the stove"


@pytest.fixture
def places():
    area = AreaFactory(name="Northgate")
    cook_home = PostcodeFactory(code="RV1 1AA", area=area)
    # About half a kilometre north of the cook.
    neighbour = PostcodeFactory(code="RV1 2AB", area=area, latitude=cook_home.latitude + 0.0045)
    return cook_home, neighbour


def continue_(page):
    page.get_by_role("button", name="Continue").click()


def sign_up_as_a_cook(page):
    page.goto("/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Full name").fill("Cara Jones")
    page.get_by_label("What should we call you?").fill("Cara")
    page.get_by_label("Email").fill(COOK_EMAIL)
    page.get_by_label("Password", exact=True).fill(COOK_PASSWORD)
    page.get_by_label("Password (again)").fill(COOK_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()

    page.goto("/provide/offer-help/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Home cook").check()
    continue_(page)
    page.get_by_label("A hot meal").check()
    continue_(page)
    # The first window of the day (a day may have more than one).
    page.locator("#id_thursday_from").fill("17:00")
    page.locator("#id_thursday_to").fill("19:00")
    continue_(page)
    page.get_by_label("Your home postcode").fill("RV1 1AA")
    page.get_by_label("How far can you travel").fill("3")
    continue_(page)
    page.get_by_label("How many people could you help").fill("2")
    page.get_by_label("English").check()
    continue_(page)
    page.get_by_label("Tell residents a little about yourself").fill("I cook most evenings.")
    continue_(page)
    page.get_by_role("button", name="Accept and apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your helper dashboard")


def upload_food_hygiene_certificate(page, tmp_path):
    page.goto("/provide/documents/")
    page.get_by_role("link", name="Upload your food hygiene certificate").click()
    certificate = tmp_path / "food-hygiene.pdf"
    certificate.write_bytes(pdf_bytes())
    page.get_by_label("Upload the certificate").set_input_files(certificate)
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("The council will check it").wait_for()


def council_vets(cook):
    """What staff do on their vetting pages (their own journey is tested elsewhere)."""
    staff = StaffFactory()
    in_a_year = timezone.localdate() + datetime.timedelta(days=365)
    food = Check.objects.get(provider=cook, kind=CheckKind.FOOD_HYGIENE)
    assert food.documents.exists() and food.status == CheckStatus.PENDING
    vetting.check_verify(check=food, actor=staff, expires_at=in_a_year)
    dbs = vetting.check_record(provider=cook, kind=CheckKind.DBS_BASIC, actor=staff)
    vetting.check_verify(check=dbs, actor=staff, expires_at=in_a_year)
    vetting.provider_set_status(profile=cook, action="activate", actor=staff)


def post_two_extra_portions(page):
    page.goto("/provide/offers/new/")
    page.get_by_label("A hot meal").check()
    page.get_by_label("Describe your offer").fill("Two extra portions of lentil soup")
    page.get_by_label("How many portions?").fill("2")
    page.get_by_label("Dietary information").fill("Vegan")
    page.get_by_label("Date").fill((timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    page.get_by_label("From").fill("18:00")
    page.get_by_label("To", exact=True).fill("19:30")
    page.get_by_label("How far will you take it").fill("2")
    page.get_by_role("button", name="Post offer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your offer has been posted")


def opt_in_to_meal_offers(page, resident):
    sign_in(page, resident)
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Offers near you").click()
    page.get_by_label("A hot meal").check()
    page.get_by_label("Postcode").fill("RV1 2AB")
    page.get_by_label("Address").fill("4 Mill Lane\nRiverside")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("We will tell you about offers near you.")


def test_a_new_cooks_extra_portions_reach_a_neighbour_who_asked(
    new_page, places, tmp_path, private_media
):
    iris = UserFactory(first_name="Iris", full_name="Iris Walker", email="iris@example.org")
    resident_page = new_page()
    opt_in_to_meal_offers(resident_page, iris)
    # Someone who did not ask to hear of offers never hears of this one.
    bystander = UserFactory(first_name="Bob")

    cook_page = new_page()
    sign_up_as_a_cook(cook_page)
    cook = ProviderProfile.objects.get(user__email=COOK_EMAIL)
    upload_food_hygiene_certificate(cook_page, tmp_path)
    council_vets(cook)
    post_two_extra_portions(cook_page)

    # Iris is told, and says yes.
    resident_page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(resident_page.locator("main")).to_contain_text("Cara is offering Two extra portions")
    resident_page.goto("/account/offers-near-you/")
    resident_page.get_by_role("link", name="Two extra portions of lentil soup from Cara").click()
    expect(resident_page.get_by_role("heading", level=1)).to_have_text(
        "Two extra portions of lentil soup"
    )
    resident_page.get_by_role("button", name="Yes please").click()
    expect(resident_page.get_by_role("heading", level=1)).to_contain_text("Cara")
    expect(resident_page.locator("main")).to_contain_text("It is yours")

    offer = Offer.objects.get()
    match = Match.objects.get(provider=cook)
    assert offer.status == OfferStatus.TAKEN and match.status == MatchStatus.ACTIVE
    assert match.visits.count() == 1
    assert not User.objects.get(pk=bystander.pk).offer_proposals.exists()

    # Cara sees who took it, by first name, and where to bring it.
    cook_page.goto("/notifications/")
    expect(cook_page.locator("main")).to_contain_text("Iris confirmed")
    cook_page.goto(f"/help-requests/{match.pk}/")
    expect(cook_page.locator("main")).to_contain_text("Iris")
    expect(cook_page.locator("main")).to_contain_text("4 Mill Lane")


def test_the_offer_pages_fit_a_phone_and_have_no_serious_accessibility_violations(page, places):
    from axe_playwright_python.sync_playwright import Axe

    from matchmaking import offer_proposals
    from tests.factories import category
    from tests.matchmaking.test_offer_proposals import cook, offer_for

    resident = UserFactory(first_name="Iris")
    offer_proposals.offer_alerts_set(
        user=resident, categories=[category()], postcode=places[1], address="4 Mill Lane"
    )
    (proposal,) = offer_proposals.offer_propose(offer=offer_for(cook()))
    sign_in(page, resident)
    page.set_viewport_size({"width": 320, "height": 700})
    found = []
    for path in ["/account/offers-near-you/", f"/offers-for-you/{proposal.pk}/"]:
        page.goto(path)
        page.get_by_role("heading", level=1).wait_for()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 320, path
        found += [
            f"{path}: {violation['id']}"
            for violation in Axe().run(page).response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
    # The opt-in form with its errors showing.
    page.goto("/account/offers-near-you/")
    page.get_by_label("A hot meal").uncheck()
    page.get_by_label("Companionship").check()
    page.get_by_label("Postcode").fill("")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("There is a problem").wait_for()
    found += [
        f"errors: {violation['id']}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert found == []
