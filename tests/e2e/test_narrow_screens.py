"""Phone widths: the lists residents and providers use most never scroll sideways.

At 375 px "Your requests" was 430 px wide (its table's status tags were cut off); the lists
are GOV.UK summary cards now, which stack.
"""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from matchmaking.constants import MatchStatus
from matchmaking.scoping import grant_area
from services.constants import NeedStatus
from tests.e2e.helpers import sign_in
from tests.e2e.test_staff_vetting_journey import current_code
from tests.factories import PASSWORD, AreaFactory, NeedFactory, StaffFactory, UserFactory, category
from tests.matching import eligible_cook, make_match
from tests.provider_factories import ProviderProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 375


def page_width(page):
    return page.evaluate("document.scrollingElement.scrollWidth")


def on_a_phone(page):
    # Signed in at desktop width first: at phone width the header's links fold into "Menu".
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})


def test_your_requests_fits_a_phone(page):
    resident = UserFactory(first_name="Rose")
    # Every status: the longest tags ("Looking for a helper") pushed the table past 375 px.
    for days, status in enumerate(NeedStatus.values):
        NeedFactory(
            requested_by=resident,
            resident=resident,
            status=status,
            category=category("personal-care" if days % 2 else "meals"),
            on_date=datetime.date.today() + datetime.timedelta(days=days + 1),
        )
    sign_in(page, resident)
    on_a_phone(page)
    page.goto("/requests/")
    page.get_by_role("heading", name="Your requests").wait_for()
    assert page_width(page) <= PHONE_WIDTH


def test_help_requests_fit_a_phone(page):
    need = NeedFactory(status=NeedStatus.OPEN)
    provider = eligible_cook(need)
    make_match(need, provider, MatchStatus.OFFERED)
    make_match(NeedFactory(), provider, MatchStatus.ACTIVE)
    make_match(NeedFactory(), provider, MatchStatus.COMPLETED)
    sign_in(page, provider.user)
    on_a_phone(page)
    page.goto("/help-requests/")
    page.get_by_role("heading", level=1).wait_for()
    assert page_width(page) <= PHONE_WIDTH


def test_resident_and_provider_pages_fit_the_narrowest_phone(page, new_page):
    # The design's floor: pages work at 320 px without sideways scrolling.
    narrowest = 320
    need = NeedFactory(status=NeedStatus.MATCHED)
    provider = eligible_cook(need)
    match = make_match(need, provider, MatchStatus.ACTIVE)
    too_wide = []

    def check(person_page, paths):
        person_page.set_viewport_size({"width": narrowest, "height": 740})
        for path in paths:
            person_page.goto(path)
            width = page_width(person_page)
            if width > narrowest:
                too_wide.append(f"{path}: {width} px")

    sign_in(page, need.requested_by)
    check(
        page,
        [
            "/requests/",
            f"/requests/{need.reference}/",
            f"/matches/{match.pk}/",
            "/account/your-details/",
            "/notifications/",
        ],
    )
    as_provider = new_page()
    sign_in(as_provider, provider.user)
    check(
        as_provider,
        ["/help-requests/", f"/help-requests/{match.pk}/", "/provide/", "/provide/pause/"],
    )
    assert too_wide == []


def test_the_admin_need_page_fits_a_phone(page):
    # Staff answer the phone away from a desk too: the change page of a request, with its
    # suggested providers (score bars) and excluded ones, at 375 px was 743 px wide.
    ward = AreaFactory(name="Northgate")
    need = NeedFactory(area=ward, status=NeedStatus.OPEN, details="A hot lunch " * 30)
    eligible_cook(need)  # ranked, with the parts of its score
    ProviderProfileFactory(active=True, skills=[category("meals")])  # excluded, with a reason
    officer = StaffFactory(two_factor=False)
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)
    grant_area(officer, ward)

    page.goto("/admin/")
    page.get_by_label("Email").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("input[name=code]").press("Enter")
    page.locator("#user-tools").wait_for()

    on_a_phone(page)
    page.goto(f"/admin/services/need/{need.pk}/change/")
    page.get_by_role("heading", name="Suggested providers").wait_for()
    assert page_width(page) <= PHONE_WIDTH, wider_than_the_phone(page)


def wider_than_the_phone(page):
    """What sticks out, for the failure message."""
    return page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .slice(0, 12)
            .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}#${e.id} `
                      + Math.round(e.getBoundingClientRect().right))""",
        PHONE_WIDTH,
    )
