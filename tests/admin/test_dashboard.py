"""matchmaking.dashboard: each figure against a small borough worked out by hand."""

from decimal import Decimal

import pytest

from matchmaking import dashboard
from matchmaking.constants import ConcernKind, MatchStatus, VisitStatus
from matchmaking.models import Match, Visit
from services.models import UnitCost
from tests.admin.borough import DAY, HOUR, NOW, TODAY
from tests.factories import ProgrammeFactory, category

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
    assert meals["budget"] == Decimal("1000")
    assert meals["time_share"] == 31 / 60
    # No spend recorded and no visit done: no figure, rather than the budget shared out.
    assert meals["actual_spend"] is None and meals["spend_per_resident"] is None
    assert meals["visits_done"] == 0 and meals["equivalent_cost"] is None
    assert rows[1]["helped"] == 0 and rows[1]["spend_per_resident"] is None
    north = dashboard.programme_progress(frozenset([borough.north.pk]), today=TODAY)
    assert [(row["programme"], row["helped"]) for row in north] == [("Meals", 1)]


def _visits(borough):
    """Two meals done and one missed in North (the active match), one done in South."""
    north = Match.objects.get(need__programme=borough.programme, status=MatchStatus.ACTIVE)
    south = Match.objects.get(need__programme=borough.programme, need__area=borough.south)
    for index, (match, status) in enumerate(
        [
            (north, VisitStatus.DONE),
            (north, VisitStatus.DONE),
            (north, VisitStatus.MISSED),
            (south, VisitStatus.DONE),
        ]
    ):
        starts = NOW - (index + 1) * DAY
        Visit.objects.create(match=match, starts_at=starts, ends_at=starts + HOUR, status=status)


def test_spend_per_resident_comes_from_actual_spend_not_budget(borough):
    borough.programme.actual_spend = Decimal("300")
    borough.programme.save()
    meals = dashboard.programme_progress(None, today=TODAY)[0]
    assert meals["spend_per_resident"] == Decimal("150.00")  # £300 over 2, not £1,000 over 2
    nobody = ProgrammeFactory(name="Nobody yet", actual_spend=Decimal("50"))
    row = next(r for r in dashboard.programme_progress(None) if r["id"] == nobody.pk)
    assert row["spend_per_resident"] is None


def test_equivalent_provision_is_visits_done_times_unit_cost(borough):
    _visits(borough)
    programme_rows = dashboard.programme_progress(None, today=TODAY)
    assert programme_rows[0]["visits_done"] == 3
    assert programme_rows[0]["equivalent_cost"] is None  # visits, but no unit cost yet
    UnitCost.objects.create(
        programme=borough.programme,
        category=category("meals"),
        cost=Decimal("7.50"),
        unit="a meal",
        source="Council meals service price list 2026",
    )
    meals = dashboard.programme_progress(None, today=TODAY)[0]
    assert meals["equivalent_cost"] == Decimal("22.50")  # 3 meals done × £7.50
    (workings,) = meals["estimate"].costed
    assert (workings.visits, workings.unit, workings.source) == (
        3,
        "a meal",
        "Council meals service price list 2026",
    )
    north = dashboard.programme_progress(frozenset([borough.north.pk]), today=TODAY)[0]
    assert north["equivalent_cost"] == Decimal("15.00")  # North's two
