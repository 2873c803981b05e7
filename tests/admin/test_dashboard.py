"""matchmaking.dashboard: each figure against a small borough worked out by hand."""

from decimal import Decimal

import pytest

from matchmaking import dashboard
from matchmaking.constants import ConcernKind
from tests.admin.borough import DAY, HOUR, TODAY

pytestmark = pytest.mark.django_db

PERIOD = dashboard.Period(TODAY - 9 * DAY, TODAY)  # the last ten days


def test_open_and_unmet_needs_by_area_and_category(borough):
    assert dashboard.open_needs(None) == [
        {"area": "North", "category": "A hot meal", "open": 2, "unmet": 1},
        {"area": "North", "category": "Companionship", "open": 1, "unmet": 0},
        {"area": "South", "category": "A hot meal", "open": 1, "unmet": 0},
    ]
    assert dashboard.open_needs(frozenset([borough.south.pk])) == [
        {"area": "South", "category": "A hot meal", "open": 1, "unmet": 0},
    ]


def test_median_time_from_request_to_active_match(borough):
    assert dashboard.median_time_to_active(None, PERIOD) == 20 * HOUR
    assert dashboard.median_time_to_active(frozenset([borough.north.pk]), PERIOD) == 15 * HOUR
    quiet = dashboard.Period(TODAY - 60 * DAY, TODAY - 50 * DAY)
    assert dashboard.median_time_to_active(None, quiet) is None


def test_offer_acceptance_and_completed_matches(borough):
    assert dashboard.offer_acceptance(None, PERIOD) == {"offered": 5, "accepted": 3, "rate": 0.6}
    north = frozenset([borough.north.pk])
    assert dashboard.offer_acceptance(north, PERIOD)["offered"] == 3
    assert dashboard.offer_acceptance(north, PERIOD)["accepted"] == 2
    assert dashboard.completed_matches(None, PERIOD) == 2
    assert dashboard.completed_matches(north, PERIOD) == 1
    assert dashboard.completed_matches(None, dashboard.Period.last_days(365)) == 3
    empty = dashboard.Period(TODAY + DAY, TODAY + DAY)
    assert dashboard.offer_acceptance(None, empty) == {"offered": 0, "accepted": 0, "rate": None}


def test_ratings_distribution(borough):
    assert dashboard.ratings_distribution(None, PERIOD) == [
        {"score": 1, "count": 0},
        {"score": 2, "count": 0},
        {"score": 3, "count": 0},
        {"score": 4, "count": 1},
        {"score": 5, "count": 2},
    ]
    north = dashboard.ratings_distribution(frozenset([borough.north.pk]), PERIOD)
    assert [row["count"] for row in north] == [0, 0, 0, 0, 1]


def test_open_concerns(borough):
    figures = dashboard.open_concerns(None)
    assert (figures["total"], figures["urgent"]) == (2, 1)
    by_kind = {row["kind"]: (row["open"], row["urgent"]) for row in figures["by_kind"]}
    assert by_kind[ConcernKind.SAFEGUARDING.label] == (1, 1)
    assert by_kind[ConcernKind.CONDUCT.label] == (1, 0)
    assert by_kind[ConcernKind.NO_SHOW.label] == (0, 0)
    north = dashboard.open_concerns(frozenset([borough.north.pk]))
    assert (north["total"], north["urgent"]) == (1, 1)


def test_supply_against_demand(borough):
    assert dashboard.supply_and_demand(None) == [
        {"area": "North", "category": "A hot meal", "providers": 2, "open_needs": 2},
        {"area": "North", "category": "Companionship", "providers": 1, "open_needs": 1},
        {"area": "South", "category": "A hot meal", "providers": 1, "open_needs": 1},
        {"area": "No area", "category": "A hot meal", "providers": 1, "open_needs": 0},
    ]
    assert dashboard.supply_and_demand(frozenset([borough.south.pk])) == [
        {"area": "South", "category": "A hot meal", "providers": 1, "open_needs": 1},
    ]


def test_programme_progress(borough):
    rows = dashboard.programme_progress(None, today=TODAY)
    meals = rows[0]
    assert [row["programme"] for row in rows] == ["Meals", "South only"]
    assert (meals["target"], meals["helped"], meals["target_share"]) == (4, 2, 0.5)
    assert meals["budget"] == Decimal("1000") and meals["budget_per_resident"] == Decimal("500.00")
    assert meals["time_share"] == 31 / 60
    assert rows[1]["helped"] == 0 and rows[1]["budget_per_resident"] is None
    north = dashboard.programme_progress(frozenset([borough.north.pk]), today=TODAY)
    assert [(row["programme"], row["helped"]) for row in north] == [("Meals", 1)]
