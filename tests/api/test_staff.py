"""Council staff endpoints: needs, providers and matches in the staff member's areas only
(matchmaking.scoping, as in the admin); anyone else's is a 404, and non-staff get a 403."""

import pytest

from matchmaking.constants import MatchStatus
from tests.api.conftest import ADDRESS
from tests.factories import NeedFactory, PostcodeFactory, StaffFactory
from tests.matching import make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(need, provider, postcode, other_area):
    """A need, match and provider in `area`, and the same in `other_area`."""
    match = make_match(need, provider, MatchStatus.OFFERED)
    provider.home_postcode = postcode.code
    provider.save()
    far_need = NeedFactory(area=other_area)
    from tests.matching import eligible_cook

    far_postcode = PostcodeFactory(code="RV2 3CD", area=other_area)
    far_provider = eligible_cook(far_need, home_postcode=far_postcode.code)
    far_match = make_match(far_need, far_provider, MatchStatus.OFFERED)
    return {
        "needs": (need.reference, far_need.reference),
        "matches": (match.pk, far_match.pk),
        "providers": (provider.pk, far_provider.pk),
    }


KEYS = {"needs": "reference", "matches": "id", "providers": "id"}


@pytest.mark.parametrize("kind", ["needs", "matches", "providers"])
def test_staff_see_their_areas_only(world, staff, other_staff, as_user, kind):
    here, there = world[kind]
    url = f"/api/v1/staff/{kind}/"
    for user, mine, theirs in ((staff, here, there), (other_staff, there, here)):
        client = as_user(user)
        listed = [row[KEYS[kind]] for row in client.get(url).json()["results"]]
        assert listed == [mine]
        assert client.get(f"{url}{mine}/").status_code == 200
        assert client.get(f"{url}{theirs}/").status_code == 404


@pytest.mark.parametrize("kind", ["needs", "matches", "providers"])
def test_residents_and_providers_cannot_use_the_staff_endpoints(
    world, need, provider, as_user, api, kind
):
    url = f"/api/v1/staff/{kind}/"
    for user in (need.requested_by, provider.user):
        response = as_user(user).get(url)
        assert response.status_code == 403
        assert response.json() == {"detail": "Only council staff can use this endpoint."}
    assert api.get(url).status_code == 401


def test_staff_without_an_area_see_nothing(world, as_user):
    client = as_user(StaffFactory())
    for kind in ("needs", "matches", "providers"):
        assert client.get(f"/api/v1/staff/{kind}/").json()["count"] == 0


def test_staff_see_the_contact_details_of_needs_in_their_area(world, need, staff, as_user):
    body = as_user(staff).get(f"/api/v1/staff/needs/{need.reference}/").json()
    assert body["address"] == ADDRESS and body["requested_by"] == need.requested_by.email


def test_staff_lists_filter_like_the_others(world, staff, as_user, area):
    client = as_user(staff)
    assert client.get("/api/v1/staff/needs/", {"status": "withdrawn"}).json()["count"] == 0
    assert client.get("/api/v1/staff/matches/", {"status": "offered"}).json()["count"] == 1
    assert client.get("/api/v1/staff/providers/", {"area": area.code}).json()["count"] == 1
    assert client.get("/api/v1/staff/providers/", {"area": "E05999999"}).json()["count"] == 0
    assert (
        client.get("/api/v1/staff/providers/", {"status": "active", "kind": "cook"}).json()["count"]
        == 1
    )
