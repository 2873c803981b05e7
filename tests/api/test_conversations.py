"""GET/POST /api/v1/matches/{id}/messages/: the same rules as the web (conversations.py)."""

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone

from matchmaking import safeguarding
from matchmaking.constants import MatchStatus
from matchmaking.models import Message
from tests.api.conftest import PHONE, token_client
from tests.matching import make_match

pytestmark = pytest.mark.django_db


def messages_url(match):
    return f"/api/v1/matches/{match.pk}/messages/"


@pytest.fixture
def match(need, provider):
    return make_match(need, provider, MatchStatus.ACTIVE, confirmed_at=timezone.now())


def send(user, match, body, **headers):
    return token_client(user).post(messages_url(match), {"body": body}, format="json", **headers)


def test_both_sides_send_and_read_messages(need, provider, match):
    response = send(need.requested_by, match, "Hello Priya")
    assert response.status_code == 201, response.json()
    assert response.json()["mine"] is True and response.json()["body"] == "Hello Priya"
    assert send(provider.user, match, "Hello Rose").status_code == 201

    body = token_client(provider.user).get(messages_url(match)).json()
    assert [(m["sender_first_name"], m["mine"], m["body"]) for m in body["results"]] == [
        ("Rose", False, "Hello Priya"),
        ("Priya", True, "Hello Rose"),
    ]


def test_outsiders_and_staff_get_404_and_nothing_is_stored(
    need, match, other_provider, other_resident, staff, other_staff, as_user, api
):
    send(need.requested_by, match, "Private")
    for user in (other_provider.user, other_resident, staff, other_staff):
        client = as_user(user)
        assert client.get(messages_url(match)).status_code == 404
        response = client.post(messages_url(match), {"body": "Let me in"}, format="json")
        assert response.status_code == 404, user
        assert "Private" not in response.content.decode()
    assert api.get(messages_url(match)).status_code in (401, 403)
    assert list(Message.objects.values_list("body", flat=True)) == ["Private"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write a message"),
        ("   ", "Write a message"),
        ("x" * 2001, "2,000 characters or fewer"),
        ("Hi\u0000", "NUL"),
        (42, "Give text here"),
    ],
)
def test_bad_messages_are_a_400_with_a_message(need, match, body, error):
    response = send(need.requested_by, match, body)
    assert response.status_code == 400
    assert error in json.dumps(response.json())
    assert not Message.objects.exists()


def test_before_acceptance_a_post_is_refused(need, provider):
    offer = make_match(need, provider, MatchStatus.OFFERED)
    response = send(need.requested_by, offer, "Hello?")
    assert response.status_code == 400
    assert "once the offer has been accepted" in response.json()["detail"]
    assert not Message.objects.exists()


def test_read_only_30_days_after_the_end(need, provider):
    ended = timezone.now() - datetime.timedelta(days=31)
    done = make_match(need, provider, MatchStatus.COMPLETED, accepted_at=ended, ended_at=ended)
    response = send(provider.user, done, "Still there?")
    assert response.status_code == 400 and "closed" in response.json()["detail"]
    assert token_client(provider.user).get(messages_url(done)).status_code == 200
    assert not Message.objects.exists()


def test_a_blocked_pair_cannot_post(need, provider, match):
    safeguarding.block_pair(resident=need.requested_by, provider=provider, actor=need.requested_by)
    response = send(provider.user, match, "Why?")
    assert response.status_code == 400
    assert "cannot send messages" in response.json()["detail"]
    assert not Message.objects.exists()


def test_a_retry_with_the_same_idempotency_key_sends_one_message(need, match):
    headers = {"HTTP_IDEMPOTENCY_KEY": "6f1c1e8e-0d7b-4c1a-9d55-2b8f0f6a0c11"}
    first = send(need.requested_by, match, "Only once", **headers)
    again = send(need.requested_by, match, "Only once", **headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Message.objects.count() == 1


def test_the_email_says_who_wrote_never_the_text(
    need, provider, match, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(provider.user, match, "The key is under the mat")
    [email] = mail.outbox
    assert "Priya" in email.subject and "under the mat" not in email.body + email.subject


def test_the_match_shows_the_phone_only_once_shared(need, provider, match, client):
    body = token_client(provider.user).get(f"/api/v1/matches/{match.pk}/").json()
    assert body["resident_contact"]["phone"] is None
    client.force_login(need.requested_by)
    client.post(f"/matches/{match.pk}/conversation/share/", {"share": "yes"})
    body = token_client(provider.user).get(f"/api/v1/matches/{match.pk}/").json()
    assert body["resident_contact"]["phone"] == PHONE


def test_listing_messages_has_a_fixed_number_of_queries(
    need, provider, match, django_assert_max_num_queries
):
    for n in range(12):
        send(provider.user if n % 2 else need.requested_by, match, f"Message {n}")
    client = token_client(need.requested_by)
    # token and user, the match (with need and provider), count and page of messages with
    # senders, then marking read: conversation, reader (savepoint, get, update or insert),
    # notifications.
    with django_assert_max_num_queries(12):
        response = client.get(messages_url(match))
    assert response.json()["count"] == 12


def test_too_many_messages_is_a_429_telling_the_client_to_wait(need, match, monkeypatch):
    from matchmaking import conversations

    monkeypatch.setattr(conversations, "RATE_LIMIT_MESSAGES", 2)
    for text in ("One", "Two"):
        assert send(need.requested_by, match, text).status_code == 201
    response = send(need.requested_by, match, "Three")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == conversations.RATE_LIMIT_WINDOW_SECONDS
    assert "a lot of messages" in response.json()["detail"]
    assert Message.objects.count() == 2
