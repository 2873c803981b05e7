"""MatchFactory: a match in any lifecycle state, with the timestamps that state implies.

`MatchFactory(completed=True)` is offered, accepted, confirmed and ended; pass `offered_at` to
move the whole history in time (every later timestamp follows it).
"""

import datetime

import factory
from django.utils import timezone

from matchmaking.constants import DeclinedBy, MatchStatus
from matchmaking.models import Match
from tests.factories import NeedFactory
from tests.provider_factories import ProviderProfileFactory

OFFER_LIFETIME = datetime.timedelta(hours=48)


def _after(hours):
    return factory.LazyAttribute(lambda o: o.offered_at + datetime.timedelta(hours=hours))


class MatchFactory(factory.django.DjangoModelFactory):
    """A proposed match; one trait per later state."""

    class Meta:
        model = Match

    need = factory.SubFactory(NeedFactory)
    provider = factory.SubFactory(ProviderProfileFactory, active=True)
    status = MatchStatus.PROPOSED
    score = 0.5
    explanation = factory.LazyFunction(lambda: {"distance_km": 1.0, "components": {}})

    class Params:
        offered = factory.Trait(
            status=MatchStatus.OFFERED,
            offered_at=factory.LazyFunction(timezone.now),
            expires_at=factory.LazyAttribute(lambda o: o.offered_at + OFFER_LIFETIME),
        )
        accepted = factory.Trait(offered=True, status=MatchStatus.ACCEPTED, accepted_at=_after(1))
        active = factory.Trait(accepted=True, status=MatchStatus.ACTIVE, confirmed_at=_after(2))
        completed = factory.Trait(active=True, status=MatchStatus.COMPLETED, ended_at=_after(24))
        declined = factory.Trait(
            offered=True,
            status=MatchStatus.DECLINED,
            declined_by=DeclinedBy.PROVIDER,
            ended_at=_after(1),
        )
        expired = factory.Trait(
            offered=True,
            status=MatchStatus.EXPIRED,
            ended_at=factory.LazyAttribute(lambda o: o.expires_at),
        )
        cancelled = factory.Trait(accepted=True, status=MatchStatus.CANCELLED, ended_at=_after(3))
