"""Safeguarding: concerns and the staff actions on them, blocks, and check expiry.

The person who raises a concern is told it was received and when it is resolved, never
what was done about someone else. Suspending a provider cancels their live matches
(the residents are told their helper is no longer available) and sends those needs back
to matching.
"""

import datetime

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.constants import COUNCIL_STAFF_GROUP, CheckKind, CheckStatus, ProviderStatus
from accounts.exceptions import TransitionError
from accounts.languages import lazy_message
from accounts.models import Check, ProviderProfile, User
from accounts.vetting import provider_set_status
from matchmaking import lifecycle, scoping
from matchmaking.constants import LIVE_STATUSES, ConcernKind, ConcernStatus
from matchmaking.models import Block, Concern, Match
from matchmaking.notifications import notify
from services.models import Category

# A date in the language of whoever reads the notification.
date_lazy = lazy(date_format, str)

EXPIRY_WARNING_DAYS = 30
NEUTRAL_CANCEL_REASON = "Your helper is no longer available. We are looking for someone else."


def _is_staff(user):
    return user is not None and user.is_staff


def _council_staff():
    return User.objects.filter(is_active=True, is_staff=True, groups__name=COUNCIL_STAFF_GROUP)


def _concern_admin_url(concern):
    try:
        return reverse("admin:matchmaking_concern_change", args=[concern.pk])
    except NoReverseMatch:  # the admin is optional: the notification still goes out
        return ""


# --- concerns --------------------------------------------------------------------------------


@transaction.atomic
def concern_raise(*, raised_by, kind, description, urgent=False, match=None, about=None):
    """Anyone in a match (or staff) reports a concern about the match or a person in it.

    From a match, a party's concern is about the other side unless `about` says otherwise.
    """
    if kind not in ConcernKind.values:
        raise TransitionError(_("Choose what the concern is about."))
    if not description.strip():
        raise TransitionError(_("Tell us what happened."))
    if match is None and about is None:
        raise TransitionError(_("Say which match or person the concern is about."))
    if not _is_staff(raised_by):
        if match is None or not (
            lifecycle.is_resident_side(match, raised_by)
            or lifecycle.is_provider_side(match, raised_by)
        ):
            raise TransitionError(_("You can raise a concern about a match you are part of."))
        others = {match.provider.user_id, match.need.requested_by_id, match.need.resident_id}
        if about is not None and about.pk not in others:
            raise TransitionError(_("You can raise a concern about someone in your match."))
    if match is not None and about is None:
        # Raised from a match, a concern is about the other side of it.
        about = lifecycle.other_side_of(match, raised_by)
    with set_actor(raised_by):
        concern = Concern.objects.create(
            raised_by=raised_by,
            match=match,
            about=about,
            kind=kind,
            urgent=urgent or kind == ConcernKind.SAFEGUARDING,
            description=description.strip()[:4000],
        )
    notify(
        users=[raised_by],
        message=(
            _(
                "Thank you for telling us. We have received your concern and council staff "
                "will look at it today."
            )
            if concern.urgent
            else _(
                "Thank you for telling us. We have received your concern and council staff "
                "will look at it soon."
            )
        ),
    )
    if concern.urgent:
        notify(
            users=list(concern_recipients(concern)),
            message=f"Urgent concern raised: {concern.get_kind_display()}.",
            url=_concern_admin_url(concern),
        )
    return concern


def concern_recipients(concern):
    """Who is told of an urgent concern: the officers of the areas it is in (each of whom
    can open it, see scoping.concerns_in_areas) and every safeguarding lead."""
    officers = scoping.officers_in(sorted(scoping.concern_areas(concern)))
    return officers | scoping.safeguarding_leads()


