"""Council staff endpoints: needs, providers and matches in the staff member's areas only
(matchmaking.scoping, as in the admin); anyone else's is a 404, and non-staff get a 403."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.constants import COMMISSIONERS_GROUP
from accounts.models import Check, ProviderProfile
from accounts.two_factor import lacks_two_factor
from matchmaking.constants import MatchStatus
from matchmaking.scoping import grant_area
from services.models import Need
from tests.api.conftest import ADDRESS, token_client
from tests.factories import CommissionerFactory, NeedFactory, PostcodeFactory, StaffFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(need, provider, postcode, other_area):
    """A need, match and provider in `area`, and the same in `other_area`."""
    match = make_match(need, provider, MatchStatus.OFFERED)
    provider.home_postcode = postcode.code
    provider.save()
    far_need = NeedFactory(area=other_area)
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


# --- two-factor authentication ------------------------------------------------------------------


@pytest.fixture
def staff_without_two_factor(area):

    user = StaffFactory(two_factor=False)
    grant_area(user, area)
    return user


TWO_FACTOR_REFUSAL = {
    "detail": "Set up two-factor authentication on your account before you use the staff API."
}


@pytest.mark.parametrize("kind", ["needs", "matches", "providers"])
def test_staff_without_two_factor_are_refused_by_token_and_by_session(
    world, need, staff_without_two_factor, kind
):
    """The defect: a password-only staff account read names, addresses and phone numbers."""

    # A token made before the rule (the account page no longer makes one for them).
    token = Token.objects.create(user=staff_without_two_factor)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    by_session = APIClient()
    by_session.force_login(staff_without_two_factor)
    key = {"needs": need.reference, "matches": world["matches"][0]}.get(kind, world["providers"][0])
    for client in (by_token, by_session):
        for url in (f"/api/v1/staff/{kind}/", f"/api/v1/staff/{kind}/{key}/"):
            response = client.get(url)
            assert response.status_code == 403, url
            assert response.json() == TWO_FACTOR_REFUSAL
            assert ADDRESS not in response.content.decode()


def test_staff_in_the_commissioners_group_need_two_factor_too(world, as_user):

    commissioner = CommissionerFactory(two_factor=False)
    assert commissioner.in_group(COMMISSIONERS_GROUP) and commissioner.is_staff
    response = as_user(commissioner).get("/api/v1/staff/needs/")
    assert response.status_code == 403 and response.json() == TWO_FACTOR_REFUSAL


def test_staff_with_two_factor_are_let_in(world, staff, as_user):

    assert not lacks_two_factor(staff)
    assert as_user(staff).get("/api/v1/staff/needs/").status_code == 200


def test_the_admin_and_the_staff_api_share_one_two_factor_rule(
    client, staff_without_two_factor, monkeypatch
):
    """Switch the rule off in one place and both let the person in: there is no second rule."""

    client.force_login(staff_without_two_factor)
    api = APIClient()
    api.force_login(staff_without_two_factor)
    assert client.get(reverse("admin:index")).status_code == 302
    assert api.get("/api/v1/staff/needs/").status_code == 403
    monkeypatch.setattr("accounts.two_factor.is_mfa_enabled", lambda user, types=None: True)
    assert client.get(reverse("admin:index")).status_code == 200
    assert api.get("/api/v1/staff/needs/").status_code == 200


# --- access log ----------------------------------------------------------------------------------


def accesses(model, obj=None):

    entries = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, content_type=ContentType.objects.get_for_model(model)
    )
    return entries.filter(object_id=obj.pk) if obj is not None else entries


def test_reading_a_need_over_the_staff_api_records_who_looked(world, need, staff):
    """The same ACCESS entry as the admin's need page writes: who and when, not the data,
    with the token's owner as the actor (the audit middleware knows only sessions)."""

    client = token_client(staff)
    assert client.get(f"/api/v1/staff/needs/{need.reference}/").status_code == 200
    entry = accesses(Need, need).get()
    assert entry.actor == staff
    assert need.address not in str(entry.changes)
    assert client.get("/api/v1/staff/needs/").json()["count"] == 1
    assert accesses(Need, need).count() == 2  # the list shows the address too


def test_reading_a_provider_records_the_profile_and_each_check(world, provider, staff, as_user):

    checks = list(provider.checks.all())
    assert checks
    as_user(staff).get(f"/api/v1/staff/providers/{provider.pk}/")
    assert accesses(ProviderProfile, provider).get().actor == staff
    for check in checks:
        assert accesses(Check, check).get().actor == staff
    as_user(staff).get("/api/v1/staff/providers/")
    assert accesses(ProviderProfile, provider).count() == 2


def test_a_staff_read_refused_or_outside_the_area_records_nothing(
    world, need, staff_without_two_factor, other_staff, as_user
):

    as_user(staff_without_two_factor).get(f"/api/v1/staff/needs/{need.reference}/")
    assert as_user(other_staff).get(f"/api/v1/staff/needs/{need.reference}/").status_code == 404
    as_user(other_staff).get("/api/v1/staff/needs/", {"area": "E05000101"})
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_staff_answers_are_never_stored_by_a_browser_or_proxy(world, need, staff):

    response = token_client(staff).get(f"/api/v1/staff/needs/{need.reference}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
