"""The provider's own profile (GET, apply with POST, PATCH) and one-off offers."""

import datetime

import pytest
from django.utils import timezone

from accounts.constants import ProviderStatus
from accounts.models import ProviderProfile
from matchmaking.constants import MatchStatus
from services.constants import OfferStatus
from services.models import Offer
from tests.api.conftest import token_client
from tests.factories import UserFactory, category
from tests.matching import make_match
from tests.provider_factories import OfferFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/provider/me/"
OFFERS = "/api/v1/offers/"


def application(**changes):
    return {
        "kind": "cook",
        "skills": ["meals"],
        "availability": [{"weekday": 3, "starts_at": "17:00", "ends_at": "19:00"}],
        "home_postcode": "rv1 2ab",
        "travel_radius_km": 2.5,
        "capacity": 2,
        "languages": ["en", "pl"],
        "bio": "I cook a big pot most evenings.",
        **changes,
    }


# --- the profile ------------------------------------------------------------------------------


def test_a_resident_applies_to_help(resident, postcode, as_user):
    client = as_user(resident)
    assert client.get(ME).status_code == 404
    response = client.post(ME, application(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == ProviderStatus.APPLIED and body["skills"] == ["meals"]
    assert body["home_postcode"] == "RV1 2AB" and body["travel_radius_km"] == 2.5
    assert body["availability"] == [{"weekday": 3, "starts_at": "17:00", "ends_at": "19:00"}]
    assert client.get(ME).json() == body
    profile = ProviderProfile.objects.get(user=resident)
    assert resident.has_perm("accounts.change_providerprofile", profile)
    again = client.post(ME, application(), format="json")
    assert again.status_code == 400
    assert again.json()["detail"] == "You have already offered help."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "juggler"}, "kind", "Select what kind of helper you are"),
        ({"skills": []}, "skills", "Select at least one thing you can help with"),
        ({"skills": ["personal-care"]}, "skills", "A home cook cannot offer: Personal care"),
        ({"home_postcode": "nowhere"}, "home_postcode", "Enter a full postcode, like RV1 2AB"),
        (
            {"home_postcode": "RV1 9XX"},
            "home_postcode",
            "We cannot find RV1 9XX. Enter a postcode in Riverside",
        ),
        ({"travel_radius_km": 51}, "travel_radius_km", "The distance must be 50 km or less"),
        ({"travel_radius_km": 2.25}, "travel_radius_km", None),
        ({"capacity": 0}, "capacity", "You must be able to help at least 1 person"),
        ({"languages": ["xx"]}, "languages", None),
        ({"availability": []}, "availability", "Enter the times for at least one day"),
        ({"bio": ""}, "bio", "Tell residents a little about yourself"),
    ],
)
def test_applying_follows_the_web_rules(resident, postcode, as_user, changes, field, message):
    response = as_user(resident).post(ME, application(**changes), format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert not ProviderProfile.objects.filter(user=resident).exists()


def test_overlapping_availability_is_refused_by_the_write_function(resident, postcode, as_user):
    slots = [
        {"weekday": 1, "starts_at": "09:00", "ends_at": "12:00"},
        {"weekday": 1, "starts_at": "11:00", "ends_at": "13:00"},
    ]
    response = as_user(resident).post(ME, application(availability=slots), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "availability": [
            "The times on Tuesday overlap (09:00 to 12:00 and 11:00 to 13:00). Change one of them"
        ]
    }


def test_a_provider_changes_their_profile_and_availability(postcode, as_user):
    profile = ProviderProfileFactory(skills=[category("meals")])
    client = as_user(profile.user)
    slots = [{"weekday": 5, "starts_at": "10:00", "ends_at": "12:00"}]
    response = client.patch(
        ME, {"capacity": 3, "home_postcode": "RV1 2AB", "availability": slots}, format="json"
    )
    assert response.status_code == 200, response.json()
    profile.refresh_from_db()
    assert profile.capacity == 3 and profile.home_postcode == "RV1 2AB"
    assert [(a.weekday, a.starts_at.hour) for a in profile.availability.all()] == [(5, 10)]


def test_the_kind_of_helper_is_changed_by_the_council_only(as_user):
    profile = ProviderProfileFactory()
    response = as_user(profile.user).patch(ME, {"kind": "carer", "status": "active"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "kind": ["Unknown field: this request does not take it."],
        "status": ["Unknown field: this request does not take it."],
    }


def test_a_refused_change_changes_nothing(as_user):
    profile = ProviderProfileFactory(capacity=2)
    overlapping = [
        {"weekday": 1, "starts_at": "09:00", "ends_at": "12:00"},
        {"weekday": 1, "starts_at": "11:00", "ends_at": "13:00"},
    ]
    response = as_user(profile.user).patch(
        ME, {"capacity": 4, "availability": overlapping}, format="json"
    )
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.capacity == 2


def test_no_profile_is_a_404_for_patch_and_anonymous_is_a_401(resident, as_user, api):
    assert as_user(resident).patch(ME, {"capacity": 3}, format="json").status_code == 404
    assert api.get(ME).status_code == 401


def test_photo_urls_are_absolute_as_the_schema_says(as_user, staff, need, provider):
    """A partner app is not on our host: a path alone would not find the photo."""
    ProviderProfile.objects.filter(pk=provider.pk).update(photo="providers/abc123.jpg")
    photo = "http://testserver/media/providers/abc123.jpg"
    assert as_user(provider.user).get(ME).json()["photo"] == photo
    assert as_user(staff).get(f"/api/v1/staff/providers/{provider.pk}/").json()["photo"] == photo
    match = make_match(need, provider, MatchStatus.OFFERED)
    body = as_user(need.requested_by).get(f"/api/v1/matches/{match.pk}/").json()
    assert body["provider"]["photo"] == photo


# --- offers -----------------------------------------------------------------------------------


def offer(**changes):
    day = timezone.localdate() + datetime.timedelta(days=4)
    return {
        "category": "meals",
        "description": "Two extra portions of dal",
        "portions": 2,
        "dietary_notes": "Vegetarian",
        "on_date": day.isoformat(),
        "starts_at": "18:00",
        "ends_at": "19:30",
        "max_distance_km": 2,
        **changes,
    }


@pytest.fixture
def cook():
    return ProviderProfileFactory(active=True, skills=[category("meals")])


def test_a_provider_posts_lists_and_withdraws_an_offer(cook):
    client = token_client(cook.user)
    response = client.post(OFFERS, offer(), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == OfferStatus.OPEN and created["starts_at"] == "18:00"
    assert [row["id"] for row in client.get(OFFERS).json()["results"]] == [created["id"]]
    response = client.post(f"{OFFERS}{created['id']}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == OfferStatus.WITHDRAWN
    again = client.post(f"{OFFERS}{created['id']}/withdraw/")
    assert again.status_code == 400
    assert again.json() == {"detail": "This offer is withdrawn, so it cannot be withdrawn."}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"category": "personal-care"},
            "category",
            "Select something you have signed up to help with",
        ),
        ({"on_date": "2000-01-01"}, "on_date", "The date must be today or in the future"),
        ({"ends_at": "17:00"}, "ends_at", "The end time must be after the start time"),
        ({"portions": 21}, "portions", "Enter 20 portions or fewer"),
        ({"max_distance_km": 0.1}, "max_distance_km", "The distance must be 0.5 km or more"),
        ({"description": ""}, "description", "Describe your offer"),
    ],
)
def test_offers_follow_the_web_rules(cook, changes, field, message):
    response = token_client(cook.user).post(OFFERS, offer(**changes), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"] == {field: [message]}
    assert not Offer.objects.exists()


def test_an_offer_too_far_ahead_is_refused_by_offer_create(cook):
    day = timezone.localdate() + datetime.timedelta(days=91)
    response = token_client(cook.user).post(OFFERS, offer(on_date=day.isoformat()), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"on_date": ["The date must be within the next 90 days"]}


def test_only_providers_post_offers(resident, as_user):
    response = as_user(resident).post(OFFERS, offer(), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Offer help first: this needs a helper profile."}


def test_someone_elses_offer_is_404(cook, as_user):
    theirs = OfferFactory()
    client = as_user(cook.user)
    assert client.get(f"{OFFERS}{theirs.pk}/").status_code == 404
    assert client.post(f"{OFFERS}{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OfferStatus.OPEN
    assert as_user(UserFactory()).get(f"{OFFERS}{theirs.pk}/").status_code == 404


def test_offers_filter_by_status_category_and_date(cook, as_user):
    today = timezone.localdate()
    soon = OfferFactory(provider=cook, on_date=today + datetime.timedelta(days=1))
    later = OfferFactory(
        provider=cook, on_date=today + datetime.timedelta(days=9), status=OfferStatus.WITHDRAWN
    )
    client = as_user(cook.user)

    def ids(**query):
        return {row["id"] for row in client.get(OFFERS, query).json()["results"]}

    assert ids(status="open") == {soon.pk}
    assert ids(category="meals") == {soon.pk, later.pk}
    assert ids(on_or_after=(today + datetime.timedelta(days=2)).isoformat()) == {later.pk}
    assert ids(on_or_before=(today + datetime.timedelta(days=2)).isoformat()) == {soon.pk}
