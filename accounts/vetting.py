"""Vetting decisions by council staff: checks and provider status.

The admin's actions and the demo call these; each records the decision (auditlog keeps
who and before/after). Suspension's effect on live matches belongs to matchmaking,
which calls provider_suspend inside its own transaction.
"""

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone

from accounts.constants import CheckStatus, ProviderStatus
from accounts.exceptions import TransitionError
from accounts.models import Check, ProviderProfile

# Which status changes staff may make, and from where.
PROVIDER_TRANSITIONS = {
    "activate": ((ProviderStatus.APPLIED,), ProviderStatus.ACTIVE, "activated"),
    "reject": ((ProviderStatus.APPLIED,), ProviderStatus.REJECTED, "rejected"),
    # A paused provider can still be suspended: a pause is no shelter from a concern.
    "suspend": (
        (ProviderStatus.ACTIVE, ProviderStatus.PAUSED),
        ProviderStatus.SUSPENDED,
        "suspended",
    ),
    "reinstate": ((ProviderStatus.SUSPENDED,), ProviderStatus.ACTIVE, "reinstated"),
}


def _require_staff(actor):
    if actor is None or not actor.is_staff:
        raise TransitionError("Only council staff can make vetting decisions.")


@transaction.atomic
def check_record(*, provider, kind, reference="", notes="", actor=None):
    """Record that a check is under way (or renewed); it waits for staff to verify it."""
    with set_actor(actor):
        check, _ = Check.objects.select_for_update().update_or_create(
            provider=provider,
            kind=kind,
            defaults={
                "status": CheckStatus.PENDING,
                "reference": reference,
                "notes": notes,
                "verified_by": None,
                "verified_at": None,
                "expiry_warned_at": None,
                "decided_at": None,
                "rejection_reason": "",
            },
        )
        return check


@transaction.atomic
def check_verify(*, check, actor, expires_at=None, now=None):
    _require_staff(actor)
    now = now or timezone.now()
    if expires_at is not None and expires_at < now.date():
        raise TransitionError("The expiry date is in the past: this check is not valid.")
    with set_actor(actor):
        check = Check.objects.select_for_update().get(pk=check.pk)
        check.status = CheckStatus.VERIFIED
        check.verified_by = actor
        check.verified_at = now
        check.expires_at = expires_at
        check.expiry_warned_at = None
        check.decided_at = now
        check.rejection_reason = ""
        check.save()
        return check


@transaction.atomic
def check_reject(*, check, actor, reason, now=None):
    _require_staff(actor)
    if not reason.strip():
        raise TransitionError("Give a reason for rejecting the check.")
    with set_actor(actor):
        check = Check.objects.select_for_update().get(pk=check.pk)
        check.status = CheckStatus.REJECTED
        check.verified_by = None
        check.verified_at = None
        check.notes = f"{check.notes}\n{reason}".strip()
        check.decided_at = now or timezone.now()
        check.rejection_reason = reason.strip()
        check.save()
        return check


@transaction.atomic
def provider_set_status(*, profile, action, actor, now=None):
    """activate, reject, suspend or reinstate a provider."""
    _require_staff(actor)
    sources, target, done = PROVIDER_TRANSITIONS[action]
    with set_actor(actor):
        profile = ProviderProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.status not in sources:
            raise TransitionError(
                f"This provider is {profile.get_status_display().lower()}, "
                f"so they cannot be {done}."
            )
        profile.status = target
        profile.status_changed_at = now or timezone.now()
        profile.save(update_fields=["status", "status_changed_at", "updated_at"])
        return profile
