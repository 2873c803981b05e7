"""Races on PostgreSQL, in pairs: without the locks the invariant breaks; with them it holds."""

import threading
import time

import pytest
from django.db import connection, connections

from accounts.constants import ProviderStatus
from accounts.exceptions import TransitionError
from accounts.models import ProviderProfile
from matchmaking import lifecycle, safeguarding
from matchmaking.constants import LIVE_STATUSES, MatchStatus
from matchmaking.models import Match
from tests.factories import NeedFactory, StaffFactory
from tests.matching import eligible_cook, make_match

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


def race(target, arguments):
    """Run target(arg) for each argument in its own thread and connection, all at once."""
    barrier = threading.Barrier(len(arguments))
    outcomes = []
    lock = threading.Lock()

    def run(argument):
        try:
            barrier.wait()
            target(argument)
            result = "ok"
        except TransitionError as error:
            result = str(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def without_locks(monkeypatch):
    """Read rows without FOR UPDATE and widen the window between check and write."""

    def unlocked(match):
        from services.models import Need

        fresh = Match.objects.get(pk=match.pk)
        fresh.need = Need.objects.get(pk=match.need_id)
        fresh.provider = ProviderProfile.objects.select_related("user").get(pk=match.provider_id)
        return fresh

    original_move = lifecycle._move

    def slow_move(match, action, now, **fields):
        if action == "accept":
            time.sleep(0.3)
        return original_move(match, action, now, **fields)

    monkeypatch.setattr(lifecycle, "_lock", unlocked)
    monkeypatch.setattr(lifecycle, "_move", slow_move)


def test_twenty_accepts_of_one_offer_race_without_the_lock(without_locks):
    need = NeedFactory()
    provider = eligible_cook(need, capacity=20)
    offer = make_match(need, provider, MatchStatus.OFFERED)
    outcomes = race(
        lambda _: lifecycle.match_accept(match=offer, actor=provider.user), range(THREADS)
    )
    provider.refresh_from_db()
    assert outcomes.count("ok") > 1  # the race: several "accepted" the same offer
    assert provider.offers_accepted > 1


def test_twenty_accepts_of_one_offer_only_one_succeeds():
    need = NeedFactory()
    provider = eligible_cook(need, capacity=20)
    offer = make_match(need, provider, MatchStatus.OFFERED)
    outcomes = race(
        lambda _: lifecycle.match_accept(match=offer, actor=provider.user), range(THREADS)
    )
    assert outcomes.count("ok") == 1
    assert all("cannot be accepted" in o for o in outcomes if o != "ok")
    provider.refresh_from_db()
    offer.refresh_from_db()
    assert offer.status == MatchStatus.ACCEPTED and provider.offers_accepted == 1


def offers_to_one_provider(capacity):
    provider = eligible_cook(NeedFactory(), capacity=capacity)
    return provider, [
        make_match(NeedFactory(), provider, MatchStatus.OFFERED) for _ in range(THREADS)
    ]


def test_concurrent_accepts_exceed_capacity_without_the_lock(without_locks):
    provider, offers = offers_to_one_provider(capacity=2)
    outcomes = race(lambda offer: lifecycle.match_accept(match=offer, actor=provider.user), offers)
    assert outcomes.count("ok") > 2


def test_concurrent_accepts_never_exceed_capacity():
    provider, offers = offers_to_one_provider(capacity=2)
    outcomes = race(lambda offer: lifecycle.match_accept(match=offer, actor=provider.user), offers)
    assert outcomes.count("ok") == 2
    assert all("your limit" in o for o in outcomes if o != "ok")
    assert provider.matches.filter(status=MatchStatus.ACCEPTED).count() == 2
    assert provider.matches.filter(status=MatchStatus.OFFERED).count() == THREADS - 2


def test_concurrent_engine_runs_make_one_live_match_per_need():
    need = NeedFactory()
    for _ in range(5):
        eligible_cook(need)
    race(lambda _: lifecycle.need_offer_next(need=need), range(THREADS))
    assert Match.objects.filter(need=need, status__in=LIVE_STATUSES).count() == 1


def test_this_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def suspend_while_accepting(suspend_delay=0.0):
    need = NeedFactory()
    provider = eligible_cook(need)
    offer = make_match(need, provider, MatchStatus.OFFERED)
    staff = StaffFactory()

    def act(which):
        if which == "accept":
            lifecycle.match_accept(match=offer, actor=provider.user)
        else:
            time.sleep(suspend_delay)
            safeguarding.provider_suspend(provider=provider, actor=staff, reason="Concern raised")

    outcomes = race(act, ["accept", "suspend"])
    provider.refresh_from_db()
    return provider, outcomes


def test_suspending_during_an_accept_leaves_a_live_match_without_the_lock(without_locks):
    # The accept reads the offer first, the suspension lands while it is writing.
    provider, _ = suspend_while_accepting(suspend_delay=0.1)
    assert provider.status == ProviderStatus.SUSPENDED
    assert Match.objects.filter(provider=provider, status__in=LIVE_STATUSES).exists()


def test_suspending_during_an_accept_ends_consistent():
    for delay in (0.0, 0.05, 0.1, 0.0, 0.02):  # whichever arrives first, the end is the same
        provider, outcomes = suspend_while_accepting(suspend_delay=delay)
        assert provider.status == ProviderStatus.SUSPENDED
        assert not Match.objects.filter(provider=provider, status__in=LIVE_STATUSES).exists()
        assert all(o == "ok" or "cannot be accepted" in o or "not active" in o for o in outcomes)
