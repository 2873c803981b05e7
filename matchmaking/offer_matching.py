"""From a provider's one-off offer to the residents it could go to, ranked by the engine.

The reverse of `candidates.rank_need`: one provider, many residents. Who is read:

- residents with an open one-off request of the offer's kind on the offer's date that no
  provider has yet (a live match already answers it);
- residents who asked to hear of offers of that kind near home (`OfferAlert`), whether or
  not they have a request.

Both only inside the box around the offer's reach; a resident with both counts once, as
their request. `scoring.rank_offer` then applies the same hard filters and components as a
need's ranking (checks valid on the offer's date, the offer's reach as the provider's radius,
the programme's maximum distance, the offer's window as the provider's availability, blocks).

Queries, whatever the number of residents: the provider with their figures, their live and
recent matches, their verified checks, the programme, the open requests, the alerts, blocks
and the provider's completed matches: under ten.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.constants import CheckStatus, ProviderStatus
from accounts.models import Check, ProviderProfile
from matchmaking import candidates, scoring
from matchmaking.constants import CAPACITY_STATUSES, LIVE_STATUSES, MatchStatus
from matchmaking.models import Block, Match, OfferAlert
from services.constants import NeedStatus, Schedule
from services.models import Need, Offer, Postcode
from services.needs import programme_for

# Offers are put to this many residents at once when no programme says otherwise.
DEFAULT_OFFER_PROPOSALS = 3


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def offer_slot(offer: Offer) -> scoring.Slot:
    """The offer's window as an engine slot."""
    return (offer.on_date.weekday(), _minutes(offer.starts_at), _minutes(offer.ends_at))


def offer_area_id(offer: Offer) -> int | None:
    """The area of the provider's home postcode (where the offer is made from)."""
    return (
        Postcode.objects.filter(code=offer.provider.home_postcode)
        .values_list("area_id", flat=True)
        .first()
    )


def offer_programme(offer: Offer):
    """The programme that commissions the offer's kind of help where and when it is made."""
    area_id = offer_area_id(offer)
    if area_id is None:
        return None
    return programme_for(category=offer.category, area=area_id, on_date=offer.on_date)


def proposals_wanted(programme) -> int:
    """How many residents an offer is put to at once."""
    return programme.offer_proposals if programme is not None else DEFAULT_OFFER_PROPOSALS


def _later(expiry, than):
    return (expiry or datetime.date.max) > (than or datetime.date.max)


def offer_provider_facts(offer: Offer, *, now: datetime.datetime) -> scoring.CandidateFacts:
    """The provider as offering: the offer's window is their availability, its reach their
    radius; everything else (status, checks, capacity, figures) as for any need."""
    provider = ProviderProfile.objects.annotate(**candidates._VISITS_FOLDED).get(
        pk=offer.provider_id
    )
    live = Match.objects.filter(provider_id=provider.pk, status__in=CAPACITY_STATUSES).count()
    recent = Match.objects.filter(
        provider_id=provider.pk,
        offered_at__gt=now - candidates.FAIRNESS_WINDOW,
        offered_at__lte=now,
    ).count()
    checks: dict[str, datetime.date | None] = {}
    for kind, expires_at in Check.objects.filter(
        provider_id=provider.pk,
        status=CheckStatus.VERIFIED,
        kind__in=offer.category.required_checks,
    ).values_list("kind", "expires_at"):
        # A renewed check sits beside the old one: the later expiry counts (None: never).
        if kind not in checks or _later(expires_at, checks[kind]):
            checks[kind] = expires_at
    return scoring.CandidateFacts(
        provider_id=provider.pk,
        kind=provider.kind,
        is_active=provider.status == ProviderStatus.ACTIVE,
        lat=offer.latitude,
        lon=offer.longitude,
        radius_km=offer.max_distance_km,
        capacity=provider.capacity,
        live_matches=live,
        checks=checks,
        availability=(offer_slot(offer),),
        languages=frozenset(provider.languages or ()),
        rating_sum=float(provider.rating_sum),
        rating_count=provider.rating_count,
        offers_received=provider.steps_offered,
        offers_accepted=provider.offers_accepted,
        matches_completed=provider.steps_kept,
        recent_offers=recent,
    )


@dataclass
class OfferCandidates:
    """The ranking, and what each ranked resident would be proposed through."""

    ranking: scoring.OfferRanking
    needs: dict[int, Need] = field(default_factory=dict)  # resident id → open request
    alerts: dict[int, int] = field(default_factory=dict)  # resident id → OfferAlert id
    programme: object = None

    @property
    def ranked(self) -> list[scoring.ScoredResident]:
        return self.ranking.ranked


