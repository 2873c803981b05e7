"""A provider's one-off offer reaching residents: ranking in reverse, proposals, the first
yes taking it, the others told it has gone, expiry, and residents' wish to hear of offers."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.constants import CheckKind
from accounts.exceptions import AlreadyTaken, TransitionError
from matchmaking import offer_matching, offer_proposals
from matchmaking.constants import MatchStatus, OfferProposalStatus, VisitStatus
from matchmaking.models import Block, Notification, OfferAlert
from services.constants import NeedStatus, OfferStatus
from services.models import Need
from services.offers import offer_create, offer_withdraw
from tests.factories import NeedFactory, PostcodeFactory, ProgrammeFactory, UserFactory, category
from tests.provider_factories import CheckFactory, OfferFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db

# About 0.009 degrees of latitude is a kilometre.
KM = 0.009


def cook(**kwargs):
    """An active, vetted home cook at the default test location."""
    provider = ProviderProfileFactory(active=True, skills=[category()], **kwargs)
    for kind in (CheckKind.FOOD_HYGIENE, CheckKind.DBS_BASIC):
        CheckFactory(provider=provider, kind=kind, verified=True)
    return provider


def alert(user=None, *, km_north=0.5, area=None):
    """A resident who asked to hear of meal offers, `km_north` from the cook's home."""
    postcode = PostcodeFactory(latitude=51.4543 + km_north * KM, **({"area": area} if area else {}))
    offer_proposals.offer_alerts_set(
        user=user or UserFactory(),
        categories=[category()],
        postcode=postcode,
        address="4 Mill Lane",
    )
    return OfferAlert.objects.latest("pk")


def offer_for(provider, **kwargs):
    return OfferFactory(provider=provider, **kwargs)


# --- reverse ranking ----------------------------------------------------------------------------


def test_nearer_residents_rank_first_and_the_provider_never_sees_their_own_offer():
    provider = cook()
    far, near = alert(km_north=1.5), alert(km_north=0.2)
    alert(provider.user, km_north=0.1)
    found = offer_matching.rank_offer_candidates(offer_for(provider))
    assert [s.resident_id for s in found.ranked] == [near.user_id, far.user_id]


def test_residents_beyond_the_offers_reach_are_left_out():
    provider = cook()
    alert(km_north=3)
    found = offer_matching.rank_offer_candidates(offer_for(provider, max_distance_km=2))
    assert found.ranked == []


def test_a_check_expiring_before_the_offers_date_keeps_the_offer_from_everyone():
    provider = cook()
    provider.checks.filter(kind=CheckKind.FOOD_HYGIENE).update(
        expires_at=timezone.localdate() + datetime.timedelta(days=1)
    )
    resident = alert()
    found = offer_matching.rank_offer_candidates(offer_for(provider))  # three days ahead
    assert found.ranked == []
    assert [(e.resident_id, e.reason) for e in found.ranking.excluded] == [
        (resident.user_id, "check_expired")
    ]


def test_a_resident_who_blocked_the_provider_is_never_offered_their_food():
    provider = cook()
    blocker = alert()
    Block.objects.create(resident=blocker.user, provider=provider)
    found = offer_matching.rank_offer_candidates(offer_for(provider))
    assert [(e.resident_id, e.reason) for e in found.ranking.excluded] == [
        (blocker.user_id, "blocked")
    ]


def test_an_open_request_on_the_offers_date_and_time_is_found_without_an_alert():
    provider = cook()
    offer = offer_for(provider)
    fits = NeedFactory(
        on_date=offer.on_date, starts_at=datetime.time(18), ends_at=datetime.time(19)
    )
    NeedFactory(on_date=offer.on_date, starts_at=datetime.time(9), ends_at=datetime.time(10))
    NeedFactory(
        on_date=offer.on_date + datetime.timedelta(days=1),
        starts_at=datetime.time(18),
        ends_at=datetime.time(19),
    )
    found = offer_matching.rank_offer_candidates(offer)
    assert [s.need_id for s in found.ranked] == [fits.pk]
    assert [e.reason for e in found.ranking.excluded] == ["unavailable"]


