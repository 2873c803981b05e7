"""The personal calendar feed: a secret, revocable URL listing the person's coming visits as
valid iCalendar, with first names, category and time only."""

import datetime
import re

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking import calendars
from matchmaking.constants import MatchStatus, VisitStatus
from matchmaking.models import CalendarFeed, Visit
from services.constants import NeedStatus
from tests.factories import NeedFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def match():
    need = NeedFactory(
        status=NeedStatus.MATCHED,
        contact_name="Rose Turner",
        address="14 Willow Close",
        phone="07700 900456",
        details="Diabetic, needs low-sugar meals",
    )
    provider = eligible_cook(need, user=UserFactory(first_name="Priya", phone="07700 900999"))
    return make_match(need, provider, MatchStatus.ACTIVE)


def a_visit(match, *, starts_in, status=VisitStatus.PLANNED):
    start = timezone.now() + starts_in
    return Visit.objects.create(match=match, starts_at=start, ends_at=start + HOUR, status=status)


def feed_url(client, user):
    client.force_login(user)
    page = client.post(reverse("matchmaking:calendar_create")).content.decode()
    client.logout()
    return re.search(r'id="calendar-link">https?://[^/]+(/calendar/[^<]+\.ics)<', page).group(1)


def test_the_feed_lists_coming_visits_as_valid_icalendar_with_names_category_and_time(
    client, match
):
    coming = a_visit(match, starts_in=datetime.timedelta(days=2))
    a_visit(match, starts_in=-datetime.timedelta(days=2))  # past
    a_visit(match, starts_in=datetime.timedelta(days=3), status=VisitStatus.CANCELLED_BY_PROVIDER)
    for person, other in ((match.provider.user, "Rose"), (match.need.requested_by, "Priya")):
        response = client.get(feed_url(client, person))
        assert response.status_code == 200 and response["Content-Type"] == "text/calendar"
        calendar = icalendar.Calendar.from_ical(response.content)
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == coming.starts_at.replace(microsecond=0)
        summary = str(event["summary"])
        assert other in summary and match.need.category.name in summary


def test_the_feed_holds_no_address_phone_surname_or_details(client, match):
    a_visit(match, starts_in=datetime.timedelta(days=2))
    body = client.get(feed_url(client, match.provider.user)).content.decode()
    for secret in ("Willow", "07700", "Turner", "Diabetic", "@"):
        assert secret not in body.replace("@kith", "")  # the event UID's domain aside


def test_tokens_are_long_random_and_only_their_hash_is_stored(match):
    user = match.need.requested_by
    token = calendars.calendar_feed_create(user=user)
    assert len(token) >= 43  # 32 random bytes in URL-safe base 64: 256 bits
    stored = CalendarFeed.objects.get(user=user).token_hash
    assert token not in stored and len(stored) == 64
    assert calendars.calendar_feed_create(user=user) != token


def test_a_new_link_or_stopping_it_revokes_the_old_one_at_once(client, match):
    user = match.need.requested_by
    old = feed_url(client, user)
    new = feed_url(client, user)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.force_login(user)
    client.post(reverse("matchmaking:calendar_revoke"))
    client.logout()
    assert client.get(new).status_code == 404


def test_a_wrong_or_malformed_token_is_a_404(client, match):
    calendars.calendar_feed_create(user=match.need.requested_by)
    assert client.get("/calendar/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404


def test_the_feed_says_nothing_about_anyone_else(client, match):
    a_visit(match, starts_in=datetime.timedelta(days=2))
    outsider = UserFactory()
    body = client.get(feed_url(client, outsider)).content
    assert icalendar.Calendar.from_ical(body).walk("VEVENT") == []


def test_making_a_link_needs_a_signed_in_post(client):
    assert client.post(reverse("matchmaking:calendar_create")).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(reverse("matchmaking:calendar_create")).status_code == 405


def test_closing_the_account_stops_the_feed_and_the_download_lists_visits(client, match):
    from matchmaking import privacy

    a_visit(match, starts_in=datetime.timedelta(days=2))
    resident = match.need.requested_by
    url = feed_url(client, resident)
    data = privacy.personal_data(resident)
    assert len(data["visits"]) == 1 and len(data["calendar_feed"]) == 1
    privacy.account_delete(user=resident)
    assert client.get(url).status_code == 404
    assert not CalendarFeed.objects.filter(user=resident).exists()
