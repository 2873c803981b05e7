"""Reminders of coming visits: the day before and two hours before, to both sides.

`manage.py send_reminders` (every few minutes) queues `reminders_send` on the task backend.
Each reminder is claimed by inserting its VisitReminder row before anyone is told, in the
same transaction: the unique constraint on (visit, person, kind) makes a second run, or a
second worker running at the same moment, fail to claim it and so send nothing.
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.languages import lazy_message, lowercase_translation_lazy
from matchmaking.constants import ReminderKind, VisitStatus
from matchmaking.models import Visit, VisitReminder
from matchmaking.notifications import notify
from matchmaking.visits import local_when_lazy

DAY_BEFORE = datetime.timedelta(hours=24)
TWO_HOURS = datetime.timedelta(hours=2)


def reminder_kind(visit, now):
    """Which reminder a planned visit is due now, or None (too far off, or begun)."""
    until = visit.starts_at - now
    if until <= datetime.timedelta(0) or until > DAY_BEFORE:
        return None
    # Inside two hours only the last reminder goes: two at once would be noise.
    return ReminderKind.TWO_HOURS if until <= TWO_HOURS else ReminderKind.DAY_BEFORE


def _people(visit):
    need = visit.match.need
    people = {p.pk: p for p in (visit.match.provider.user, need.requested_by, need.resident) if p}
    return people.values()


def _message(visit, user):
    need = visit.match.need
    if visit.match.provider.user_id == user.pk:
        other = need.first_name
    else:
        other = visit.match.provider.user.display_name
    category = need.category.name
    return lazy_message(
        _("Reminder: %(help)s with %(name)s on %(when)s."),
        help=lowercase_translation_lazy(category),
        name=other,
        when=local_when_lazy(visit.starts_at),
    )


def _claim(visit, user, kind):
    """True when this call inserted the reminder's row (so it, and nobody else, sends it)."""
    try:
        with transaction.atomic():  # a savepoint: a lost claim leaves the rest untouched
            VisitReminder.objects.create(visit=visit, user=user, kind=kind)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def _reminder_send(visit, user, kind):
    if not _claim(visit, user, kind):
        return False
    notify(
        users=[user],
        message=_message(visit, user),
        url=reverse("matchmaking:visits"),
        match=visit.match,
    )
    return True


def reminders_send(*, now=None):
    """Send every reminder now due and not yet sent; returns how many were sent."""
    now = now or timezone.now()
    due = (
        Visit.objects.filter(
            status=VisitStatus.PLANNED, starts_at__gt=now, starts_at__lte=now + DAY_BEFORE
        )
        .select_related(
            "match__need__category",
            "match__need__requested_by",
            "match__need__resident",
            "match__provider__user",
        )
        .order_by("starts_at")
    )
    due = list(due)
    already = set(
        VisitReminder.objects.filter(visit__in=due).values_list("visit_id", "user_id", "kind")
    )
    sent = 0
    for visit in due:
        kind = reminder_kind(visit, now)
        if kind is None:
            continue
        for user in _people(visit):
            if (visit.pk, user.pk, kind) not in already and _reminder_send(visit, user, kind):
                sent += 1
    return sent
