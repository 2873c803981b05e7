"""Notifications (list, mark read), ratings (give once, edit for a week) and concerns."""

import datetime

import pytest
from django.utils import timezone

from matchmaking.constants import MatchStatus
from matchmaking.models import Concern, Notification, Rating
from tests.api.conftest import token_client
from tests.factories import NeedFactory
from tests.matching import make_match

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/api/v1/notifications/"
RATINGS = "/api/v1/ratings/"
CONCERNS = "/api/v1/concerns/"


# --- notifications ----------------------------------------------------------------------------


def test_notifications_are_listed_filtered_and_marked_read(resident, other_resident, as_user):
    old = Notification.objects.create(user=resident, message="Your request was received")
    new = Notification.objects.create(user=resident, message="Priya can help")
    theirs = Notification.objects.create(user=other_resident, message="Not yours")
    client = as_user(resident)
    body = client.get(NOTIFICATIONS).json()
    assert [row["id"] for row in body["results"]] == [new.pk, old.pk]
    assert body["results"][0]["is_read"] is False

    response = client.post(f"{NOTIFICATIONS}{new.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert [
        row["id"] for row in client.get(NOTIFICATIONS, {"unread": "true"}).json()["results"]
    ] == [old.pk]
    assert [
        row["id"] for row in client.get(NOTIFICATIONS, {"unread": "false"}).json()["results"]
    ] == [new.pk]
    assert client.get(NOTIFICATIONS, {"unread": "maybe"}).json()["errors"] == {
        "unread": ["Use true or false."]
    }

    assert client.post(f"{NOTIFICATIONS}read-all/").json() == {"marked": 1}
    assert client.get(f"{NOTIFICATIONS}{theirs.pk}/").status_code == 404
    assert client.post(f"{NOTIFICATIONS}{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_lifecycle_actions_over_the_api_notify_the_other_side(need, provider):
    match = make_match(need, provider, MatchStatus.OFFERED)
    token_client(provider.user).post(f"/api/v1/matches/{match.pk}/accept/")
    messages = [
        row["message"]
        for row in token_client(need.requested_by).get(NOTIFICATIONS).json()["results"]
    ]
    assert messages == [
        f"Priya can help with request {need.reference}. Please confirm, or ask for someone else."
    ]


# --- ratings --------------------------------------------------------------------------------


@pytest.fixture
def completed(need, provider):
    return make_match(need, provider, MatchStatus.COMPLETED, ended_at=timezone.now())


def test_each_side_rates_a_completed_match_once_and_can_change_it(completed, need, provider):
    as_resident = token_client(need.requested_by)
    response = as_resident.post(
        RATINGS, {"match": completed.pk, "score": 5, "comment": "Lovely curry"}, format="json"
    )
    assert response.status_code == 201, response.json()
    rating = response.json()
    assert rating["rater_role"] == "resident" and rating["score"] == 5
    provider.refresh_from_db()
    assert (provider.rating_count, provider.rating_sum) == (1, 5)

    again = as_resident.post(RATINGS, {"match": completed.pk, "score": 4}, format="json")
    assert again.status_code == 400
    assert again.json()["detail"].startswith("You have already rated this match.")

    response = as_resident.patch(f"{RATINGS}{rating['id']}/", {"score": 4}, format="json")
    assert response.status_code == 200
    assert response.json()["comment"] == "Lovely curry"  # unchanged when not sent
    provider.refresh_from_db()
    assert provider.rating_sum == 4

    as_provider = token_client(provider.user)
    response = as_provider.post(RATINGS, {"match": completed.pk, "score": 4}, format="json")
    assert response.status_code == 201 and response.json()["rater_role"] == "provider"
    assert [row["id"] for row in as_provider.get(RATINGS).json()["results"]] == [
        response.json()["id"]
    ]
    # Someone else's rating is not there to change.
    assert (
        as_provider.patch(f"{RATINGS}{rating['id']}/", {"score": 1}, format="json").status_code
        == 404
    )


def test_ratings_follow_the_rules(need, provider, completed, other_resident, as_user):
    second_need = NeedFactory(requested_by=need.requested_by, area=need.area)
    active = make_match(second_need, provider, MatchStatus.ACTIVE)
    client = token_client(need.requested_by)
    response = client.post(RATINGS, {"match": active.pk, "score": 5}, format="json")
    assert response.json() == {"detail": "You can rate once the first visit has happened."}
    response = client.post(RATINGS, {"match": completed.pk, "score": 6}, format="json")
    assert response.json()["errors"] == {"score": ["Choose a rating from 1 to 5"]}
    response = as_user(other_resident).post(
        RATINGS, {"match": completed.pk, "score": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"match": [f"There is no match {completed.pk} of yours."]}
    assert not Rating.objects.filter(rater=other_resident).exists()


def test_a_rating_cannot_be_changed_after_a_week(completed, need):
    client = token_client(need.requested_by)
    rating_id = client.post(RATINGS, {"match": completed.pk, "score": 5}, format="json").json()[
        "id"
    ]
    Rating.objects.filter(pk=rating_id).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    response = client.patch(f"{RATINGS}{rating_id}/", {"score": 1}, format="json")
    assert response.status_code == 400
    assert "can no longer be" in response.json()["detail"]


# --- concerns -------------------------------------------------------------------------------


def test_a_provider_raises_a_concern_about_the_resident(need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    client = token_client(provider.user)
    response = client.post(
        CONCERNS,
        {"match": match.pk, "kind": "safeguarding", "description": "Bruises on her arms"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["urgent"] is True  # safeguarding concerns always are
    concern = Concern.objects.get(pk=body["id"])
    assert concern.about == need.requested_by and concern.raised_by == provider.user
    assert "resolution" not in body
    assert [row["id"] for row in client.get(CONCERNS).json()["results"]] == [concern.pk]
    assert token_client(need.requested_by).get(f"{CONCERNS}{concern.pk}/").status_code == 404


def test_a_concern_needs_a_match_of_yours_and_a_description(
    need, provider, other_resident, as_user
):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    response = as_user(other_resident).post(
        CONCERNS, {"match": match.pk, "kind": "conduct", "description": "x"}, format="json"
    )
    assert response.json()["errors"] == {"match": [f"There is no match {match.pk} of yours."]}
    response = token_client(need.requested_by).post(
        CONCERNS, {"match": match.pk, "kind": "gossip", "description": ""}, format="json"
    )
    assert response.json()["errors"] == {
        "kind": ["Choose what the concern is about"],
        "description": ["Tell us what happened"],
    }
    assert not Concern.objects.exists()