@transaction.atomic
def concern_resolve(*, concern, actor, resolution, now=None):
    if not _is_staff(actor):
        raise TransitionError(_("Only council staff can resolve concerns."))
    if not resolution.strip():
        raise TransitionError(_("Write a note saying how the concern was resolved."))
    with set_actor(actor):
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if concern.status == ConcernStatus.RESOLVED:
            raise TransitionError(_("This concern is already resolved."))
        concern.status = ConcernStatus.RESOLVED
        concern.resolution = resolution.strip()
        concern.resolved_by, concern.resolved_at = actor, now or timezone.now()
        concern.save()
    # The note is for staff: the person who raised it only learns that it was resolved.
    notify(
        users=[concern.raised_by],
        message=_("The concern you raised has been looked into and is now resolved. Thank you."),
    )
    return concern


# --- suspension ------------------------------------------------------------------------------


def provider_suspend(*, provider, actor, reason):
    """Suspend a provider: no new offers, and every live match is cancelled and re-matched.

    Two steps, each committed on its own, so locks are always taken need → provider →
    match: first the status (from then on no accept or offer for them can succeed), then
    each live match. An accept that got in first is cancelled in the second step.
    """
    if not reason.strip():
        raise TransitionError(_("Give a reason for the suspension."))
    provider = provider_set_status(profile=provider, action="suspend", actor=actor)
    cancel_live_matches(provider=provider, actor=actor)
    notify(
        users=[provider.user],
        message=_("Your helper profile has been suspended. Council staff will contact you."),
    )
    return provider


def cancel_live_matches(*, provider, actor):
    """Cancel (and re-match) every live match of a provider who may no longer help.

    Safe to run again: a match that ended in the meantime is skipped.
    """
    cancelled = 0
    for match in Match.objects.filter(provider=provider, status__in=LIVE_STATUSES):
        try:
            lifecycle.match_cancel(
                match=match,
                actor=actor,
                reason=NEUTRAL_CANCEL_REASON,
                cause=lifecycle.CancelCause.SUSPENDED,
            )
        except TransitionError:
            continue
        cancelled += 1
    return cancelled


# --- from a concern, in one step ----------------------------------------------------------------


def concern_provider(concern):
    """The provider a concern is about: its person if they provide help, else (a concern
    about no one in particular) its match's provider. None when it is about a resident."""
    if concern.about_id:
        return ProviderProfile.objects.filter(user_id=concern.about_id).first()
    return concern.match.provider if concern.match_id else None


def _may_handle(concern, actor):
    """Leads handle every concern; other council staff those in their areas."""
    if not (_is_staff(actor) and scoping.concerns_for_staff(actor).filter(pk=concern.pk).exists()):
        raise TransitionError(
            _("Only a safeguarding lead or staff of its area can act on this concern.")
        )


def _log_on_concern(concern, actor, done, reason):
    # The suspension or block is audited on its own row; this ties it to the concern.
    LogEntry.objects.log_create(
        concern,
        action=LogEntry.Action.UPDATE,
        changes={"safeguarding_action": ["", done]},
        actor=actor,
        additional_data={"reason": reason},
    )


def concern_suspend_provider(*, concern, actor, reason):
    """Suspend the provider a concern is about (their live matches are re-matched).

    A safeguarding lead may do it from any concern; other staff only for a concern in their
    areas about a provider who lives in one of them (as on the provider's own admin page).
    """
    _may_handle(concern, actor)
    provider = concern_provider(concern)
    if provider is None:
        raise TransitionError(_("This concern is not about a provider."))
    if not (
        scoping.is_safeguarding_lead(actor)
        or scoping.providers_for_staff(actor).filter(pk=provider.pk).exists()
    ):
        raise TransitionError(
            _("Only a safeguarding lead can suspend a provider outside your areas.")
        )
    provider = provider_suspend(
        provider=provider, actor=actor, reason=f"Concern {concern.pk}: {reason}"
    )
    with set_actor(actor):
        _log_on_concern(concern, actor, f"provider {provider.pk} suspended", reason)
    return provider


def concern_block(*, concern, actor, reason):
    """Never match the two people in a concern's match again (their live match ends)."""
    _may_handle(concern, actor)
    if concern.match_id is None:
        raise TransitionError(_("This concern names no match, so there is no pair to block."))
    match = concern.match
    resident = match.need.resident or match.need.requested_by
    block = block_pair(resident=resident, provider=match.provider, actor=actor, reason=reason)
    with set_actor(actor):
        _log_on_concern(concern, actor, f"block {block.pk}", reason)
    return block


