"""Writes and reads for a provider's one-off offers ("two extra portions on Thursday").

Views, the admin and the API call these; none changes an Offer itself.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm

from accounts.constants import ProviderStatus
from accounts.exceptions import TransitionError
from services.constants import OfferStatus
from services.models import Offer
from services.signals import offer_posted, offer_withdrawn

OWNER_PERMISSIONS = ("services.view_offer", "services.change_offer")
# Offers more than this far ahead are guesses, not offers.
MAX_DAYS_AHEAD = 90


def offer_create(
    *,
    provider,
    category,
    description,
    portions,
    dietary_notes,
    on_date,
    starts_at,
    ends_at,
    max_distance_km,
) -> Offer:
    """Post a one-off offer from the provider's home, for a kind of help they have signed up for.

    Raises ValidationError (field-keyed where it can) when refused.
    """
    if provider.status in (ProviderStatus.SUSPENDED, ProviderStatus.REJECTED):
        raise ValidationError(
            "You cannot post offers at the moment. Contact the council to find out why."
        )
    if not category.allows(provider.kind) or not provider.skills.filter(pk=category.pk).exists():
        raise ValidationError({"category": "Select something you have signed up to help with"})
    today = timezone.localdate()
    if on_date < today:
        raise ValidationError({"on_date": "The date must be today or in the future"})
    if on_date > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {"on_date": f"The date must be within the next {MAX_DAYS_AHEAD} days"}
        )
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end time must be after the start time"})
    if on_date == today and ends_at <= timezone.localtime().time():
        raise ValidationError({"ends_at": "The end time today has already passed"})

    offer = Offer(
        provider=provider,
        category=category,
        description=description.strip(),
        portions=portions,
        dietary_notes=dietary_notes.strip(),
        on_date=on_date,
        starts_at=starts_at,
        ends_at=ends_at,
        max_distance_km=max_distance_km,
        latitude=provider.latitude,
        longitude=provider.longitude,
    )
    offer.full_clean(exclude=["provider", "category"])
    with transaction.atomic():
        offer.save()
        for perm in OWNER_PERMISSIONS:
            assign_perm(perm, provider.user, offer)
        transaction.on_commit(lambda: offer_posted.send(sender=Offer, offer=offer))
    return offer


def offer_withdraw(*, offer, actor) -> Offer:
    """Withdraw an open offer. Raises TransitionError when it is no longer open."""
    with transaction.atomic():
        # Lock the row: matching may take the offer at the same moment.
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        if not actor.has_perm("services.change_offer", locked):
            raise TransitionError(_("You cannot withdraw this offer."))
        if locked.status != OfferStatus.OPEN:
            raise TransitionError(
                _("This offer is %(status)s, so it cannot be withdrawn.")
                % {"status": locked.get_status_display().lower()}
            )
        locked.status = OfferStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        transaction.on_commit(lambda: offer_withdrawn.send(sender=Offer, offer=locked))
    return locked
