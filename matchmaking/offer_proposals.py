"""A provider's one-off offer put to residents, and their answers.

When a provider posts an offer ("two extra portions of lentil soup on Thursday"), the engine
ranks residents in reverse (`offer_matching`) and the offer is put to the best few at once
(`Programme.offer_proposals`, default 3). The first to accept takes it: the offer row is
locked, so of any number of people pressing "Yes please" at the same moment exactly one gets
it and the others read that someone else has already taken it. A taken offer becomes a match
(with its visit) through the lifecycle's own confirmation, so the provider learns the
resident's first name and address exactly as for a need once both sides have said yes:
the provider by posting, the resident by accepting.

Lock order: offer → proposal → need → provider → match (the lifecycle's order after the offer).
"""

import datetime

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm

from accounts.exceptions import AlreadyTaken, TransitionError
from accounts.languages import lazy_message
from accounts.models import ProviderProfile
from matchmaking import candidates, conversations, lifecycle, offer_matching, scoring
from matchmaking.constants import LIVE_STATUSES, MatchStatus, OfferProposalStatus, ProposedBy
from matchmaking.models import Match, OfferAlert, OfferProposal
from matchmaking.notifications import notify
from services.constants import Channel, NeedStatus, OfferStatus, Schedule
from services.models import Need, Offer
from services.needs import OWNER_PERMISSIONS as NEED_OWNER_PERMISSIONS
from services.needs import need_reference_unused, programme_for


def someone_else_took_it():
    return _("Sorry, someone else has already taken this offer.")


def offer_ends_at(offer):
    """When the offer's window closes, in the council's time zone."""
    naive = datetime.datetime.combine(offer.on_date, offer.ends_at)
    return timezone.make_aware(naive, timezone.get_default_timezone())


def proposal_answerable(proposal, *, now=None):
    """Whether the resident can still say yes or no: not yet answered, and the offer open
    and not over (offer_accept gives each refusal its own message)."""
    now = now or timezone.now()
    offer = proposal.offer
    return (
        proposal.status == OfferProposalStatus.PROPOSED
        and offer.status == OfferStatus.OPEN
        and offer_ends_at(offer) > now
    )


def offer_when(offer):
    return f"{offer.on_date:%A %-d %B}, {offer.starts_at:%H:%M}–{offer.ends_at:%H:%M}"


def _lock_offer(offer_id):
    """Lock the offer: everything that takes, closes or re-proposes it goes through here."""
    return (
        Offer.objects.select_for_update()
        .select_related("category", "provider__user")
        .get(pk=offer_id)
    )


def _proposal_url(proposal):
    return reverse("matchmaking:offer_proposal", args=[proposal.pk])


# --- putting an offer to residents -----------------------------------------------------------


@transaction.atomic
def offer_propose(*, offer, count=None, now=None):
    """Put an open offer to the best residents it has not been put to yet, and tell them.

    `count` defaults to the programme's `offer_proposals`. Returns the new proposals (none
    when the offer is no longer open or nobody else fits).
    """
    now = now or timezone.now()
    offer = _lock_offer(offer.pk)
    if offer.status != OfferStatus.OPEN or offer_ends_at(offer) <= now:
        return []
    asked = set(offer.proposals.values_list("resident_id", flat=True))
    programme = offer_matching.offer_programme(offer)
    wanted = count if count is not None else offer_matching.proposals_wanted(programme)
    found = offer_matching.rank_offer_candidates(
        offer, exclude_residents=asked, limit=wanted, programme=programme, now=now
    )
    proposals = [
        OfferProposal(
            offer=offer,
            resident_id=scored.resident_id,
            need=found.needs.get(scored.resident_id),
            alert_id=found.alerts.get(scored.resident_id),
            score=scored.score,
            explanation=scored.explanation,
        )
        for scored in found.ranked[:wanted]
    ]
    OfferProposal.objects.bulk_create(proposals)
    name = offer.provider.user.display_name
    for proposal in proposals:
        distance = proposal.distance_km or 0
        notify(
            users=[proposal.resident],
            message=lazy_message(
                gettext_lazy(
                    "%(name)s is offering %(what)s, %(when)s, about %(km).1f km from you. "
                    "The first person to say yes has it."
                ),
                name=name,
                what=offer.description,
                when=offer_when(offer),
                km=distance,
            ),
            url=_proposal_url(proposal),
        )
    return proposals


# --- the resident answers --------------------------------------------------------------------