def test_a_suspended_provider_reaches_nobody():
    provider = cook()
    alert()
    provider.status = "suspended"
    provider.save()
    assert offer_matching.rank_offer_candidates(offer_for(provider)).ranked == []


# --- proposing ----------------------------------------------------------------------------------


def test_posting_an_offer_puts_it_to_the_best_three_and_tells_them(
    django_capture_on_commit_callbacks,
):
    provider = cook()
    alerts = [alert(km_north=0.1 * n + 0.1) for n in range(5)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        offer = offer_create(
            provider=provider,
            category=category(),
            description="Two extra portions of lentil soup",
            portions=2,
            dietary_notes="",
            on_date=timezone.localdate() + datetime.timedelta(days=2),
            starts_at=datetime.time(17),
            ends_at=datetime.time(19),
            max_distance_km=2,
        )
    proposed = set(offer.proposals.values_list("resident_id", flat=True))
    assert proposed == {a.user_id for a in alerts[:3]}
    told = Notification.objects.filter(user_id__in=proposed)
    assert told.count() == 3
    assert all("lentil soup" in n.message for n in told)
    assert len(mail.outbox) == 3


def test_the_number_proposed_at_once_is_the_programmes():
    provider = cook()
    resident_alerts = [alert(km_north=0.1 * n + 0.1) for n in range(4)]
    ProgrammeFactory(categories=[category()], areas=[resident_alerts[0].area], offer_proposals=1)
    PostcodeFactory(code=provider.home_postcode, area=resident_alerts[0].area)
    proposals = offer_proposals.offer_propose(offer=offer_for(provider))
    assert [p.resident_id for p in proposals] == [resident_alerts[0].user_id]


# --- accepting ----------------------------------------------------------------------------------


def proposed(n=3):
    provider = cook()
    for k in range(n):
        alert(km_north=0.1 * k + 0.1)
    offer = offer_for(provider)
    offer_proposals.offer_propose(offer=offer)
    return offer, list(offer.proposals.order_by("-score"))


def test_the_first_to_accept_takes_it_as_an_active_match_with_its_visit():
    offer, (first, *_others) = proposed()
    match = offer_proposals.offer_accept(proposal=first, actor=first.resident)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.TAKEN
    assert match.status == MatchStatus.ACTIVE and match.shares_contact_details
    assert match.provider_id == offer.provider_id
    assert match.need.address == "4 Mill Lane" and match.need.status == NeedStatus.MATCHED
    assert match.need.on_date == offer.on_date and match.need.starts_at == offer.starts_at
    visit = match.visits.get()
    assert visit.status == VisitStatus.PLANNED
    # The provider learns who accepted, by first name.
    told = Notification.objects.get(user=offer.provider.user, match=match)
    assert first.resident.display_name in told.message


def test_the_others_are_told_it_has_gone_and_cannot_take_it():
    _offer, (first, second, third) = proposed()
    offer_proposals.offer_accept(proposal=first, actor=first.resident)
    for late in (second, third):
        late.refresh_from_db()
        assert late.status == OfferProposalStatus.GONE
        assert Notification.objects.filter(user=late.resident, message__contains="has gone")
        with pytest.raises(AlreadyTaken, match="someone else has already taken"):
            offer_proposals.offer_accept(proposal=late, actor=late.resident)
    assert Need.objects.filter(requested_by__in=[second.resident, third.resident]).count() == 0


def test_only_the_resident_it_was_put_to_can_accept():
    offer, (first, *_) = proposed(1)
    with pytest.raises(TransitionError, match="not made to you"):
        offer_proposals.offer_accept(proposal=first, actor=UserFactory())
    with pytest.raises(TransitionError, match="not made to you"):
        offer_proposals.offer_accept(proposal=first, actor=offer.provider.user)
    first.refresh_from_db()
    assert first.status == OfferProposalStatus.PROPOSED


def test_accepting_through_an_open_request_matches_that_request():
    provider = cook()
    offer = offer_for(provider)
    need = NeedFactory(
        on_date=offer.on_date, starts_at=datetime.time(18), ends_at=datetime.time(19)
    )
    (proposal,) = offer_proposals.offer_propose(offer=offer)
    match = offer_proposals.offer_accept(proposal=proposal, actor=need.resident)
    assert match.need_id == need.pk
    need.refresh_from_db()
    assert need.status == NeedStatus.MATCHED


def test_a_withdrawn_offer_cannot_be_taken(django_capture_on_commit_callbacks):
    offer, (first, *_) = proposed(1)
    with django_capture_on_commit_callbacks(execute=True):
        offer_withdraw(offer=offer, actor=offer.provider.user)
    first.refresh_from_db()
    assert first.status == OfferProposalStatus.CLOSED
    with pytest.raises(TransitionError):
        offer_proposals.offer_accept(proposal=first, actor=first.resident)
    assert not offer.proposals.filter(match__isnull=False).exists()


def test_declining_puts_the_offer_to_the_next_resident():
    offer, (first, _second, _third) = proposed(3)
    fourth = alert(km_north=0.9)
    offer_proposals.offer_proposal_decline(proposal=first, actor=first.resident)
    first.refresh_from_db()
    assert first.status == OfferProposalStatus.DECLINED
    assert offer.proposals.filter(resident=fourth.user).exists()


# --- expiry -------------------------------------------------------------------------------------


def test_an_offer_nobody_took_expires_after_its_time_and_the_provider_is_told():
    offer, (first, *_) = proposed(1)
    after = timezone.make_aware(
        datetime.datetime.combine(offer.on_date, datetime.time(19, 31)),
        timezone.get_default_timezone(),
    )
    assert offer_proposals.offers_expire(now=after - datetime.timedelta(minutes=2)) == 0
    assert offer_proposals.offers_expire(now=after) == 1
    offer.refresh_from_db()
    first.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED and first.status == OfferProposalStatus.CLOSED
    assert Notification.objects.filter(
        user=offer.provider.user, message__contains="Nobody took your offer"
    ).exists()
    with pytest.raises(TransitionError):
        offer_proposals.offer_accept(proposal=first, actor=first.resident)


def test_a_taken_offer_does_not_expire():
    _offer, (first, *_) = proposed(1)
    offer_proposals.offer_accept(proposal=first, actor=first.resident)
    later = timezone.now() + datetime.timedelta(days=10)
    assert offer_proposals.offers_expire(now=later) == 0


def test_the_expire_command_ends_old_offers(capsys):
    provider = cook()
    OfferFactory(provider=provider, on_date=timezone.localdate() - datetime.timedelta(days=1))
    call_command("expire_offers")
    assert "Ended 1 one-off offer nobody took." in capsys.readouterr().out


# --- opting in and out --------------------------------------------------------------------------


def test_opting_out_of_a_category_stops_its_offers():
    provider = cook()
    resident = alert()
    offer_proposals.offer_alerts_set(user=resident.user, categories=[])
    assert not OfferAlert.objects.filter(user=resident.user).exists()
    assert offer_matching.rank_offer_candidates(offer_for(provider)).ranked == []


def test_opting_in_needs_an_address():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        offer_proposals.offer_alerts_set(
            user=UserFactory(), categories=[category()], postcode=PostcodeFactory(), address=" "
        )
    assert not OfferAlert.objects.exists()


# --- the resident's own data --------------------------------------------------------------------


def test_a_residents_data_export_holds_their_wish_to_hear_of_offers_and_the_offers_put_to_them():
    from matchmaking.privacy import personal_data

    offer, (first, *_rest) = proposed(1)
    data = personal_data(first.resident)
    assert [a["address"] for a in data["offer_alerts"]] == ["4 Mill Lane"]
    assert [p["offer"] for p in data["offers_put_to_me"]] == [offer.pk]


def test_someone_who_opts_in_after_an_offer_was_posted_hears_of_it(
    django_capture_on_commit_callbacks,
):
    offer, (_first,) = proposed(1)  # only one resident nearby so far: two places left
    with django_capture_on_commit_callbacks(execute=True):
        late = alert(km_north=0.8)
    assert offer.proposals.filter(resident=late.user).exists()
    assert Notification.objects.filter(user=late.user, message__contains=offer.description)
    # Once the offer is put to as many as its programme asks, a newcomer is not added.
    full_offer, _proposals = proposed(3)
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = alert(km_north=0.05)
    assert not full_offer.proposals.filter(resident=newcomer.user).exists()
