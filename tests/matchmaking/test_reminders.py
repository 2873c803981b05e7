"""Reminders the day before and two hours before a visit, to both sides, each sent once:
when the command runs twice, and (on PostgreSQL) when two workers run it at the same time."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from matchmaking import reminders
from matchmaking.constants import MatchStatus, VisitStatus
from matchmaking.models import Notification, Visit, VisitReminder
from services.constants import NeedStatus
from tests.factories import NeedFactory
from tests.matching import eligible_cook, make_match

HOUR = datetime.timedelta(hours=1)


def active_match():
    need = NeedFactory(status=NeedStatus.MATCHED)
    return make_match(need, eligible_cook(need), MatchStatus.ACTIVE)


def a_visit(match, *, starts_in, status=VisitStatus.PLANNED):
    start = timezone.now() + starts_in
    return Visit.objects.create(match=match, starts_at=start, ends_at=start + HOUR, status=status)


def reminded(user):
    return list(
        Notification.objects.filter(user=user, message__startswith="Reminder").values_list(
            "message", flat=True
        )
    )


@pytest.mark.django_db
def test_both_sides_are_reminded_the_day_before_in_app_and_by_email(
    django_capture_on_commit_callbacks,
):
    match = active_match()
    a_visit(match, starts_in=HOUR * 20)
    with django_capture_on_commit_callbacks(execute=True):  # emails go once committed
        call_command("send_reminders")
    resident, provider = match.need.requested_by, match.provider.user
    assert len(reminded(resident)) == 1 and len(reminded(provider)) == 1
    assert match.provider.user.first_name in reminded(resident)[0]
    assert match.need.first_name in reminded(provider)[0]
    assert {address for message in mail.outbox for address in message.to} >= {
        resident.email,
        provider.email,
    }


@pytest.mark.django_db
def test_running_twice_sends_each_reminder_once_and_two_hours_before_sends_the_second():
    match = active_match()
    visit = a_visit(match, starts_in=HOUR * 20)
    call_command("send_reminders")
    call_command("send_reminders")
    assert len(reminded(match.need.requested_by)) == 1
    # Eighteen hours on, the visit is 90 minutes away: the second reminder, once.
    later = timezone.now() + HOUR * 18.5
    reminders.reminders_send(now=later)
    reminders.reminders_send(now=later)
    assert len(reminded(match.need.requested_by)) == 2
    assert set(VisitReminder.objects.filter(visit=visit).values_list("kind", flat=True)) == {
        "day_before",
        "two_hours",
    }


@pytest.mark.django_db
def test_visits_far_off_cancelled_or_begun_get_no_reminder():
    match = active_match()
    a_visit(match, starts_in=HOUR * 30)
    a_visit(match, starts_in=HOUR * 5, status=VisitStatus.CANCELLED_BY_PROVIDER)
    a_visit(match, starts_in=-HOUR / 2)
    call_command("send_reminders")
    assert reminded(match.need.requested_by) == []


def run_together(target, times):
    barrier = threading.Barrier(times)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(target())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


WORKERS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_claim_two_workers_send_the_same_reminder_twice(monkeypatch):
    """The pair's first half: a check-then-send without the claim row races."""
    match = active_match()
    a_visit(match, starts_in=HOUR * 20)
    original_notify = reminders.notify

    def slow_notify(**kwargs):
        import time

        time.sleep(0.2)  # widen the window between the check and the send
        original_notify(**kwargs)

    monkeypatch.setattr(reminders, "_claim", lambda visit, user, kind: True)
    monkeypatch.setattr(reminders, "notify", slow_notify)
    run_together(reminders.reminders_send, WORKERS)
    assert len(reminded(match.need.requested_by)) > 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once():
    match = active_match()
    a_visit(match, starts_in=HOUR * 20)
    results = run_together(reminders.reminders_send, WORKERS)
    assert sum(results) == 2  # the resident and the provider, once each
    assert len(reminded(match.need.requested_by)) == 1
    assert len(reminded(match.provider.user)) == 1
