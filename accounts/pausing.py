"""A provider's own pause (a holiday, a busy month) and their return.

A paused provider keeps their vetting and their live matches but is offered nothing new:
the engine's hard filter takes active providers only, so a paused one is out of every
candidate query and batch run without a rule of its own. Staff see the reason in the
provider admin.
"""

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import ProviderStatus
from accounts.exceptions import TransitionError
from accounts.models import ProviderProfile

PAUSE_REASON_MAX_LENGTH = ProviderProfile._meta.get_field("pause_reason").max_length


@transaction.atomic
def provider_pause(*, provider, actor, reason="", now=None):
    """Take an active provider out of matching until they resume."""
    reason = " ".join((reason or "").split())
    if len(reason) > PAUSE_REASON_MAX_LENGTH:
        raise TransitionError(f"The reason must be {PAUSE_REASON_MAX_LENGTH} characters or fewer.")
    # Lock the row: a staff suspension may be deciding the status at the same moment.
    locked = ProviderProfile.objects.select_for_update().get(pk=provider.pk)
    if locked.user_id != actor.pk:
        raise TransitionError(_("Only the helper can pause their own profile."))
    if locked.status != ProviderStatus.ACTIVE:
        raise TransitionError(_("You can pause only while the council has approved you to help."))
    with set_actor(actor):
        locked.status = ProviderStatus.PAUSED
        locked.pause_reason = reason or "No reason given"
        locked.status_changed_at = now or timezone.now()
        locked.save(update_fields=["status", "pause_reason", "status_changed_at", "updated_at"])
    return locked


@transaction.atomic
def provider_resume(*, provider, actor, now=None):
    """A paused provider can be matched again."""
    locked = ProviderProfile.objects.select_for_update().get(pk=provider.pk)
    if locked.user_id != actor.pk:
        raise TransitionError(_("Only the helper can resume their own profile."))
    if locked.status != ProviderStatus.PAUSED:
        raise TransitionError(_("Your profile is not paused."))
    with set_actor(actor):
        locked.status = ProviderStatus.ACTIVE
        locked.pause_reason = ""
        locked.status_changed_at = now or timezone.now()
        locked.save(update_fields=["status", "pause_reason", "status_changed_at", "updated_at"])
    return locked
