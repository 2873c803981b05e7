"""Matches over the API: each side sees its own, every lifecycle action, and contact
details only while the match is active."""

import datetime
import json

import pytest
from django.utils import timezone

from matchmaking.constants import MatchStatus
from services.constants import NeedStatus
from tests.api.conftest import ADDRESS, PHONE, SURNAME, token_client
from tests.matching import make_match

pytestmark = pytest.mark.django_db

URL = "/api/v1/matches/"
NOT_TEXT = "Give text here: a JSON string, in quotes."
ACTIONS = ["accept", "decline", "confirm", "ask-for-someone-else", "cancel", "complete"]


def detail(match, action=""):
    return f"{URL}{match.pk}/" + (f"{action}/" if action else "")


# --- who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        MatchStatus.PROPOSED,
        MatchStatus.OFFERED,
        MatchStatus.ACCEPTED,
        MatchStatus.DECLINED,
        MatchStatus.EXPIRED,
        MatchStatus.CANCELLED,
        MatchStatus.COMPLETED,
    ],
)
def test_the_provider_never_receives_the_address_unless_active(need, provider, status):
    match = make_match(need, provider, status)
    for url in (detail(match), URL):
        response = token_client(provider.user).get(url)
        assert response.status_code == 200
        raw = response.content.decode()
        for private in (ADDRESS, PHONE, SURNAME, need.postcode):
            assert private not in raw, (status, url, private)
    body = token_client(provider.user).get(detail(match)).json()
    assert body["side"] == "provider" and body["resident_contact"] is None
    assert body["need"]["first_name"] == "Rose"
    assert body["need"]["category"] == "meals" and body["distance_km"] == 1.2