def _open_requests(offer: Offer, box):
    """Open one-off requests of the offer's kind on its date, not yet answered by a match."""
    min_lat, max_lat, min_lon, max_lon = box
    live = Match.objects.filter(need=OuterRef("pk"), status__in=LIVE_STATUSES)
    return (
        Need.objects.filter(
            status=NeedStatus.OPEN,
            category_id=offer.category_id,
            schedule=Schedule.ONE_OFF,
            on_date=offer.on_date,
            latitude__range=(min_lat, max_lat),
            longitude__range=(min_lon, max_lon),
        )
        .filter(~Exists(live))
        .select_related("category", "programme")
        .order_by("created_at")
    )


def rank_offer_candidates(
    offer: Offer,
    *,
    exclude_residents=(),
    limit: int | None = None,
    programme=None,
    now: datetime.datetime | None = None,
) -> OfferCandidates:
    """Rank the residents `offer` could go to, best first (`exclude_residents`: ids of people
    it was already put to; `programme`: the offer's, when the caller has read it). The
    provider never sees their own offer."""
    now = now or timezone.now()
    category = offer.category
    if programme is None:
        programme = offer_programme(offer)
    provider = offer_provider_facts(offer, now=now)
    skip = {*exclude_residents, offer.provider.user_id}
    reach = min(offer.max_distance_km, candidates.SEARCH_RADIUS_CAP_KM)
    box = scoring.bounding_box(offer.latitude, offer.longitude, reach)
    allowed_kinds = frozenset(category.allowed_kinds)
    required_checks = frozenset(category.required_checks)
    programme_max = (
        programme.max_distance_km if programme is not None else candidates.DEFAULT_MAX_DISTANCE_KM
    )

    facts: dict[int, scoring.NeedFacts] = {}
    needs: dict[int, Need] = {}
    for need in _open_requests(offer, box):
        resident = candidates.resident_key(need)
        if resident in skip or resident in needs:
            continue
        needs[resident] = need
        facts[resident] = candidates.need_facts(need, now=now)
    alerts: dict[int, int] = {}
    min_lat, max_lat, min_lon, max_lon = box
    for alert_id, user_id, lat, lon in (
        OfferAlert.objects.filter(
            category_id=category.pk,
            latitude__range=(min_lat, max_lat),
            longitude__range=(min_lon, max_lon),
            user__is_active=True,
        )
        .order_by()
        .values_list("pk", "user_id", "latitude", "longitude")
    ):
        if user_id in skip or user_id in facts:
            continue
        alerts[user_id] = alert_id
        facts[user_id] = scoring.NeedFacts(
            need_id=0,
            resident_id=user_id,
            lat=lat,
            lon=lon,
            on_date=offer.on_date,
            slots=(),
            allowed_kinds=allowed_kinds,
            required_checks=required_checks,
            max_distance_km=programme_max,
        )
    blocked, completed = _pair_history(offer.provider_id, needs, facts)
    residents = [
        scoring.ResidentFacts(
            need=need_facts,
            blocked=resident in blocked,
            completed_with_provider=completed[resident],
        )
        for resident, need_facts in facts.items()
    ]
    ranking = scoring.rank_offer(
        provider, residents, candidates.programme_weights(programme), limit=limit
    )
    return OfferCandidates(ranking=ranking, needs=needs, alerts=alerts, programme=programme)


def _pair_history(provider_id: int, needs: dict[int, Need], facts) -> tuple[set, Counter]:
    """Who among the residents blocked the provider, and help the provider gave each before."""
    # A provider's blocks are few: read them all rather than ask about every resident.
    blockers = set(
        Block.objects.filter(provider_id=provider_id).values_list("resident_id", flat=True)
    )
    blocked = {resident for resident in facts if resident in blockers}
    # Someone asking on a resident's behalf who blocked the provider blocks them for the
    # resident too, as for a need's ranking.
    blocked |= {
        resident
        for resident, need in needs.items()
        if {need.requested_by_id, need.resident_id} & blockers
    }
    completed: Counter = Counter()
    for resident_id, requested_by_id in (
        Match.objects.filter(provider_id=provider_id, status=MatchStatus.COMPLETED)
        .order_by()
        .values_list("need__resident_id", "need__requested_by_id")
    ):
        completed[resident_id if resident_id is not None else requested_by_id] += 1
    return blocked, completed


__all__ = [
    "DEFAULT_OFFER_PROPOSALS",
    "OfferCandidates",
    "offer_programme",
    "offer_provider_facts",
    "proposals_wanted",
    "rank_offer_candidates",
]