def provider_reinstate(*, provider, actor):
    return provider_set_status(profile=provider, action="reinstate", actor=actor)


# --- blocks ----------------------------------------------------------------------------------


@transaction.atomic
def block_pair(*, resident, provider, actor, reason=""):
    """Never match this resident with this provider again (asked by the resident or staff)."""
    if not (_is_staff(actor) or actor.pk == resident.pk):
        raise TransitionError(_("Only the resident or council staff can block a helper."))
    with set_actor(actor):
        block, _created = Block.objects.get_or_create(
            resident=resident,
            provider=provider,
            defaults={"reason": reason.strip()[:240], "created_by": actor},
        )
        live = Match.objects.filter(
            Q(need__resident=resident) | Q(need__requested_by=resident),
            provider=provider,
            status__in=LIVE_STATUSES,
        )
        for match in live:
            lifecycle.match_cancel(
                match=match,
                actor=actor,
                reason="The resident asked for someone else.",
                cause=lifecycle.CancelCause.BLOCKED,
            )
        return block


# --- check expiry ----------------------------------------------------------------------------


def _categories_needing(kind):
    return [c for c in Category.objects.all() if kind in c.required_checks]


def check_expiry_sweep(*, today=None, now=None):
    """Daily: warn 30 days before a check expires; once it has expired, end the provider's
    live matches in categories that require it (each need goes straight back to matching).

    Returns (warned, cancelled) counts. Safe to run more than once a day.
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    warned = cancelled = 0
    soon = Check.objects.filter(
        status=CheckStatus.VERIFIED,
        expires_at__isnull=False,
        expires_at__gte=today,
        expires_at__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
        expiry_warned_at__isnull=True,
        # A paused provider is coming back: warn them too.
        provider__status__in=(ProviderStatus.ACTIVE, ProviderStatus.PAUSED),
    ).select_related("provider__user")
    for check in soon:
        with transaction.atomic():
            label = CheckKind(check.kind).label
            notify(
                users=[check.provider.user],
                message=lazy_message(
                    _(
                        "Your %(check)s expires on %(date)s. "
                        "Please renew it so you can keep helping."
                    ),
                    check=label,
                    date=date_lazy(check.expires_at, "j F Y"),
                ),
                url=reverse("providers:dashboard"),
            )
            notify(
                users=list(_council_staff()),
                message=(
                    f"{check.provider.user}'s {label} expires on {check.expires_at:%-d %B %Y}."
                ),
            )
            Check.objects.filter(pk=check.pk).update(expiry_warned_at=now)
            warned += 1

    expired = Check.objects.filter(status=CheckStatus.VERIFIED, expires_at__lt=today)
    for check in expired.select_related("provider__user"):
        slugs = [c.slug for c in _categories_needing(check.kind)]
        label = CheckKind(check.kind).label
        note = f"{label} expired on {check.expires_at:%-d %B %Y}"
        live = Match.objects.filter(
            provider_id=check.provider_id,
            status__in=LIVE_STATUSES,
            need__category__slug__in=slugs,
        ).select_related("need")
        for match in live:
            try:
                with transaction.atomic():
                    # For staff: why the match ended (the resident is told neutrally).
                    Match.objects.filter(pk=match.pk).update(flagged=note)
                    lifecycle.match_cancel(
                        match=match,
                        actor=None,
                        reason=NEUTRAL_CANCEL_REASON,
                        cause=lifecycle.CancelCause.CHECK_EXPIRED,
                        now=now,
                    )
            except TransitionError:
                continue  # ended in the meantime
            notify(
                users=[check.provider.user],
                message=lazy_message(
                    _(
                        "Your %(check)s expired on %(date)s, so your match for request "
                        "%(reference)s has ended. Renew it to be offered requests again."
                    ),
                    check=label,
                    date=date_lazy(check.expires_at, "j F Y"),
                    reference=match.need.reference,
                ),
                url=reverse("providers:dashboard"),
            )
            cancelled += 1
    return warned, cancelled
