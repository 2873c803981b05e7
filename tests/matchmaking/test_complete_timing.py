"""A one-off need's match is marked done only once its time has started: the web page and
the API refuse earlier with lifecycle.match_complete's message (so nothing can be rated
about help not yet given)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking.constants import MatchStatus
from services.constants import NeedStatus
from services.models import Need
from tests.api.conftest import token_client
from tests.factories import NeedFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

TOO_EARLY = "so it cannot be marked as done before then"


@pytest.fixture
def need():
    # Tomorrow at noon: not started yet, whatever the time of day the test runs.
    return NeedFactory(
        status=NeedStatus.MATCHED,
        on_date=timezone.localdate() + datetime.timedelta(days=1),
        starts_at=datetime.time(12),
    )


@pytest.fixture
def match(need):
    return make_match(need, eligible_cook(need), MatchStatus.ACTIVE)


def started(need):
    Need.objects.filter(pk=need.pk).update(on_date=timezone.localdate() - datetime.timedelta(1))


def test_the_page_refuses_to_mark_done_before_the_help_starts(client, need, match):
    client.force_login(match.provider.user)
    url = reverse("matchmaking:match_complete", args=[match.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200 and TOO_EARLY in response.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE

    started(need)
    response = client.post(url, follow=True)
    assert "Marked as done" in response.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.COMPLETED


def test_the_api_refuses_to_mark_done_before_the_help_starts(need, match):
    url = f"/api/v1/matches/{match.pk}/complete/"
    response = token_client(need.requested_by).post(url)
    assert response.status_code == 400
    assert TOO_EARLY in response.json()["detail"]
    match.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE

    started(need)
    response = token_client(need.requested_by).post(url)
    assert response.status_code == 200 and response.json()["status"] == MatchStatus.COMPLETED


@pytest.mark.parametrize(
    ("side", "page"), [("provider", "offer_detail"), ("resident", "need_match")]
)
def test_the_button_appears_only_once_the_help_has_started(client, need, match, side, page):
    person = match.provider.user if side == "provider" else need.requested_by
    client.force_login(person)
    url = reverse(f"matchmaking:{page}", args=[match.pk])
    complete = reverse("matchmaking:match_complete", args=[match.pk])

    html = client.get(url).content.decode()
    assert complete not in html
    assert "You can mark this as done once the help has started" in html
    assert "at 12:00" in html

    started(need)
    html = client.get(url).content.decode()
    assert complete in html and "Mark as done" in html
