"""An urgent need offered to twenty providers, all saying yes at the same moment, on
PostgreSQL: without the lock the accepts collide in the database; with it exactly one takes
the need and every other provider hears that someone else has already said yes."""

import threading
import time

import pytest
from django.db import connection, connections

from accounts.exceptions import TransitionError
from accounts.models import ProviderProfile
from matchmaking import lifecycle
from matchmaking.constants import MatchStatus
from services.constants import Urgency
from tests.api.conftest import token_client
from tests.factories import NeedFactory, ProgrammeFactory
from tests.matching import eligible_cook

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
TAKEN = "Someone else has already said yes to this request."


def race(target, arguments):
    """Run target(arg) for each argument in its own thread and connection, all at once;
    returns each outcome: "ok", a refusal's message, or the name of any other error."""
    barrier = threading.Barrier(len(arguments))
    outcomes = []
    lock = threading.Lock()

    def run(argument):
        try:
            barrier.wait()
            result = target(argument)
        except TransitionError as error:
            result = str(error)
        except Exception as error:  # what a person would meet as a server error
            result = f"error: {type(error).__name__}"
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


def offered_to_twenty():
    need = NeedFactory(
        urgency=Urgency.URGENT, programme=ProgrammeFactory(urgent_alert_count=THREADS)
    )
    for step in range(THREADS):
        eligible_cook(need, latitude=need.latitude + step * 0.001)
    lifecycle.need_offer_next(need=need)
    offers = list(need.matches.select_related("provider__user"))
    assert len(offers) == THREADS and all(o.status == MatchStatus.OFFERED for o in offers)
    return need, offers


def accept(offer):
    lifecycle.match_accept(match=offer, actor=offer.provider.user)
    return "ok"


@pytest.fixture
def without_locks(monkeypatch):
    """Read rows without FOR UPDATE and widen the window between check and write."""

    def unlocked(match):
        from matchmaking.models import Match
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


def test_twenty_accepts_of_one_urgent_need_collide_without_the_lock(without_locks):
    need, offers = offered_to_twenty()
    outcomes = race(accept, offers)
    # The race: everyone got past "has someone said yes?" before anyone wrote, so the
    # database's one-taken-match constraint (or a deadlock) stopped them: a server error
    # where the provider should have read a message.
    assert len(outcomes) == THREADS
    assert any(o.startswith("error:") for o in outcomes)
    assert need.matches.filter(status__in=[MatchStatus.ACCEPTED, MatchStatus.ACTIVE]).count() <= 1


def test_twenty_accepts_of_one_urgent_need_one_takes_it_the_rest_are_told():
    need, offers = offered_to_twenty()
    outcomes = race(accept, offers)
    assert outcomes.count("ok") == 1
    assert all(TAKEN in o for o in outcomes if o != "ok"), set(outcomes)
    assert need.matches.filter(status=MatchStatus.ACCEPTED).count() == 1
    assert need.matches.filter(status=MatchStatus.CANCELLED).count() == THREADS - 1


def test_twenty_accepts_over_the_api_are_one_200_and_nineteen_409s():
    need, offers = offered_to_twenty()
    clients = [(token_client(offer.provider.user), offer.pk) for offer in offers]

    def post(client_and_pk):
        client, pk = client_and_pk
        return client.post(f"/api/v1/matches/{pk}/accept/").status_code

    outcomes = race(post, clients)
    assert sorted(outcomes) == [200] + [409] * (THREADS - 1)
    assert need.matches.filter(status=MatchStatus.ACCEPTED).count() == 1


def test_this_runs_on_postgresql():
    assert connection.vendor == "postgresql"
