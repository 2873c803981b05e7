"""The demo's outcome surveys: enough pairs in one programme for a change with its interval."""

import random

import pytest

from matchmaking.outcomes import selectors, statistics
from matchmaking.outcomes.demo import demo_outcomes
from tests.factories import PostcodeFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_demo_gives_over_30_pairs_and_a_ucla3_change_with_its_interval():
    programme = ProgrammeFactory()
    postcodes = [PostcodeFactory() for _ in range(3)]

    made = demo_outcomes(
        rng=random.Random(7), programme=programme, postcodes=postcodes, domain="t.example",
        password="x",
    )  # fmt: skip

    pairs = selectors.outcome_pairs(programme=programme)
    assert made == len(pairs) >= 30
    change = statistics.paired_change(selectors.paired_values(pairs, "ucla3"))
    assert change.ci_low < change.mean_change < change.ci_high
    assert change.mean_change < 0  # less lonely on the UCLA-3 after help
    # Running it again adds nobody (the demo command can run twice).
    again = demo_outcomes(
        rng=random.Random(7), programme=programme, postcodes=postcodes, domain="t.example",
        password="x",
    )  # fmt: skip
    assert again == 0
