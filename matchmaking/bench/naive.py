"""The obvious implementation of candidate_facts: every active provider, a few queries each.

It is the baseline the scoring benchmark measures against, and the reference the candidate
tests compare with: written independently of `candidates.py` (Python loops where that module
uses SQL), sharing only `need_facts` and the weights, so the two can be checked against each
other.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.constants import CheckStatus, ProviderStatus
from accounts.models import ProviderProfile
from matchmaking import scoring
from matchmaking.candidates import (
    DECLINED_STATUSES,
    FAIRNESS_WINDOW,
    need_facts,
    programme_weights,
    resident_key,
)
from matchmaking.constants import CAPACITY_STATUSES, MatchStatus


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def naive_candidate_facts(need, *, now=None) -> list[scoring.CandidateFacts]:
    """Every active provider with the need's category among their skills, screened by no one."""
    now = now or timezone.now()
    resident = resident_key(need)
    candidates = []
    for provider in ProviderProfile.objects.filter(status=ProviderStatus.ACTIVE).order_by("pk"):
        if not provider.skills.filter(pk=need.category_id).exists():
            continue
        checks = {
            check.kind: check.expires_at
            for check in provider.checks.filter(status=CheckStatus.VERIFIED)
        }
        availability = tuple(
            (slot.weekday, _minutes(slot.starts_at), _minutes(slot.ends_at))
            for slot in provider.availability.all()
        )
        recent_offers = sum(
            1
            for offered_at in provider.matches.exclude(offered_at=None).values_list(
                "offered_at", flat=True
            )
            if now - FAIRNESS_WINDOW < offered_at <= now
        )
        completed = provider.matches.filter(status=MatchStatus.COMPLETED).select_related("need")
        candidates.append(
            scoring.CandidateFacts(
                provider_id=provider.pk,
                kind=provider.kind,
                is_active=provider.is_active,
                lat=provider.latitude,
                lon=provider.longitude,
                radius_km=provider.travel_radius_km,
                capacity=provider.capacity,
                live_matches=provider.matches.filter(status__in=CAPACITY_STATUSES).count(),
                checks=checks,
                availability=availability,
                away=tuple((t.starts_on, t.ends_on) for t in provider.time_away.all()),
                languages=frozenset(provider.languages),
                rating_sum=float(provider.rating_sum),
                rating_count=provider.rating_count,
                offers_received=provider.offers_received,
                offers_accepted=provider.offers_accepted,
                matches_completed=provider.matches_completed,
                completed_with_resident=sum(
                    1 for match in completed if resident_key(match.need) == resident
                ),
                recent_offers=recent_offers,
                declined_this_need=provider.matches.filter(
                    need=need, status__in=DECLINED_STATUSES
                ).exists(),
                blocked=provider.blocked_by.filter(
                    resident_id__in=[need.resident_id, need.requested_by_id]
                ).exists(),
            )
        )
    return candidates


def naive_rank_need(need, *, weights=None, limit=None, now=None) -> scoring.Ranking:
    """Same contract as candidates.rank_need, at one query or more per provider."""
    now = now or timezone.now()
    facts = need_facts(need, now=now)
    if weights is None:
        weights = programme_weights(need.programme)
    return scoring.rank(facts, naive_candidate_facts(need, now=now), weights, limit=limit)