def test_the_provider_receives_the_address_while_active(need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    body = token_client(provider.user).get(detail(match)).json()
    assert body["resident_contact"] == {
        "name": f"Rose {SURNAME}",
        "address": ADDRESS,
        "postcode": need.postcode,
        "phone": None,  # until the resident's side shares it (tests/api/test_conversations.py)
    }


def test_the_address_is_hidden_again_after_cancelling(need, provider, monkeypatch):
    monkeypatch.setattr("matchmaking.lifecycle.need_offer_next", lambda **kwargs: None)
    match = make_match(need, provider, MatchStatus.ACTIVE)
    response = token_client(need.requested_by).post(
        detail(match, "cancel"), {"reason": "Moving away"}, format="json"
    )
    assert response.status_code == 200, response.json()
    raw = token_client(provider.user).get(detail(match)).content.decode()
    assert ADDRESS not in raw and PHONE not in raw


@pytest.mark.parametrize("status", [MatchStatus.OFFERED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE])
def test_the_resident_sees_the_providers_contact_details_only_while_active(need, provider, status):
    match = make_match(need, provider, status)
    body = token_client(need.requested_by).get(detail(match)).json()
    assert body["side"] == "resident" and body["provider"]["first_name"] == "Priya"
    if status == MatchStatus.ACTIVE:
        # Name only: phone and email wait for the provider to share them.
        assert body["provider_contact"]["name"].startswith("Priya")
        assert body["provider_contact"]["phone"] is None
    else:
        assert body["provider_contact"] is None
        assert "07700 900999" not in json.dumps(body)
    assert body["resident_contact"] is None


def test_outsiders_get_404_on_the_match_and_every_action(
    need, provider, other_provider, other_resident, staff, other_staff, as_user, api
):
    match = make_match(need, provider, MatchStatus.OFFERED)
    for user in (other_provider.user, other_resident, staff, other_staff):
        client = as_user(user)
        assert client.get(detail(match)).status_code == 404
        assert match.pk not in [row["id"] for row in client.get(URL).json()["results"]]
        for action in ACTIONS:
            response = client.post(detail(match, action), {"reason": "x"}, format="json")
            assert response.status_code == 404, (user, action)
            assert response.json() == {"detail": "Not found."}
    assert api.get(detail(match)).status_code == 401
    match.refresh_from_db()
    assert match.status == MatchStatus.OFFERED


def test_matches_filter_by_side_status_category_area_need_and_date(
    need, provider, as_user, area, other_area
):
    from tests.factories import NeedFactory

    mine = make_match(need, provider, MatchStatus.OFFERED)
    # The provider also asked for help themselves once.
    own_need = NeedFactory(requested_by=provider.user, area=other_area)
    other_side = make_match(own_need, provider, MatchStatus.COMPLETED)
    client = as_user(provider.user)

    def ids(**query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {mine.pk, other_side.pk}
    assert ids(side="provider") == {mine.pk, other_side.pk}
    assert ids(side="resident") == {other_side.pk}
    assert ids(status="offered") == {mine.pk}
    assert ids(area=area.code) == {mine.pk}
    assert ids(need=need.reference) == {mine.pk}
    assert ids(category="personal-care") == set()
    assert ids(created_after="2000-01-01", created_before="2999-01-01") == {mine.pk, other_side.pk}
    assert client.get(URL, {"side": "both"}).status_code == 400


def test_listing_matches_costs_a_fixed_number_of_queries(
    need, provider, as_user, django_assert_max_num_queries
):
    from tests.factories import NeedFactory

    for _ in range(5):
        make_match(NeedFactory(area=need.area), provider, MatchStatus.OFFERED)
    # The count, the page of matches with need, category, provider and user, their slots.
    with django_assert_max_num_queries(3):
        response = as_user(provider.user).get(URL)
    assert response.json()["count"] == 5


# --- every lifecycle action -------------------------------------------------------------------


def test_accept_confirm_complete_over_the_api(need, provider):
    match = make_match(need, provider, MatchStatus.OFFERED)
    as_provider, as_resident = token_client(provider.user), token_client(need.requested_by)

    response = as_provider.post(detail(match, "accept"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == MatchStatus.ACCEPTED

    response = as_resident.post(detail(match, "confirm"), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == MatchStatus.ACTIVE
    assert response.json()["provider_contact"]["name"] == provider.user.get_full_name()
    need.refresh_from_db()
    assert need.status == NeedStatus.MATCHED

    # Done once the help has started (lifecycle refuses earlier).
    need.on_date = timezone.localdate() - datetime.timedelta(days=1)
    need.save(update_fields=["on_date"])
    response = as_provider.post(detail(match, "complete"))
    assert response.status_code == 200
    assert response.json()["status"] == MatchStatus.COMPLETED
    need.refresh_from_db()
    provider.refresh_from_db()
    assert need.status == NeedStatus.FULFILLED and provider.matches_completed == 1


def test_the_provider_declines_with_a_reason(need, provider, monkeypatch):
    monkeypatch.setattr("matchmaking.lifecycle.need_offer_next", lambda **kwargs: None)
    match = make_match(need, provider, MatchStatus.OFFERED)
    response = token_client(provider.user).post(
        detail(match, "decline"), {"reason": "Away that week"}, format="json"
    )
    assert response.status_code == 200, response.json()
    match.refresh_from_db()
    assert (match.status, match.declined_by, match.reason) == (
        MatchStatus.DECLINED,
        "provider",
        "Away that week",
    )


def test_the_resident_asks_for_someone_else(need, provider, monkeypatch):
    monkeypatch.setattr("matchmaking.lifecycle.need_offer_next", lambda **kwargs: None)
    match = make_match(need, provider, MatchStatus.ACCEPTED)
    response = token_client(need.requested_by).post(
        detail(match, "ask-for-someone-else"), {}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == MatchStatus.DECLINED
    assert response.json()["declined_by"] == "resident"


def test_the_provider_cancels_and_must_say_why(need, provider, monkeypatch):
    monkeypatch.setattr("matchmaking.lifecycle.need_offer_next", lambda **kwargs: None)
    match = make_match(need, provider, MatchStatus.ACTIVE)
    client = token_client(provider.user)
    response = client.post(detail(match, "cancel"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["Give a reason"]}
    response = client.post(detail(match, "cancel"), {"reason": " "}, format="json")
    assert response.status_code == 400
    response = client.post(detail(match, "cancel"), {"reason": "I am unwell"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == MatchStatus.CANCELLED


@pytest.mark.parametrize(
    ("side", "action", "message"),
    [
        ("resident", "accept", "Only the provider can accept this offer."),
        ("resident", "decline", "Only the provider can decline this offer."),
        ("provider", "confirm", "Only the person who asked for help can confirm."),
        (
            "provider",
            "ask-for-someone-else",
            "Only the person who asked for help can ask for someone else.",
        ),
    ],
)
def test_the_wrong_side_is_refused_with_the_lifecycle_message(
    need, provider, side, action, message
):
    status = MatchStatus.OFFERED if action in ("accept", "decline") else MatchStatus.ACCEPTED
    match = make_match(need, provider, status)
    user = need.requested_by if side == "resident" else provider.user
    response = token_client(user).post(detail(match, action), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": message}
    match.refresh_from_db()
    assert match.status == status


@pytest.mark.parametrize("action", ["accept", "confirm", "complete"])
def test_a_transition_from_the_wrong_state_is_a_400_with_a_message(need, provider, action):
    match = make_match(need, provider, MatchStatus.COMPLETED)
    user = need.requested_by if action == "confirm" else provider.user
    response = token_client(user).post(detail(match, action))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("This match is completed, so it cannot be")


def test_actions_refuse_fields_they_do_not_take(need, provider):
    match = make_match(need, provider, MatchStatus.OFFERED)
    response = token_client(provider.user).post(
        detail(match, "accept"), {"when": "now"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"when": ["Unknown field: this request does not take it."]}
    match.refresh_from_db()
    assert match.status == MatchStatus.OFFERED


@pytest.mark.parametrize("reason", [0, 1.5, True, ["Away"], {"text": "Away"}])
def test_a_reason_that_is_not_text_is_a_400(need, provider, reason):
    """`{"reason": 0}` was taken as the text "0": the schema declares a string."""
    match = make_match(need, provider, MatchStatus.OFFERED)
    response = token_client(provider.user).post(
        detail(match, "decline"), {"reason": reason}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": [NOT_TEXT]}
    match.refresh_from_db()
    assert match.status == MatchStatus.OFFERED


def test_a_required_reason_that_is_not_text_is_a_400(need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    response = token_client(provider.user).post(
        detail(match, "cancel"), {"reason": 0}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": [NOT_TEXT]}


def test_the_resident_sees_the_smoothed_rating_the_engine_uses(need, provider):
    # One 5-star review is not a 5.0 helper: the API shows what the web page shows.
    provider.rating_count, provider.rating_sum = 1, 5
    provider.save()
    match = make_match(need, provider, MatchStatus.ACCEPTED)
    body = token_client(need.requested_by).get(detail(match)).json()
    assert body["provider"]["rating_count"] == 1
    assert 4.0 < body["provider"]["average_rating"] < 5.0
