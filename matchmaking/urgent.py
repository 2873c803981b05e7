"""Urgent needs: alert several providers at once; the first to say yes takes it (GoodSAM).

An urgent need (or any need of a programme that opts in with `alert_several`) is offered
to the best K candidates together, each told that several people were asked. The first to
accept takes it: `match_accept` locks the need before the match, so accepts of one need
queue one behind the other, and the first one through stands the others down; everyone
after it hears "someone else has already said yes" (AlreadyTaken, a TransitionError) rather
than an error. A database constraint (`match_one_taken_per_need`) backs this up.

When nobody answers within the programme's urgent window the offers expire together, and
the last expiry (lifecycle.match_expire → need_offer_next) alerts the next K. Among
candidates of nearly the same score, those alerted least this week are alerted first
(`scoring.prefer_least_alerted`), so the same few people are not always the ones woken.

The functions here run inside lifecycle's transactions, with the need row locked.
"""

import datetime

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy

from accounts.exceptions import AlreadyTaken, TransitionError
from accounts.languages import lazy_message
from accounts.models import ProviderProfile
from matchmaking import candidates, lifecycle, scoring
from matchmaking.constants import LIVE_STATUSES, MatchStatus, ProposedBy
from matchmaking.notifications import notify
from services.constants import NeedStatus, Urgency
from services.models import Need

# Without a programme, or before a programme says otherwise: GoodSAM alerts three.
DEFAULT_ALERT_COUNT = 3
DEFAULT_WINDOW_MINUTES = 30
# Kept on each offer stood down (staff read it on the match).
STOOD_DOWN_REASON = "Someone else said yes first."


def fans_out(need):
    """Whether offering `need` alerts several providers at once."""
    if need.urgency == Urgency.URGENT:
        return True
    programme = need.programme if need.programme_id is not None else None
    return programme is not None and programme.alert_several


def alert_count(need):
    """How many providers an urgent offer of `need` goes to at once (K)."""
    programme = need.programme if need.programme_id is not None else None
    return programme.urgent_alert_count if programme is not None else DEFAULT_ALERT_COUNT


def answer_window(need):
    """How long the providers alerted have to answer before the next K are alerted."""
    programme = need.programme if need.programme_id is not None else None
    minutes = programme.urgent_window_minutes if programme is not None else DEFAULT_WINDOW_MINUTES
    return datetime.timedelta(minutes=minutes)


def with_alerted_together_note(message, count):
    """An offer's `message` followed by what each provider alerted is told about the others
    (in the notification and email), each read in the provider's own language."""
    note = lazy_message(
        ngettext_lazy(
            "We have asked %(count)d person at once: the first to say yes will help.",
            "We have asked %(count)d people at once: the first to say yes will help.",
            count,
        ),
        count=count,
    )
    return lazy_message("%(offer)s %(note)s", offer=message, note=note)


def offer_several(*, need, ranking, skip=(), now, actor=None, proposed_by=ProposedBy.ENGINE):
    """Offer `need` to the best K free candidates of `ranking` at once; returns the offers.

    The caller holds the need's lock and has checked it is open without a live match.
    `skip` are providers not to ask again (their match for it was cancelled). When nobody is
    free the need is marked unmet for staff and the list is empty.
    """
    chosen = lifecycle.free_candidates(
        need,
        scoring.prefer_least_alerted(ranking.ranked),
        skip=skip,
        wanted=alert_count(need),
        now=now,
    )
    if not chosen:
        return []
    expires_at = now + answer_window(need)
    return [
        lifecycle._offer(
            need,
            provider,
            now=now,
            score=scored.score,
            explanation=scored.explanation,
            proposed_by=proposed_by,
            actor=actor,
            alerted_together=len(chosen),
            expires_at=expires_at,
        )
        for provider, scored in chosen
    ]


@transaction.atomic
def need_alert_several(*, need, actor, now=None):
    """Council staff alert the best K candidates for an open need at once (the fan-out that
    the engine uses for urgent needs). Returns the offers made."""
    now = now or timezone.now()
    if not lifecycle.is_staff_for(need, actor):
        raise TransitionError("Only council staff of this area can offer this request.")
    with set_actor(actor):
        # Lock the need's row only: PostgreSQL refuses FOR UPDATE on the outer join that the
        # nullable programme brings in.
        need = (
            Need.objects.select_for_update(of=("self",))
            .select_related("category", "programme")
            .get(pk=need.pk)
        )
        if need.status != NeedStatus.OPEN:
            raise TransitionError("Only an open need can be offered.")
        if need.matches.filter(status__in=LIVE_STATUSES).exists():
            raise TransitionError("This need already has a live match.")
        skip = set(
            need.matches.filter(status=MatchStatus.CANCELLED).values_list("provider_id", flat=True)
        )
        offers = offer_several(
            need=need,
            ranking=candidates.rank_need(need, now=now),
            skip=skip,
            now=now,
            actor=actor,
            proposed_by=ProposedBy.STAFF,
        )
        if not offers:
            raise TransitionError("Nobody who could help is free at the moment.")
        return offers


def refuse_if_taken(match):
    """Refuse an accept of an offer made to several when one of them already said yes.

    Called by match_accept with the need locked: whoever said yes first has committed."""
    if not match.offered_to_several:
        return
    taken = (
        match.need.matches.exclude(pk=match.pk)
        .filter(accepted_at__isnull=False, accepted_at__gte=match.offered_at)
        .exists()
    )
    if taken:
        raise AlreadyTaken(
            gettext("Someone else has already said yes to this request. Thank you for offering.")
        )


def stand_down_others(*, match, now):
    """After `match` was accepted, end the other offers of its need and tell their providers.

    A stood-down offer is not a chance the provider missed: it leaves their offers received
    as it was before, so reliability does not count it against them."""
    if not match.offered_to_several:
        return []
    others = list(
        match.need.matches.filter(status=MatchStatus.OFFERED)
        .exclude(pk=match.pk)
        .select_related("provider__user")
    )
    for other in others:
        lifecycle._move(other, "cancel", now, reason=STOOD_DOWN_REASON)
        notify(
            users=[other.provider.user],
            message=lazy_message(
                gettext_lazy(
                    "Someone else is helping with request %(reference)s now, so you do not "
                    "need to answer. Thank you for being ready to help."
                ),
                reference=match.need.reference,
            ),
            url=lifecycle._provider_url(other),
            match=other,
        )
    # Never below zero, whatever changed the counter since the offer was made.
    ProviderProfile.objects.filter(pk__in=[other.provider_id for other in others]).update(
        offers_received=Greatest(F("offers_received") - 1, 0)
    )
    return others
