import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from matchmaking.models import Rating
from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD, NeedFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_both_sides_rate_after_the_help_is_given(new_page):
    need = NeedFactory(contact_name="Rose Turner")
    provider = eligible_cook(need)
    match = make_match(need, provider, "completed")

    as_provider = new_page()
    sign_in(as_provider, provider.user)
    as_provider.goto(f"/help-requests/{match.pk}/")
    as_provider.get_by_role("link", name="Rate this help").click()
    as_provider.get_by_label("5 – Excellent").check()
    as_provider.get_by_role("button", name="Save rating").click()
    expect(as_provider.get_by_text("Thank you for your rating")).to_be_visible()

    as_resident = new_page()
    sign_in(as_resident, need.requested_by)
    as_resident.goto(f"/matches/{match.pk}/")
    as_resident.get_by_role("link", name="Rate this help").click()
    as_resident.get_by_label("4 – Good").check()
    as_resident.get_by_label("Anything you would like to say? (optional)").fill("Lovely soup")
    as_resident.get_by_role("button", name="Save rating").click()
    expect(as_resident.get_by_text("Thank you for your rating")).to_be_visible()

    assert set(Rating.objects.values_list("rater_role", "score")) == {
        ("provider", 5),
        ("resident", 4),
    }
    provider.refresh_from_db()
    assert (provider.rating_count, provider.rating_sum) == (1, 4)


def test_a_resident_downloads_then_deletes_their_data(page):
    rose = UserFactory(email="rose.turner@example.org", first_name="Rose")
    NeedFactory(requested_by=rose, address="14 Willow Close")
    sign_in(page, rose)
    page.goto("/account/your-data/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == "rose.turner@example.org"
    assert data["needs"][0]["address"] == "14 Willow Close"

    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account has been deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert not User.objects.filter(email="rose.turner@example.org").exists()
