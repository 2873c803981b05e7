"""Staff see why a provider is out of matching: their own pause, with the reason they gave."""

import pytest
from django.urls import reverse

from accounts import pausing

pytestmark = pytest.mark.django_db


def change_page(ward):
    return reverse("admin:accounts_providerprofile_change", args=[ward.provider.pk])


@pytest.fixture
def paused(ward_a):
    provider = ward_a.provider
    provider.status = "active"
    provider.save()
    pausing.provider_pause(provider=provider, actor=provider.user, reason="On holiday until May")
    return provider


def test_staff_in_the_area_see_the_pause_and_its_reason(as_user, ward_a, staff_a, paused):
    html = as_user(staff_a).get(change_page(ward_a)).content.decode()
    assert "Paused by the provider" in html
    assert "On holiday until May" in html


def test_staff_of_another_area_cannot_see_the_provider(as_user, ward_a, ward_b, staff_b, paused):
    response = as_user(staff_b).get(change_page(ward_a))
    assert response.status_code in (302, 404)
    assert "On holiday until May" not in response.content.decode()


def test_the_providers_list_can_be_filtered_to_paused(as_user, ward_a, staff_a, paused):
    url = reverse("admin:accounts_providerprofile_changelist") + "?status__exact=paused"
    html = as_user(staff_a).get(url).content.decode()
    assert str(paused.user) in html
