"""Staff see a provider's one-off offer and whom it was put to, only in their own areas."""

import pytest
from django.urls import reverse

from matchmaking import offer_proposals
from tests.factories import PostcodeFactory, UserFactory, category
from tests.provider_factories import CheckFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer_in_a(ward_a):
    """Ward A's provider, vetted, offers meals; two neighbours asked to hear of offers."""
    provider = ward_a.provider
    provider.status = "active"
    provider.save()
    ward_a.check.delete()  # its pending DBS check, replaced by verified ones
    for kind in ("food_hygiene", "dbs_basic"):
        CheckFactory(provider=provider, kind=kind, verified=True)
    near = PostcodeFactory(code="RV1 3AB", area=ward_a.area, latitude=provider.latitude + 0.002)
    neighbours = [
        UserFactory(first_name=name, email=f"{name.lower()}@example.org")
        for name in ("Iris", "Omar")
    ]
    for user in neighbours:
        offer_proposals.offer_alerts_set(
            user=user, categories=[category()], postcode=near, address="8 Quay Street"
        )
    offer = OfferFactory(provider=provider, description="Two portions of dal")
    offer_proposals.offer_propose(offer=offer)
    return offer


def test_staff_of_the_area_see_whom_the_offer_was_put_to(as_user, offer_in_a, staff_a):
    page = (
        as_user(staff_a)
        .get(reverse("admin:services_offer_change", args=[offer_in_a.pk]))
        .content.decode()
    )
    assert "Two portions of dal" in page
    assert "Iris" in page and "Omar" in page
    assert "Asked to hear of offers" in page
    assert "Waiting for an answer" in page


def test_staff_of_another_area_do_not_find_the_offer(as_user, offer_in_a, ward_b, staff_b):
    client = as_user(staff_b)
    listing = client.get(reverse("admin:services_offer_changelist")).content.decode()
    assert "Two portions of dal" not in listing
    response = client.get(reverse("admin:services_offer_change", args=[offer_in_a.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert "Iris" not in response.content.decode()


def test_the_offer_list_names_the_offer_for_its_staff(as_user, offer_in_a, staff_a):
    listing = as_user(staff_a).get(reverse("admin:services_offer_changelist")).content.decode()
    assert "Two portions of dal" in listing
