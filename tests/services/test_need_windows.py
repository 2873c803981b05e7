"""A resident's weekly need with more than one window a day: the journey, the API, the rule."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains

from services.models import Need
from services.needs import need_submit
from tests.api.conftest import token_client
from tests.factories import PostcodeFactory, ProgrammeFactory, UserFactory, category

pytestmark = pytest.mark.django_db


def step_url(name):
    return reverse("needs:step", args=[name])


@pytest.fixture
def resident(client):
    user = UserFactory(first_name="Rose")
    client.force_login(user)
    return user


@pytest.fixture
def place():
    postcode = PostcodeFactory(code="RV1 2AB")
    ProgrammeFactory(categories=[category("meals")], areas=[postcode.area])
    return postcode


def up_to_weekly(client):
    client.post(step_url("who"), {"for_whom": "me"})
    client.post(step_url("what"), {"category": category("meals").pk, "details": "Lunch"})
    client.post(step_url("when"), {"schedule": "weekly", "urgency": "soon"})


def summary_errors(response):
    """The error summary's messages and where each links to."""
    html = response.content.decode()
    assert "govuk-error-summary" in html
    return html


def test_a_resident_asks_for_help_morning_and_evening_on_one_day(client, resident, place):
    up_to_weekly(client)
    response = client.post(
        step_url("weekly"),
        {
            "monday_from": "08:00",
            "monday_to": "10:00",
            "monday_from_2": "17:00",
            "monday_to_2": "19:00",
        },
    )
    assert response.status_code == 302
    client.post(
        step_url("where"),
        {"contact_name": "Rose Turner", "postcode": "RV1 2AB", "address": "1 High Street"},
    )
    client.post(step_url("preferences"), {"language": "en"})

    check = client.get(reverse("needs:check"))
    assertContains(check, "Monday 08:00 to 10:00; Monday 17:00 to 19:00")
    client.post(reverse("needs:check"))

    need = Need.objects.get()
    assert [
        (s.weekday, f"{s.starts_at:%H:%M}", f"{s.ends_at:%H:%M}") for s in need.slots.all()
    ] == [
        (0, "08:00", "10:00"),
        (0, "17:00", "19:00"),
    ]


@pytest.mark.parametrize(
    ("second", "message", "field"),
    [
        (
            ("09:30", "11:00"),
            "The times on Monday overlap (08:00 to 10:00 and 09:30 to 11:00). Change one of them",
            "monday_from_2",
        ),
        (
            ("10:00", "12:00"),
            "The times on Monday run into each other (08:00 to 10:00 and 10:00 to 12:00). "
            "Enter them as one time, 08:00 to 12:00",
            "monday_from_2",
        ),
        (
            ("07:00", "08:00"),
            "The times on Monday run into each other (07:00 to 08:00 and 08:00 to 10:00). "
            "Enter them as one time, 07:00 to 10:00",
            "monday_from",  # the later of the two is the first row
        ),
    ],
)
def test_windows_that_overlap_or_meet_are_refused_with_a_message(
    client, resident, place, second, message, field
):
    up_to_weekly(client)
    response = client.post(
        step_url("weekly"),
        {
            "monday_from": "08:00",
            "monday_to": "10:00",
            "monday_from_2": second[0],
            "monday_to_2": second[1],
        },
    )

    assert response.status_code == 200
    html = summary_errors(response)
    # In the summary, linked to the later window's start, and beside that field.
    assert f'<a href="#id_{field}">{message}</a>' in html.replace("&#x27;", "'")
    assert f'id="id_{field}_error"' in html
    # The step was not kept: "Check your answers" sends the resident back to it.
    assert client.get(reverse("needs:check")).status_code == 302
    assert not Need.objects.exists()


def test_a_third_window_is_offered_once_two_are_filled(client, resident, place):
    up_to_weekly(client)
    response = client.post(
        step_url("weekly"),
        {
            "monday_from": "08:00",
            "monday_to": "10:00",
            "monday_from_2": "12:00",
            "monday_to_2": "13:00",
            "tuesday_from": "09:00",  # an error, so the page comes back with what was typed
        },
    )
    assertContains(response, 'name="monday_from_3"')
    assertContains(response, 'value="12:00"')
    assertContains(response, "Add another time on Monday")


def test_the_write_function_refuses_clashing_windows_and_saves_nothing(place):
    with pytest.raises(ValidationError) as excinfo:
        need_submit(
            requested_by=UserFactory(),
            postcode=place,
            slots=[
                (2, datetime.time(9), datetime.time(11)),
                (2, datetime.time(10), datetime.time(12)),
            ],
            category=category("meals"),
            details="Lunch",
            schedule="weekly",
            contact_name="Rose Turner",
            address="1 High Street",
        )
    assert excinfo.value.messages == [
        "The times on Wednesday overlap (09:00 to 11:00 and 10:00 to 12:00). Change one of them"
    ]
    assert not Need.objects.exists()


def test_the_api_takes_two_windows_on_one_day(place):
    response = token_client(UserFactory()).post(
        "/api/v1/needs/",
        {
            "category": "meals",
            "details": "Lunch and supper",
            "schedule": "weekly",
            "contact_name": "Rose Turner",
            "postcode": "rv1 2ab",
            "address": "1 High Street",
            "slots": [
                {"weekday": 0, "starts_at": "08:00", "ends_at": "10:00"},
                {"weekday": 0, "starts_at": "17:00", "ends_at": "19:00"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    need = Need.objects.get()
    assert need.slots.filter(weekday=0).count() == 2
