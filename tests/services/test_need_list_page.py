""" "Your requests" and a provider's help requests: weekly needs show their days (read with
slots_attach), and the requests list's filters still narrow it."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from services.constants import Schedule
from services.models import NeedSlot
from tests.factories import NeedFactory, UserFactory
from tests.match_factories import MatchFactory

pytestmark = pytest.mark.django_db


def weekly_need(**fields):
    need = NeedFactory(
        schedule=Schedule.WEEKLY, on_date=None, starts_at=None, ends_at=None, **fields
    )
    NeedSlot.objects.create(
        need=need, weekday=1, starts_at=datetime.time(14), ends_at=datetime.time(16)
    )
    return need


def test_your_requests_show_weekly_days_and_filter_by_status(client):
    resident = UserFactory()
    client.force_login(resident)
    weekly = weekly_need(requested_by=resident, resident=resident)
    closed = NeedFactory(requested_by=resident, resident=resident, status="closed")

    response = client.get(reverse("needs:list"))
    assertContains(response, "Every week: Tuesday 14:00–16:00")
    assertContains(response, weekly.reference)
    assertContains(response, closed.reference)

    response = client.get(reverse("needs:list"), {"status": "closed"})
    assertContains(response, closed.reference)
    assertNotContains(response, weekly.reference)
    # An empty choice is no filter.
    assertContains(client.get(reverse("needs:list"), {"status": ""}), weekly.reference)


def test_help_requests_show_a_waiting_weekly_needs_days(client):
    match = MatchFactory(need=weekly_need(), offered=True)
    client.force_login(match.provider.user)
    assertContains(client.get(reverse("matchmaking:offer_list")), "Every week: Tuesday 14:00–16:00")
