"""Publishing weights while someone saves a new draft, on PostgreSQL, in a pair: without the
lock the new draft vanishes unseen; with it the draft survives (published after, or the
publish refused because the draft changed)."""

import time

import pytest

from matchmaking import programme_weights, scoring
from services.models import Programme
from tests.factories import ProgrammeFactory, UserFactory
from tests.matchmaking.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SEEN = {**scoring.DEFAULT_WEIGHTS.as_dict(), "trust": 3.5}
NEWER = {**scoring.DEFAULT_WEIGHTS.as_dict(), "trust": 7.0}


@pytest.fixture
def slow_checks(monkeypatch):
    """Widen the window between reading the programme and writing it."""
    original = programme_weights._checked

    def slow(weights):
        time.sleep(0.3)
        return original(weights)

    monkeypatch.setattr(programme_weights, "_checked", slow)


@pytest.fixture
def without_the_lock(monkeypatch, slow_checks):
    monkeypatch.setattr(
        programme_weights, "_lock", lambda programme: Programme.objects.get(pk=programme.pk)
    )


def publish_and_save_at_once():
    programme = ProgrammeFactory(draft_weights=SEEN)
    publisher, saver = UserFactory(), UserFactory()

    def act(who):
        if who == "publish":
            time.sleep(0.05)  # the saver reads first: its draft lands while publish waits
            programme_weights.programme_weights_publish(
                programme=programme, actor=publisher, seen_draft=SEEN
            )
        else:
            programme_weights.programme_weights_draft(
                programme=programme, weights=NEWER, actor=saver
            )

    outcomes = race(act, ["publish", "save"])
    programme.refresh_from_db()
    return programme, outcomes


def test_without_the_lock_a_new_draft_vanishes(without_the_lock):
    programme, outcomes = publish_and_save_at_once()
    assert outcomes == ["ok", "ok"]
    assert programme.draft_weights is None  # the newer draft is gone, nobody told


def test_with_the_lock_the_new_draft_survives(slow_checks):
    programme, outcomes = publish_and_save_at_once()
    assert programme.draft_weights == NEWER
    if "ok" in outcomes and len(set(outcomes)) == 1:
        assert programme.weights["trust"] == 3.5  # published first, the new draft after
    else:
        assert any("The draft has changed" in outcome for outcome in outcomes)
        assert programme.weights == {}
