"""The provider's help requests, the resident's view of a helper, and notifications."""

import pytest
from django.urls import reverse

from matchmaking.constants import MatchStatus
from matchmaking.models import Notification
from tests.factories import NeedFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

ADDRESS = "14 Willow Close"
PHONE = "07700 900456"


@pytest.fixture
def need():
    return NeedFactory(contact_name="Rose Turner", address=ADDRESS, phone=PHONE)


@pytest.fixture
def provider(need):
    return eligible_cook(need)


def page(client, user, name, match):
    client.force_login(user)
    return client.get(reverse(name, args=[match.pk]))


@pytest.mark.parametrize(
    "status",
    [MatchStatus.OFFERED, MatchStatus.ACCEPTED, MatchStatus.CANCELLED, MatchStatus.COMPLETED],
)
def test_the_provider_never_sees_the_address_unless_the_match_is_active(
    client, need, provider, status
):
    html = page(
        client, provider.user, "matchmaking:offer_detail", make_match(need, provider, status)
    ).content.decode()
    assert "Rose" in html and "A hot meal" in html
    for private in (ADDRESS, PHONE, "Turner"):
        assert private not in html


def test_the_provider_sees_the_address_once_both_agreed_but_not_an_unshared_phone(
    client, need, provider
):
    html = page(
        client, provider.user, "matchmaking:offer_detail", make_match(need, provider, "active")
    ).content.decode()
    assert ADDRESS in html and "Rose Turner" in html
    # The phone number is the resident's to share (tests/matchmaking/test_conversations.py).
    assert PHONE not in html


def test_outsiders_get_404_on_every_match_page(client, need, provider):
    match = make_match(need, provider, MatchStatus.OFFERED)
    outsider = UserFactory()
    client.force_login(outsider)
    for name in ["offer_detail", "need_match"]:
        assert client.get(reverse(f"matchmaking:{name}", args=[match.pk])).status_code == 404
    for name in [
        "offer_accept",
        "offer_decline",
        "match_confirm",
        "match_someone_else",
        "match_cancel",
        "match_complete",
    ]:
        assert (
            client.post(
                reverse(f"matchmaking:{name}", args=[match.pk]), {"reason": "x"}
            ).status_code
            == 404
        )
    match.refresh_from_db()
    assert match.status == MatchStatus.OFFERED


def test_the_resident_cannot_use_the_provider_pages_and_vice_versa(client, need, provider):
    match = make_match(need, provider, MatchStatus.ACCEPTED)
    assert page(client, need.requested_by, "matchmaking:offer_detail", match).status_code == 404
    assert page(client, provider.user, "matchmaking:need_match", match).status_code == 404


def test_the_provider_accepts_from_the_page(client, need, provider):
    match = make_match(need, provider, MatchStatus.OFFERED)
    client.force_login(provider.user)
    response = client.post(reverse("matchmaking:offer_accept", args=[match.pk]), follow=True)
    assert "asked the resident to confirm" in response.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED


def test_a_refused_action_is_a_message_not_an_error(client, need, provider):
    match = make_match(need, provider, MatchStatus.COMPLETED)
    client.force_login(provider.user)
    response = client.post(reverse("matchmaking:offer_accept", args=[match.pk]), follow=True)
    assert response.status_code == 200
    assert "cannot be accepted" in response.content.decode()


def test_cancel_without_a_reason_is_explained(client, need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    client.force_login(need.requested_by)
    response = client.post(
        reverse("matchmaking:match_cancel", args=[match.pk]), {"reason": ""}, follow=True
    )
    assert "Give a reason for cancelling" in response.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE


def test_the_resident_sees_who_can_help_and_why(client, need, provider):
    provider.user.first_name = "Carlos"
    provider.user.save()
    provider.rating_count, provider.rating_sum = 4, 18
    provider.save()
    match = make_match(
        need,
        provider,
        MatchStatus.ACCEPTED,
        explanation={
            "distance_km": 1.5,
            "components": {"proximity": {"value": 0.67, "weight": 2.0}},
        },
    )
    html = page(client, need.requested_by, "matchmaking:need_match", match).content.decode()
    assert "Carlos can help" in html
    # Four ratings averaging 4.5, smoothed by the engine's prior (trust.smoothed_rating).
    assert "4.2 out of 5 from 4 ratings" in html
    assert "Lives nearby" in html and "67%" in html
    assert provider.user.email not in html  # contact details only once confirmed

    client.post(reverse("matchmaking:match_confirm", args=[match.pk]))
    html = client.get(reverse("matchmaking:need_match", args=[match.pk])).content.decode()
    # Confirmed: they can message; the email waits for the provider to share it.
    assert reverse("matchmaking:conversation", args=[match.pk]) in html
    assert provider.user.email not in html


def test_the_need_page_points_to_the_helper_waiting_for_confirmation(client, need, provider):
    match = make_match(need, provider, MatchStatus.ACCEPTED)
    client.force_login(need.requested_by)
    html = client.get(reverse("needs:detail", args=[need.reference])).content.decode()
    assert reverse("matchmaking:need_match", args=[match.pk]) in html


def test_help_requests_list_is_split_by_what_needs_doing(client, need, provider):
    waiting = make_match(need, provider, MatchStatus.OFFERED)
    active = make_match(NeedFactory(), provider, MatchStatus.ACTIVE)
    client.force_login(provider.user)
    response = client.get(reverse("matchmaking:offer_list"))
    html = response.content.decode()
    assert html.index(reverse("matchmaking:offer_detail", args=[waiting.pk])) < html.index(
        "You are helping"
    )
    assert html.index(reverse("matchmaking:offer_detail", args=[active.pk])) > html.index(
        "You are helping"
    )


@pytest.mark.parametrize("rows", [5, 50])
def test_help_requests_list_takes_the_same_queries_however_many(
    client, provider, rows, django_assert_max_num_queries
):
    for status in (MatchStatus.OFFERED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE):
        make_match(NeedFactory(), provider, status)
    for _ in range(rows):
        make_match(NeedFactory(), provider, MatchStatus.COMPLETED)
    client.force_login(provider.user)
    # session, user, nav facts, live matches (+need, category), earlier ones, slots
    with django_assert_max_num_queries(6):
        html = client.get(reverse("matchmaking:offer_list")).content.decode()
    assert "about 1.2 km away" in html
    assert html.count("Completed") == min(rows, 20)


def test_help_requests_list_shows_only_the_latest_earlier_matches(client, provider):
    earlier = [make_match(NeedFactory(), provider, MatchStatus.COMPLETED) for _ in range(22)]
    client.force_login(provider.user)
    html = client.get(reverse("matchmaking:offer_list")).content.decode()
    shown = [m for m in earlier if reverse("matchmaking:offer_detail", args=[m.pk]) in html]
    assert shown == earlier[2:]


def test_notifications_are_listed_newest_first_and_marked_read(client):
    user = UserFactory()
    Notification.objects.create(user=user, message="First thing")
    Notification.objects.create(user=user, message="Second thing")
    Notification.objects.create(user=UserFactory(), message="Not yours")
    client.force_login(user)
    assert "Notifications (2)" in client.get(reverse("home")).content.decode()
    html = client.get(reverse("matchmaking:notifications")).content.decode()
    assert html.index("Second thing") < html.index("First thing")
    assert "Not yours" not in html and "New" in html
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert "Notifications (2)" not in client.get(reverse("home")).content.decode()