def _need_for(proposal, offer, actor, now):
    """The open request the offer meets: the resident's own, or one made now from their wish
    to hear of offers (open at once, and never sent to the engine: the offer answers it)."""
    if proposal.need_id is not None:
        need = Need.objects.select_for_update().select_related("category").get(pk=proposal.need_id)
        if need.status != NeedStatus.OPEN or need.matches.filter(status__in=LIVE_STATUSES).exists():
            raise TransitionError(
                _("Your request %(reference)s already has a helper, so this offer was not taken.")
                % {"reference": need.reference}
            )
        return need
    alert = OfferAlert.objects.select_related("area").filter(pk=proposal.alert_id).first()
    if alert is None:
        raise TransitionError(
            _("You have stopped hearing about offers, so this offer cannot be taken.")
        )
    need = Need(
        requested_by=actor,
        resident=actor,
        channel=Channel.SELF,
        category=offer.category,
        programme=programme_for(category=offer.category, area=alert.area, on_date=offer.on_date),
        area=alert.area,
        details=offer.description,
        schedule=Schedule.ONE_OFF,
        on_date=offer.on_date,
        starts_at=offer.starts_at,
        ends_at=offer.ends_at,
        postcode=alert.postcode,
        latitude=alert.latitude,
        longitude=alert.longitude,
        dietary_needs=alert.dietary_needs,
        contact_name=actor.full_name or actor.display_name,
        address=alert.address,
        email=actor.email,
        status=NeedStatus.OPEN,
        status_changed_at=now,
    )
    need_reference_unused(need)
    need.full_clean(exclude=["requested_by", "resident"])
    need.save()
    for permission in NEED_OWNER_PERMISSIONS:
        assign_perm(permission, actor, need)
    return need


@transaction.atomic
def offer_accept(*, proposal, actor, now=None):
    """The resident takes the offer put to them; returns the active match.

    The first to accept wins (the offer row is locked); anyone after reads that someone else
    has already taken it. The match is made accepted (the provider said yes by posting) and
    confirmed by the resident in the same step (lifecycle.match_confirm): the visit is planned
    and the provider sees the resident's first name and address, as for any need.
    """
    now = now or timezone.now()
    with set_actor(actor):
        offer = _lock_offer(proposal.offer_id)
        proposal = OfferProposal.objects.select_for_update().get(pk=proposal.pk)
        if actor is None or proposal.resident_id != actor.pk:
            raise TransitionError(_("This offer was not made to you."))
        if offer.status == OfferStatus.TAKEN:
            # The same refusal as an urgent need's late yes (matchmaking.urgent).
            raise AlreadyTaken(someone_else_took_it())
        if offer.status != OfferStatus.OPEN or offer_ends_at(offer) <= now:
            raise TransitionError(_("This offer has ended, so it can no longer be taken."))
        if proposal.status != OfferProposalStatus.PROPOSED:
            raise TransitionError(_("You have already answered this offer."))
        need = _need_for(proposal, offer, actor, now)
        provider = ProviderProfile.objects.select_for_update().get(pk=offer.provider_id)
        match = Match.objects.create(
            need=need,
            provider=provider,
            status=MatchStatus.ACCEPTED,
            score=proposal.score,
            explanation=proposal.explanation,
            proposed_by=ProposedBy.ENGINE,
            offered_at=now,
            accepted_at=now,
        )
        conversations.conversation_open(match=match, now=now)
        ProviderProfile.objects.filter(pk=provider.pk).update(
            offers_received=F("offers_received") + 1, offers_accepted=F("offers_accepted") + 1
        )
        proposal.status = OfferProposalStatus.ACCEPTED
        proposal.need = need
        proposal.match = match
        proposal.answered_at = now
        proposal.save(update_fields=["status", "need", "match", "answered_at"])
        offer.status = OfferStatus.TAKEN
        offer.save(update_fields=["status"])
        # The resident's yes is their confirmation: the lifecycle activates the match, plans
        # the visit and tells the provider who it is.
        match = lifecycle.match_confirm(match=match, actor=actor, now=now)
        _close_others(offer, keep=proposal, status=OfferProposalStatus.GONE, now=now)
        return match


def _close_others(offer, *, keep, status, now):
    waiting = list(
        offer.proposals.waiting().exclude(pk=getattr(keep, "pk", None)).select_related("resident")
    )
    OfferProposal.objects.filter(pk__in=[p.pk for p in waiting]).update(
        status=status, answered_at=now
    )
    if status == OfferProposalStatus.GONE and waiting:
        notify(
            users=[p.resident for p in waiting],
            message=lazy_message(
                gettext_lazy(
                    "The offer of %(what)s, %(when)s, has gone: someone else took it first."
                ),
                what=offer.description,
                when=offer_when(offer),
            ),
            url="",
        )
    return waiting


@transaction.atomic
def offer_proposal_decline(*, proposal, actor, now=None):
    """The resident says no thank you; the offer is put to the next resident who fits."""
    now = now or timezone.now()
    with set_actor(actor):
        offer = _lock_offer(proposal.offer_id)
        proposal = OfferProposal.objects.select_for_update().get(pk=proposal.pk)
        if actor is None or proposal.resident_id != actor.pk:
            raise TransitionError(_("This offer was not made to you."))
        if proposal.status != OfferProposalStatus.PROPOSED:
            raise TransitionError(_("You have already answered this offer."))
        proposal.status = OfferProposalStatus.DECLINED
        proposal.answered_at = now
        proposal.save(update_fields=["status", "answered_at"])
        offer_propose(offer=offer, count=1, now=now)
        return proposal


