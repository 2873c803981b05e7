"""Batch offers racing on PostgreSQL, in a pair: without the locks a provider is offered
more places than they have; with them, never."""

import time

import pytest
from django.db.models import QuerySet

from matchmaking import lifecycle
from matchmaking.constants import CAPACITY_STATUSES
from matchmaking.lifecycle import AllocatedEdge
from matchmaking.models import Match
from tests.factories import AreaFactory, NeedFactory, category
from tests.matching import NOW, eligible_cook
from tests.matchmaking.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BATCHES = 8


@pytest.fixture
def slow_capacity_check(monkeypatch):
    """Widen the window between counting a provider's places and writing the offers."""
    real = lifecycle._place_is_free

    def slow(provider, held):
        time.sleep(0.05)
        return real(provider, held)

    monkeypatch.setattr(lifecycle, "_place_is_free", slow)


def _batches_for_one_place():
    area = AreaFactory()
    needs = [NeedFactory(category=category("meals"), area=area) for _ in range(BATCHES)]
    cook = eligible_cook(needs[0], capacity=1)
    batches = [
        [AllocatedEdge(need=need.pk, provider=cook.pk, score=0.5, explanation={})] for need in needs
    ]
    return cook, batches


def _offer(edges):
    lifecycle.need_offer_allocated_many(edges=edges, now=NOW)


def test_batches_overfill_a_provider_without_the_locks(slow_capacity_check, monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, **kwargs: self)
    cook, batches = _batches_for_one_place()
    race(_offer, batches)
    assert Match.objects.filter(provider=cook, status__in=CAPACITY_STATUSES).count() > 1


def test_batches_never_overfill_a_provider(slow_capacity_check):
    cook, batches = _batches_for_one_place()
    race(_offer, batches)
    assert Match.objects.filter(provider=cook, status__in=CAPACITY_STATUSES).count() == 1
