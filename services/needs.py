"""Writes for residents' needs: submit, change, withdraw.

Every view, admin action and API endpoint calls these; none changes a Need itself.
Matching-related transitions (matched, fulfilled) belong to matchmaking.lifecycle.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm

from accounts.emails import send_templated_email
from accounts.exceptions import TransitionError
from accounts.windows import clash_message, window_clash
from services.constants import NEED_EDITABLE, Channel, NeedStatus, Schedule
from services.models import Need, NeedSlot, Programme, new_reference
from services.signals import need_opened

OWNER_PERMISSIONS = ("services.view_need", "services.change_need")

# Fields a resident (or their referrer) may change while the need is still editable.
CHANGEABLE_FIELDS = {
    "details",
    "urgency",
    "schedule",
    "on_date",
    "starts_at",
    "ends_at",
    "contact_name",
    "address",
    "phone",
    "email",
    "language",
    "language_required",
    "dietary_needs",
    "notes_for_provider",
}


def programme_for(*, category, area, on_date):
    """The active programme that commissions this kind of help in this area on this date."""
    return (
        Programme.objects.filter(
            is_active=True,
            categories=category,
            areas=area,
            starts_on__lte=on_date,
            ends_on__gte=on_date,
        )
        .order_by("starts_on", "pk")
        .first()
    )


def _place(need, postcode):
    if postcode.area_id is None:
        raise ValidationError(
            {
                "postcode": _("%(code)s is outside the areas this service covers.")
                % {"code": postcode.code}
            }
        )
    need.postcode = postcode.code
    need.latitude = postcode.latitude
    need.longitude = postcode.longitude
    need.area_id = postcode.area_id


def _replace_slots(need, slots):
    need.slots.all().delete()
    objs = [NeedSlot(need=need, weekday=w, starts_at=s, ends_at=e) for w, s, e in slots]
    for slot in objs:
        slot.full_clean(exclude=["need"])
    NeedSlot.objects.bulk_create(objs)


def _check_schedule(need, slots):
    if need.schedule == Schedule.WEEKLY:
        need.on_date = need.starts_at = need.ends_at = None
        if not slots:
            raise ValidationError(_("Choose at least one day and time for weekly help."))
        if clash := window_clash(slots):
            raise ValidationError(clash_message(*clash))
    elif need.on_date and need.on_date < timezone.localdate():
        raise ValidationError({"on_date": "The date must be today or in the future."})


@transaction.atomic
def need_submit(*, requested_by, postcode, slots=(), resident=None, **fields):
    """Record a request for help and tell the people concerned.

    `postcode` is a services.Postcode; `slots` are (weekday, start, end) for weekly help;
    `fields` are Need fields (category, details, schedule, contact details, referral…).
    It opens straight away when a programme commissions this help here, otherwise it waits
    for council staff as "submitted".
    """
    need = Need(requested_by=requested_by, resident=resident, **fields)
    if need.channel == Channel.SELF and need.resident is None:
        need.resident = requested_by
    _place(need, postcode)
    _check_schedule(need, slots)
    need.programme = programme_for(
        category=need.category, area=need.area, on_date=need.on_date or timezone.localdate()
    )
    need.status = NeedStatus.OPEN if need.programme else NeedStatus.SUBMITTED
    need_reference_unused(need)
    need.full_clean(exclude=["requested_by", "resident"])
    need.save()
    if need.schedule == Schedule.WEEKLY:
        _replace_slots(need, slots)
    for user in {requested_by, need.resident} - {None}:
        for permission in OWNER_PERMISSIONS:
            assign_perm(permission, user, need)
    _tell_about_new_need(need)
    if need.status == NeedStatus.OPEN:
        transaction.on_commit(lambda: need_opened.send(sender=Need, need=need))
    return need


def need_reference_unused(need):
    """Give `need` a reference no other request has.

    Six characters from 31 give 887 million references: a clash is as likely as not by
    about 35,000 requests, and would otherwise refuse a resident's request at save.
    """
    while Need.objects.filter(reference=need.reference).exists():
        need.reference = new_reference()


def _tell_about_new_need(need):
    context = {"need": need}
    send_templated_email(
        to=[need.requested_by.email], template="services/email/need_received", context=context
    )
    resident_email = need.email or (need.resident.email if need.resident else "")
    if need.channel != Channel.SELF and resident_email:
        send_templated_email(
            to=[resident_email], template="services/email/need_made_for_you", context=context
        )


def _lock_editable(need):
    locked = Need.objects.select_for_update().get(pk=need.pk)
    if locked.status not in NEED_EDITABLE:
        raise TransitionError(
            _("Request %(reference)s is %(status)s and can no longer be changed here.")
            % {"reference": locked.reference, "status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def need_update(*, need, actor, postcode=None, slots=None, **changes):
    """Change a need that has no helper yet; returns the updated need."""
    unknown = set(changes) - CHANGEABLE_FIELDS
    if unknown:
        raise ValueError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    need = _lock_editable(need)
    for name, value in changes.items():
        setattr(need, name, value)
    if postcode is not None:
        _place(need, postcode)
    current_slots = [(s.weekday, s.starts_at, s.ends_at) for s in need.slots.all()]
    _check_schedule(need, current_slots if slots is None else slots)
    need.full_clean(exclude=["requested_by", "resident"])
    need.save()
    if need.schedule == Schedule.WEEKLY and slots is not None:
        _replace_slots(need, slots)
    elif need.schedule == Schedule.ONE_OFF:
        need.slots.all().delete()
    return need


@transaction.atomic
def need_withdraw(*, need, actor, reason=""):
    """Mark a need withdrawn. Callers go through matchmaking.lifecycle.need_withdraw,
    which first cancels any live match (this app cannot see matches)."""
    need = _lock_editable(need)
    need.status = NeedStatus.WITHDRAWN
    need.status_changed_at = timezone.now()
    need.withdrawn_reason = reason[:240]
    need.save(update_fields=["status", "status_changed_at", "withdrawn_reason", "updated_at"])
    return need
