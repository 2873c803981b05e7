"""Two adds of the same dates away at once, on PostgreSQL: without the lock both are kept."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from accounts import providers
from accounts.models import TimeAway
from tests.provider_factories import ProviderProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
FIRST = timezone.localdate() + datetime.timedelta(days=5)
LAST = FIRST + datetime.timedelta(days=3)


def add_at_once(profile):
    """THREADS adds of the same dates, each in its own connection, all at once."""
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def run():
        try:
            barrier.wait()
            providers.time_away_add(profile=profile, starts_on=FIRST, ends_on=LAST)
            outcomes.append("added")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def slow_overlap_check(monkeypatch):
    """Widen the window between looking for an overlap and saving."""
    original = providers._overlapping_time_away

    def slow(*args):
        found = original(*args)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(providers, "_overlapping_time_away", slow)


def test_without_the_lock_the_same_dates_are_kept_twice(monkeypatch, slow_overlap_check):
    monkeypatch.setattr(providers, "_lock_provider", lambda profile: None)
    profile = ProviderProfileFactory()

    outcomes = add_at_once(profile)

    assert outcomes.count("added") > 1  # the race: overlapping dates away kept side by side
    assert TimeAway.objects.filter(provider=profile).count() > 1


def test_the_lock_keeps_one_and_refuses_the_rest(slow_overlap_check):
    profile = ProviderProfileFactory()

    outcomes = add_at_once(profile)

    assert sorted(outcomes) == ["added"] + ["refused"] * (THREADS - 1)
    assert TimeAway.objects.filter(provider=profile).count() == 1
