"""Staff see a provider's dates away on the provider's page, in their own areas only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import TimeAway

pytestmark = pytest.mark.django_db


def change_page(ward):
    return reverse("admin:accounts_providerprofile_change", args=[ward.provider.pk])


@pytest.fixture
def away(ward_a):
    first = timezone.localdate() + datetime.timedelta(days=4)
    return TimeAway.objects.create(
        provider=ward_a.provider,
        starts_on=first,
        ends_on=first + datetime.timedelta(days=6),
        note="Visiting my sister",
    )


def test_staff_in_the_area_see_the_dates_away(as_user, ward_a, staff_a, away):
    html = as_user(staff_a).get(change_page(ward_a)).content.decode()
    assert "Dates away" in html
    assert "Visiting my sister" in html
    assert away.starts_on.strftime("%-d %B %Y").replace(" 0", " ") in html or (
        f"{away.starts_on:%b. %-d, %Y}" in html or f"{away.starts_on:%B %-d, %Y}" in html
    )


def test_staff_of_another_area_do_not(as_user, ward_a, staff_b, away):
    response = as_user(staff_b).get(change_page(ward_a))
    assert response.status_code in (302, 404)
    assert "Visiting my sister" not in response.content.decode()
