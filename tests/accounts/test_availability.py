"""A provider's availability as people live it: several windows a day, and dates away."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.constants import Weekday
from accounts.models import TimeAway
from accounts.providers import time_away_add
from tests.factories import UserFactory, category
from tests.provider_factories import AvailabilityFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("providers:availability")
ADD = reverse("providers:away_add")
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def provider(client):
    profile = ProviderProfileFactory(skills=[category("meals")])
    client.force_login(profile.user)
    return profile


def stored(profile):
    return [str(a) for a in profile.availability.all()]


def errors_on(response, form="form"):
    return sorted(str(e) for errors in response.context[form].errors.values() for e in errors)


# --- Several windows a day ------------------------------------------------------------------


def test_a_provider_saves_a_morning_and_an_evening_on_one_day(client, provider):
    response = client.post(
        PAGE,
        {
            "tuesday_from": "08:00",
            "tuesday_to": "10:00",
            "tuesday_from_2": "17:00",
            "tuesday_to_2": "19:00",
        },
    )

    assertRedirects(response, reverse("providers:dashboard"))
    assert stored(provider) == ["Tuesday 08:00–10:00", "Tuesday 17:00–19:00"]
    # Back on the page: both shown, and room for a third.
    page = client.get(PAGE)
    assertContains(page, 'name="tuesday_from_2" value="17:00"', html=False)
    assertContains(page, 'name="tuesday_from_3"')


def test_stored_windows_fill_the_form_in_order(client, provider):
    for start, end in ((18, 20), (7, 9)):
        AvailabilityFactory(
            provider=provider,
            weekday=Weekday.FRIDAY,
            starts_at=datetime.time(start),
            ends_at=datetime.time(end),
        )

    form = client.get(PAGE).context["form"]

    assert form["friday_from"].value() == "07:00"
    assert form["friday_from_2"].value() == "18:00"


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            ("09:00", "12:00"),
            "The times on Tuesday overlap (08:00 to 10:00 and 09:00 to 12:00). Change one of them",
        ),
        (
            ("10:00", "12:00"),
            "The times on Tuesday run into each other (08:00 to 10:00 and 10:00 to 12:00). "
            "Enter them as one time, 08:00 to 12:00",
        ),
        (
            ("08:00", "10:00"),
            "The times on Tuesday overlap (08:00 to 10:00 and 08:00 to 10:00). Change one of them",
        ),
    ],
)
def test_overlapping_windows_are_refused_and_nothing_changes(client, provider, second, message):
    AvailabilityFactory(provider=provider, weekday=Weekday.MONDAY)
    response = client.post(
        PAGE,
        {
            "tuesday_from": "08:00",
            "tuesday_to": "10:00",
            "tuesday_from_2": second[0],
            "tuesday_to_2": second[1],
        },
    )

    assert response.status_code == 200
    assert errors_on(response) == [message]
    assertContains(response, "govuk-error-summary")
    assertContains(response, '<a href="#id_tuesday_from_2">')
    assert stored(provider) == ["Monday 17:00–19:00"]


def test_a_half_filled_second_window_says_which_time_is_missing(client, provider):
    response = client.post(
        PAGE, {"tuesday_from": "08:00", "tuesday_to": "10:00", "tuesday_from_2": "17:00"}
    )
    assert errors_on(response) == ["Enter the time you finish on Tuesday"]
    assert stored(provider) == []


# --- Dates away -----------------------------------------------------------------------------


def test_a_provider_adds_dates_away_and_sees_them(client, provider):
    first, last = TODAY + 10 * DAY, TODAY + 17 * DAY
    response = client.post(
        ADD, {"starts_on": first.isoformat(), "ends_on": last.isoformat(), "note": "Cornwall"}
    )

    assertRedirects(response, PAGE + "#dates-away")
    away = TimeAway.objects.get()
    assert (away.provider, away.starts_on, away.ends_on, away.note) == (
        provider,
        first,
        last,
        "Cornwall",
    )
    page = client.get(PAGE)
    assertContains(page, f"{first:%-d %B %Y} to {last:%-d %B %Y}")
    assertContains(page, "Cornwall")


def test_dates_away_already_over_are_not_listed(client, provider):
    TimeAway.objects.create(
        provider=provider, starts_on=TODAY - 9 * DAY, ends_on=TODAY - DAY, note="Last week"
    )
    TimeAway.objects.create(provider=provider, starts_on=TODAY, ends_on=TODAY, note="Today")

    page = client.get(PAGE)

    assertNotContains(page, "Last week")
    assertContains(page, "Today")


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter the first day you are away", "Enter the last day you are away"]),
        (
            {"starts_on": "soon", "ends_on": "2026-02-30"},
            ["Enter a real date for the first day away", "Enter a real date for the last day away"],
        ),
        (
            {"starts_on": (TODAY + 5 * DAY).isoformat(), "ends_on": (TODAY + 4 * DAY).isoformat()},
            ["The last day away must be on or after the first"],
        ),
        (
            {"starts_on": (TODAY - 5 * DAY).isoformat(), "ends_on": (TODAY - DAY).isoformat()},
            ["The last day away must be today or later"],
        ),
        (
            {"starts_on": TODAY.isoformat(), "ends_on": (TODAY + 800 * DAY).isoformat()},
            ["The last day away must be within the next two years"],
        ),
        (
            {"starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(), "note": "x" * 201},
            ["Keep the note to 200 characters or fewer"],
        ),
    ],
)
def test_bad_dates_away_are_explained_and_nothing_is_saved(client, provider, data, messages):
    response = client.post(ADD, data)

    assert response.status_code == 200
    assert errors_on(response, "away_form") == sorted(messages)
    assertContains(response, "govuk-error-summary")
    assert not TimeAway.objects.exists()


def test_dates_away_overlapping_others_are_refused(client, provider):
    TimeAway.objects.create(provider=provider, starts_on=TODAY + 3 * DAY, ends_on=TODAY + 6 * DAY)

    response = client.post(
        ADD, {"starts_on": (TODAY + 6 * DAY).isoformat(), "ends_on": (TODAY + 8 * DAY).isoformat()}
    )

    first, last = TODAY + 3 * DAY, TODAY + 6 * DAY
    assert errors_on(response, "away_form") == [
        f"You are already away from {first:%-d %B %Y} to {last:%-d %B %Y}. "
        "Remove those dates first, or choose dates that do not overlap them"
    ]
    assert TimeAway.objects.count() == 1


def test_the_write_function_refuses_what_the_form_would(provider):
    with pytest.raises(ValidationError):
        time_away_add(profile=provider, starts_on=TODAY + 2 * DAY, ends_on=TODAY + DAY)
    assert not TimeAway.objects.exists()


def test_a_provider_removes_their_own_dates_away(client, provider):
    away = TimeAway.objects.create(provider=provider, starts_on=TODAY, ends_on=TODAY + DAY)

    response = client.post(reverse("providers:away_remove", args=[away.pk]))

    assertRedirects(response, PAGE + "#dates-away")
    assert not TimeAway.objects.exists()


def test_nobody_else_can_remove_a_providers_dates_away(client):
    owner = ProviderProfileFactory()
    away = TimeAway.objects.create(provider=owner, starts_on=TODAY, ends_on=TODAY + DAY)
    url = reverse("providers:away_remove", args=[away.pk])

    # Another provider: as if the dates did not exist.
    client.force_login(ProviderProfileFactory().user)
    assert client.post(url).status_code == 404
    # A signed-in person who is not a provider is sent to "Offer help".
    client.force_login(UserFactory())
    assert client.post(url).url == reverse("providers:start")
    # Someone signed out is asked to sign in.
    client.logout()
    assert client.post(url).url.startswith(reverse("account_login"))
    # The owner cannot remove by GET.
    client.force_login(owner.user)
    assert client.get(url).status_code == 405
    assert TimeAway.objects.filter(pk=away.pk).exists()
