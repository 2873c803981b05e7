"""Cost figures a commissioner can defend: spend per resident helped from the money actually
spent (never the budget), and the estimated cost of equivalent council provision, from visits
done × the programme's unit cost for the category. Each figure is None when there is nothing
to build it from, so no page shows a made-up zero."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from matchmaking import scoping
from matchmaking.constants import VisitStatus
from matchmaking.models import Match, Visit
from services.models import UnitCost

PENNY = Decimal("0.01")

ESTIMATE_METHOD = (
    "Estimate: each visit done in the programme, counted as one unit of what the council "
    "would otherwise provide for its category, times the programme's unit cost for that "
    "category. Categories without a unit cost are not counted."
)


def spend_per_resident(actual_spend: Decimal | None, residents: int) -> Decimal | None:
    """Actual spend divided by the residents helped; None without a recorded spend or anybody
    helped."""
    if actual_spend is None or not residents:
        return None
    return (Decimal(actual_spend) / residents).quantize(PENNY)


@dataclass(frozen=True)
class CostedCategory:
    category: str
    visits: int
    unit: str
    unit_cost: Decimal
    source: str

    @property
    def cost(self) -> Decimal:
        return (self.unit_cost * self.visits).quantize(PENNY)


@dataclass(frozen=True)
class EquivalentProvision:
    """The estimate for one programme, with its workings."""

    costed: list[CostedCategory] = field(default_factory=list)
    uncosted_visits: int = 0  # visits done in categories the programme has no unit cost for

    @property
    def visits(self) -> int:
        return sum(row.visits for row in self.costed)

    @property
    def total(self) -> Decimal | None:
        """None until at least one visit done has a unit cost."""
        if not self.visits:
            return None
        return sum((row.cost for row in self.costed), Decimal("0.00"))


def visits_done_by_category(programme_ids, area_ids) -> dict[int, dict[int, int]]:
    """{programme id: {category id: visits done}} over each programme's whole life."""
    matches = scoping.matches_in_areas(
        Match.objects.filter(need__programme__in=programme_ids), area_ids
    )
    rows = (
        Visit.objects.filter(status=VisitStatus.DONE, match__in=matches)
        .order_by()
        .values_list("match__need__programme_id", "match__need__category_id")
        .annotate(n=Count("pk"))
    )
    done = defaultdict(dict)
    for programme_id, category_id, n in rows:
        done[programme_id][category_id] = n
    return done


def equivalent_provision(programme_ids, area_ids) -> dict[int, EquivalentProvision]:
    """{programme id: its estimate}: two queries whatever the number of programmes."""
    done = visits_done_by_category(programme_ids, area_ids)
    unit_costs = defaultdict(dict)
    for unit_cost in UnitCost.objects.filter(programme__in=programme_ids).select_related(
        "category"
    ):
        unit_costs[unit_cost.programme_id][unit_cost.category_id] = unit_cost
    estimates = {}
    for programme_id in programme_ids:
        visits = done.get(programme_id, {})
        costs = unit_costs.get(programme_id, {})
        costed = [
            CostedCategory(
                category=costs[category_id].category.name,
                visits=n,
                unit=costs[category_id].unit,
                unit_cost=costs[category_id].cost,
                source=costs[category_id].source,
            )
            for category_id, n in visits.items()
            if category_id in costs
        ]
        costed.sort(key=lambda row: row.category)
        uncosted = sum(n for category_id, n in visits.items() if category_id not in costs)
        estimates[programme_id] = EquivalentProvision(costed=costed, uncosted_visits=uncosted)
    return estimates