# --- offers nobody took ----------------------------------------------------------------------


@transaction.atomic
def offer_expire(*, offer, now=None):
    """An open offer whose time has passed without a taker; the provider is told."""
    now = now or timezone.now()
    with set_actor(None):
        offer = _lock_offer(offer.pk)
        if offer.status != OfferStatus.OPEN or offer_ends_at(offer) > now:
            raise TransitionError("This offer has not expired.")
        offer.status = OfferStatus.EXPIRED
        offer.save(update_fields=["status"])
        _close_others(offer, keep=None, status=OfferProposalStatus.CLOSED, now=now)
        notify(
            users=[offer.provider.user],
            message=lazy_message(
                gettext_lazy("Nobody took your offer of %(what)s, %(when)s, so it has now ended."),
                what=offer.description,
                when=offer_when(offer),
            ),
            url=reverse("providers:offers"),
        )
        return offer


def offers_expire(*, now=None):
    """Expire every open offer whose window has closed, one transaction each; how many."""
    now = now or timezone.now()
    local = timezone.localtime(now, timezone.get_default_timezone())
    stale = Offer.objects.filter(status=OfferStatus.OPEN, on_date__lte=local.date())
    expired = 0
    for offer in stale.only("pk", "on_date", "ends_at").iterator():
        if offer_ends_at(offer) > now:
            continue
        try:
            offer_expire(offer=offer, now=now)
        except TransitionError:
            continue  # taken or withdrawn in the meantime
        expired += 1
    return expired


@transaction.atomic
def offer_proposals_close(*, offer, now=None):
    """An offer withdrawn by its provider: nobody can take it any more."""
    now = now or timezone.now()
    offer = _lock_offer(offer.pk)
    if offer.status != OfferStatus.WITHDRAWN:
        return []
    return _close_others(offer, keep=None, status=OfferProposalStatus.CLOSED, now=now)


# --- residents' wish to hear of offers -------------------------------------------------------


@transaction.atomic
def offer_alerts_set(*, user, categories, postcode=None, address="", dietary_needs=""):
    """Hear of offers of exactly these kinds of help near home (none: stop hearing of any).

    `postcode` is a services.Postcode inside the council's area (the form checks it with
    `postcode_in_council`, as for a request); the address stays private until a match made
    from an offer is active. Raises ValidationError when refused.
    """
    categories = list(categories)
    if not categories:
        OfferAlert.objects.filter(user=user).delete()
        return []
    address = (address or "").strip()
    if postcode is None or postcode.area_id is None:
        raise ValidationError({"postcode": _("Enter a postcode in the council's area")})
    if not address:
        raise ValidationError({"address": _("Enter your address")})
    OfferAlert.objects.filter(user=user).exclude(category__in=categories).delete()
    alerts = []
    for category in categories:
        alert, _created = OfferAlert.objects.update_or_create(
            user=user,
            category=category,
            defaults={
                "postcode": postcode.code,
                "latitude": postcode.latitude,
                "longitude": postcode.longitude,
                "area_id": postcode.area_id,
                "address": address,
                "dietary_needs": (dietary_needs or "").strip(),
            },
        )
        alerts.append(alert)
    transaction.on_commit(lambda: offers_top_up(categories=categories, postcode=postcode))
    return alerts


def offers_top_up(*, categories, postcode, now=None):
    """Open offers near `postcode` of these kinds, put to fewer residents than their
    programme asks, are put to the best of those not yet asked (someone who has just asked
    to hear of offers hears of one already posted). Returns the new proposals."""
    now = now or timezone.now()
    reach = candidates.MAX_TRAVEL_RADIUS_KM
    min_lat, max_lat, min_lon, max_lon = scoring.bounding_box(
        postcode.latitude, postcode.longitude, reach
    )
    waiting = Count("proposals", filter=Q(proposals__status=OfferProposalStatus.PROPOSED))
    open_offers = (
        Offer.objects.filter(
            status=OfferStatus.OPEN,
            category__in=categories,
            on_date__gte=timezone.localdate(now),
            latitude__range=(min_lat, max_lat),
            longitude__range=(min_lon, max_lon),
        )
        .annotate(waiting=waiting)
        .order_by("on_date", "pk")
    )
    made = []
    for offer in open_offers:
        wanted = offer_matching.proposals_wanted(offer_matching.offer_programme(offer))
        if offer.waiting < wanted:
            made += offer_propose(offer=offer, count=wanted - offer.waiting, now=now)
    return made


__all__ = [
    "offer_accept",
    "offer_alerts_set",
    "offer_expire",
    "offer_proposal_decline",
    "offer_proposals_close",
    "offer_propose",
    "offers_expire",
    "offers_top_up",
    "someone_else_took_it",
]
