"""The commissioning dashboard's figures, as plain data.

Every function takes `area_ids` as returned by `scoping.staff_area_ids` (None: every area,
including rows in no area) and, for flows, a `Period` of whole local days. Snapshots (open
needs, supply against demand, open concerns) describe now; flows (time to a match, offers,
completions, ratings) count what happened in the period. Each function is one or two
queries, grouped in the database; nothing loops over rows except the median.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.constants import ProviderStatus
from matchmaking import scoping
from matchmaking.constants import ConcernKind, ConcernStatus, MatchStatus, VisitStatus
from matchmaking.models import Concern, Match, Rating, Visit
from matchmaking.outcomes import costs
from services.constants import NeedStatus
from services.models import Area, Category, Need, Postcode, Programme

DEFAULT_DAYS = 90
NO_AREA = "No area"


@dataclass(frozen=True)
class Period:
    """From the start of `start` to the end of `end` (both local dates, inclusive)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def last_days(cls, days=DEFAULT_DAYS, today=None):
        today = today or timezone.localdate()
        return cls(today - datetime.timedelta(days=days - 1), today)

    @property
    def bounds(self):
        """[first moment, moment after the last) as aware datetimes."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return start, end

    def q(self, field):
        start, end = self.bounds
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _names(model, ids):
    return dict(
        model.objects.filter(pk__in=[i for i in ids if i is not None]).values_list("pk", "name")
    )


def _category_order(ids):
    rows = Category.objects.filter(pk__in=ids).values_list("pk", "name", "position")
    return {pk: (position, name) for pk, name, position in rows}


# --- snapshots ------------------------------------------------------------------------------


def open_needs(area_ids):
    """Open needs now, and how many of them are unmet (nobody left to ask), per area and
    category: [{"area", "category", "open", "unmet"}] ordered by area then category."""
    rows = (
        scoping.needs_in_areas(Need.objects.filter(status=NeedStatus.OPEN), area_ids)
        .order_by()
        .values("area__name", "category__name", "category__position")
        .annotate(open=Count("pk"), unmet=Count("pk", filter=Q(unmet_since__isnull=False)))
    )
    rows = sorted(
        rows, key=lambda r: (r["area__name"], r["category__position"], r["category__name"])
    )
    return [
        {
            "area": row["area__name"],
            "category": row["category__name"],
            "open": row["open"],
            "unmet": row["unmet"],
        }
        for row in rows
    ]


def supply_and_demand(area_ids):
    """Active providers with the skill, living in the area, against open needs there:
    [{"area", "category", "providers", "open_needs"}] ordered by area then category."""
    skills = Category.providers.through.objects.filter(
        providerprofile__status=ProviderStatus.ACTIVE
    )
    if area_ids is not None:
        skills = skills.filter(providerprofile__home_postcode__in=scoping.postcodes_in(area_ids))
    home_area = Subquery(
        Postcode.objects.filter(code=OuterRef("providerprofile__home_postcode")).values("area_id")[
            :1
        ]
    )
    supply = (
        skills.annotate(home_area=home_area)
        .order_by()
        .values("home_area", "category_id")
        .annotate(n=Count("providerprofile_id", distinct=True))
    )
    demand = (
        scoping.needs_in_areas(Need.objects.filter(status=NeedStatus.OPEN), area_ids)
        .order_by()
        .values("area_id", "category_id")
        .annotate(n=Count("pk"))
    )
    table = {}
    for row in supply:
        table.setdefault((row["home_area"], row["category_id"]), [0, 0])[0] = row["n"]
    for row in demand:
        table.setdefault((row["area_id"], row["category_id"]), [0, 0])[1] = row["n"]
    areas = _names(Area, {area for area, _ in table})
    categories = _category_order({category for _, category in table})
    keys = sorted(
        table,
        key=lambda key: (key[0] is None, areas.get(key[0], ""), categories[key[1]]),
    )
    return [
        {
            "area": areas.get(area, NO_AREA),
            "category": categories[category][1],
            "providers": table[(area, category)][0],
            "open_needs": table[(area, category)][1],
        }
        for area, category in keys
    ]


def open_concerns(area_ids):
    """{"total", "urgent", "by_kind": [{"kind", "open", "urgent"}]} for open concerns now."""
    rows = (
        scoping.concerns_in_areas(Concern.objects.filter(status=ConcernStatus.OPEN), area_ids)
        .order_by()
        .values("kind")
        .annotate(open=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)))
    )
    counts = {row["kind"]: row for row in rows}
    by_kind = [
        {
            "kind": kind.label,
            "open": counts.get(kind.value, {}).get("open", 0),
            "urgent": counts.get(kind.value, {}).get("urgent", 0),
        }
        for kind in ConcernKind
    ]
    return {
        "total": sum(row["open"] for row in by_kind),
        "urgent": sum(row["urgent"] for row in by_kind),
        "by_kind": by_kind,
    }


# --- flows in the period --------------------------------------------------------------------


def median_time_to_active(area_ids, period):
    """Median time from a request to its first active match, over the needs whose first
    match became active in the period; None when there are none."""
    firsts = (
        scoping.needs_in_areas(Need.objects.all(), area_ids)
        .order_by()
        .annotate(first_active=Min("matches__confirmed_at"))
        .filter(period.q("first_active"))
        .values_list("created_at", "first_active")
    )
    seconds = [(active - created).total_seconds() for created, active in firsts]
    if not seconds:
        return None
    return datetime.timedelta(seconds=statistics.median(seconds))


def offer_acceptance(area_ids, period):
    """Offers sent in the period and how many were accepted (then or later):
    {"offered", "accepted", "rate"} with rate None when nothing was offered."""
    figures = scoping.matches_in_areas(
        Match.objects.filter(period.q("offered_at")), area_ids
    ).aggregate(
        offered=Count("pk"),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
    )
    offered, accepted = figures["offered"], figures["accepted"]
    return {
        "offered": offered,
        "accepted": accepted,
        "rate": accepted / offered if offered else None,
    }


def completed_matches(area_ids, period):
    """Matches completed in the period."""
    return (
        scoping.matches_in_areas(
            Match.objects.filter(period.q("ended_at"), status=MatchStatus.COMPLETED), area_ids
        )
        .order_by()
        .count()
    )


def visits_done(area_ids, period):
    """Visits due in the period that happened, and that did not: {"done", "missed"}."""
    in_areas = scoping.matches_in_areas(Match.objects.all(), area_ids)
    return Visit.objects.filter(period.q("starts_at"), match__in=in_areas).aggregate(
        done=Count("pk", filter=Q(status=VisitStatus.DONE)),
        missed=Count("pk", filter=Q(status=VisitStatus.MISSED)),
    )


def ratings_distribution(area_ids, period):
    """Visible ratings given in the period: [{"score": 1..5, "count"}], every score listed."""
    rows = (
        scoping.ratings_in_areas(
            Rating.objects.filter(period.q("created_at"), hidden=False), area_ids
        )
        .order_by()
        .values("score")
        .annotate(count=Count("pk"))
    )
    counts = {row["score"]: row["count"] for row in rows}
    return [{"score": score, "count": counts.get(score, 0)} for score in range(1, 6)]


# --- programmes -----------------------------------------------------------------------------


def _share(part, whole):
    return part / whole if whole else None


def residents_helped(programmes, area_ids) -> dict[int, int]:
    """{programme id: distinct residents whose request in it reached an active match}."""
    helped_needs = scoping.needs_in_areas(
        Need.objects.filter(programme__in=programmes, matches__confirmed_at__isnull=False),
        area_ids,
    )
    return dict(
        helped_needs.order_by()
        .values("programme_id")
        .annotate(n=Count(Coalesce("resident_id", "requested_by_id"), distinct=True))
        .values_list("programme_id", "n")
    )


def programme_progress(area_ids, today=None):
    """Each programme working in the areas, over its whole life: distinct residents helped
    (a need of theirs in the programme reached an active match) against the target; the
    budget against the share of the programme's time gone; spend per resident helped from the
    actual spend (None until a spend is recorded); and the estimated cost of equivalent council
    provision (visits done × unit cost, None without a costed visit done).

    A resident is the need's resident account, or its requester when there is none (as the
    engine counts them). With area_ids, only programmes covering one of those areas, and only
    residents helped and visits done there.
    """
    today = today or timezone.localdate()
    programmes = Programme.objects.order_by("name")
    if area_ids is not None:
        programmes = programmes.filter(areas__in=area_ids).distinct()
    programmes = list(programmes)
    helped = residents_helped(programmes, area_ids)
    estimates = costs.equivalent_provision([p.pk for p in programmes], area_ids)
    rows = []
    for programme in programmes:
        residents = helped.get(programme.pk, 0)
        days = (programme.ends_on - programme.starts_on).days + 1
        gone = min(max((today - programme.starts_on).days + 1, 0), days)
        estimate = estimates[programme.pk]
        rows.append(
            {
                "id": programme.pk,
                "programme": programme.name,
                "starts_on": programme.starts_on,
                "ends_on": programme.ends_on,
                "target": programme.target_residents,
                "helped": residents,
                "target_share": _share(residents, programme.target_residents),
                "budget": Decimal(programme.budget),
                "actual_spend": programme.actual_spend,
                "spend_as_at": programme.spend_as_at,
                "spend_per_resident": costs.spend_per_resident(programme.actual_spend, residents),
                "visits_done": estimate.visits + estimate.uncosted_visits,
                "equivalent_cost": estimate.total,
                "estimate": estimate,
                "time_share": _share(gone, days),
            }
        )
    return rows
