"""Twenty residents pressing "Yes please" on one offer at once, on PostgreSQL, in a pair:
without the lock on the offer the losers hit the database's last guard (an error, not an
answer); with it exactly one takes the offer and every other reads that it has gone."""

import time

import pytest
from django.db import DatabaseError

from accounts.constants import CheckKind
from accounts.exceptions import TransitionError
from matchmaking import offer_proposals
from matchmaking.constants import OfferProposalStatus
from matchmaking.models import Match, OfferAlert, OfferProposal
from services.constants import OfferStatus
from services.models import Offer
from tests.factories import PostcodeFactory, UserFactory, category
from tests.matchmaking.test_concurrency import race
from tests.provider_factories import CheckFactory, OfferFactory, ProviderProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


def offer_put_to_everyone():
    provider = ProviderProfileFactory(active=True, skills=[category()])
    for kind in (CheckKind.FOOD_HYGIENE, CheckKind.DBS_BASIC):
        CheckFactory(provider=provider, kind=kind, verified=True)
    postcode = PostcodeFactory()
    for _ in range(THREADS):
        offer_proposals.offer_alerts_set(
            user=UserFactory(), categories=[category()], postcode=postcode, address="2 Mill Lane"
        )
    offer = OfferFactory(provider=provider)
    proposals = offer_proposals.offer_propose(offer=offer, count=THREADS)
    assert len(proposals) == THREADS
    return offer, list(OfferProposal.objects.filter(offer=offer).select_related("resident"))


def accept(proposal):
    try:
        offer_proposals.offer_accept(proposal=proposal, actor=proposal.resident)
    except DatabaseError as error:  # as a view would catch it: "something went wrong"
        raise TransitionError(f"database refused: {error}") from None


@pytest.fixture
def without_the_offer_lock(monkeypatch):
    """Read the offer without FOR UPDATE and widen the window between check and write."""

    def unlocked(offer_id):
        offer = Offer.objects.select_related("category", "provider__user").get(pk=offer_id)
        time.sleep(0.3)
        return offer

    monkeypatch.setattr(offer_proposals, "_lock_offer", unlocked)


def test_twenty_yeses_to_one_offer_race_without_the_lock(without_the_offer_lock):
    offer, proposals = offer_put_to_everyone()
    outcomes = race(accept, proposals)
    # Several got past the check that the offer was open; only the unique constraint on
    # accepted proposals stopped them, as errors a resident would not understand.
    assert any(o.startswith("database refused") for o in outcomes)
    assert Match.objects.filter(provider=offer.provider).count() <= 1


def test_twenty_yeses_to_one_offer_one_takes_it_and_the_others_are_told():
    offer, proposals = offer_put_to_everyone()
    outcomes = race(accept, proposals)
    assert outcomes.count("ok") == 1
    assert all("someone else has already taken" in o for o in outcomes if o != "ok")
    assert len(outcomes) == THREADS
    offer.refresh_from_db()
    assert offer.status == OfferStatus.TAKEN
    assert Match.objects.filter(provider=offer.provider).count() == 1
    statuses = sorted(OfferProposal.objects.filter(offer=offer).values_list("status", flat=True))
    assert statuses.count(OfferProposalStatus.ACCEPTED) == 1
    assert statuses.count(OfferProposalStatus.GONE) == THREADS - 1
    assert OfferAlert.objects.count() == THREADS
