"""Personal calendar feeds: a secret, revocable URL per person listing their coming visits.

The token is 256 random bits, shown once; only its SHA-256 is stored, so a copy of the
database opens no feed. A feed says when, what kind of help and the other person's first
name: never an address, a phone number or anything from the request's details.
"""

import datetime
import hashlib
import hmac
import secrets

import icalendar
from auditlog.context import set_actor
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from matchmaking.constants import VisitStatus
from matchmaking.models import CalendarFeed
from matchmaking.visits import visits_for_person

TOKEN_BYTES = 32  # 256 bits: unguessable, and at least the 128 the council asks for
FEED_WEEKS = 8


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user):
    """Make (or replace) the person's feed; returns the token, which is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with set_actor(user):
        CalendarFeed.objects.select_for_update().filter(user=user).delete()
        CalendarFeed.objects.create(user=user, token_hash=_hash(token))
    return token


@transaction.atomic
def calendar_feed_revoke(*, user):
    """The feed's URL stops working at once."""
    with set_actor(user):
        return CalendarFeed.objects.filter(user=user).delete()[0] > 0


def calendar_feed_owner(token):
    """The person whose feed `token` opens, or None."""
    digest = _hash(token)
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=digest).first()
    # The lookup is by a hash (which leaks nothing about the token); the final check is
    # in constant time all the same.
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    return feed.user if feed.user.is_active else None


def calendar_ics(user, *, now=None):
    """The person's planned visits from today for FEED_WEEKS weeks, as iCalendar bytes."""
    now = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.COUNCIL_NAME}//{settings.SERVICE_NAME}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.SERVICE_NAME} visits")
    coming = visits_for_person(user).filter(
        status=VisitStatus.PLANNED,
        ends_at__gt=now,
        starts_at__lt=now + datetime.timedelta(weeks=FEED_WEEKS),
    )
    for visit in coming:
        helping = visit.match.provider.user_id == user.pk
        other = visit.match.need.first_name if helping else visit.match.provider.user.display_name
        what = visit.match.need.category.name
        event = icalendar.Event()
        event.add("uid", f"visit-{visit.pk}@{settings.SERVICE_NAME.lower().replace(' ', '-')}")
        event.add("dtstamp", now)
        event.add("dtstart", visit.starts_at)
        event.add("dtend", visit.ends_at)
        event.add("summary", f"{what} {'for' if helping else 'with'} {other or 'your helper'}")
        calendar.add_component(event)
    return calendar.to_ical()
