"""Helpers for matching tests: an eligible provider for a need, and matches in any state."""

import datetime

from django.utils import timezone

from accounts.constants import CheckKind
from matchmaking.constants import MatchStatus
from matchmaking.models import Match
from tests.provider_factories import AvailabilityFactory, CheckFactory, ProviderProfileFactory

NOW = timezone.now()


def eligible_cook(need, *, latitude=None, capacity=2, **kwargs):
    """An active home cook who passes every hard filter for `need`."""
    provider = ProviderProfileFactory(
        active=True,
        skills=[need.category],
        latitude=latitude if latitude is not None else need.latitude,
        longitude=need.longitude,
        capacity=capacity,
        travel_radius_km=10,
        **kwargs,
    )
    for kind in (CheckKind.FOOD_HYGIENE, CheckKind.DBS_BASIC):
        CheckFactory(provider=provider, kind=kind, verified=True)
    AvailabilityFactory(
        provider=provider,
        weekday=need.on_date.weekday(),
        starts_at=datetime.time(9),
        ends_at=datetime.time(18),
    )
    return provider


def make_match(need, provider, status, **fields):
    defaults = {
        "offered_at": NOW,
        "expires_at": NOW + datetime.timedelta(hours=48),
        "explanation": {"distance_km": 1.2, "components": {}},
    }
    if status in (MatchStatus.ACCEPTED, MatchStatus.ACTIVE):
        defaults["accepted_at"] = NOW
    return Match.objects.create(
        need=need, provider=provider, status=status, **{**defaults, **fields}
    )
