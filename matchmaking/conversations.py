"""A match's conversation: who may read and write it, posting, reporting, sharing contact
details, and staff reading it while a concern is open.

The conversation opens when the provider accepts (lifecycle.match_accept calls
`conversation_open`) and stays open until READ_ONLY_AFTER the match ends, then can only be
read. The resident's side (the resident and whoever asked for them) and the provider take
part; staff never post. Emails say that a message arrived and who wrote it, never what it
says: email is not private.
"""

import datetime
from dataclasses import dataclass

from auditlog.context import set_actor
from auditlog.signals import accessed
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.emails import send_templated_email
from accounts.exceptions import TooManyRequests, TransitionError
from accounts.languages import lazy_message, read_in
from matchmaking import lifecycle, safeguarding, scoping
from matchmaking.constants import ConcernKind, ConcernStatus, MatchStatus
from matchmaking.models import (
    Block,
    Conversation,
    ConversationReader,
    Match,
    Message,
    Notification,
)
from matchmaking.models.conversations import MESSAGE_MAX_CHARS

READ_ONLY_AFTER = datetime.timedelta(days=30)
# One email per person per conversation while they have not read it, at most this often.
EMAIL_QUIET_PERIOD = datetime.timedelta(minutes=15)
# Per person, across every conversation: enough for a real exchange, too few for flooding.
RATE_LIMIT_MESSAGES = 20
RATE_LIMIT_WINDOW_SECONDS = 10 * 60
# Statuses a match can only be in after the provider said yes.
_ACCEPTED_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED)


# --- who and when -----------------------------------------------------------------------------


def participants(match):
    """The people in the conversation: the resident's side and the provider (no duplicates)."""
    people = [match.need.requested_by, match.need.resident, match.provider.user]
    return list({person.pk: person for person in people if person is not None}.values())


def is_participant(match, user):
    return lifecycle.is_resident_side(match, user) or lifecycle.is_provider_side(match, user)


def was_accepted(match):
    return match.accepted_at is not None or match.status in _ACCEPTED_STATUSES


def closes_at(match):
    """When the conversation becomes read-only (None while the match has not ended)."""
    return match.ended_at + READ_ONLY_AFTER if match.ended_at else None


def is_writable(match, now=None):
    now = now or timezone.now()
    closing = closes_at(match)
    return was_accepted(match) and (closing is None or now < closing)


def is_blocked(match):
    residents = [pk for pk in (match.need.resident_id, match.need.requested_by_id) if pk]
    return Block.objects.filter(resident_id__in=residents, provider_id=match.provider_id).exists()


def conversation_url(match):
    return reverse("matchmaking:conversation", args=[match.pk])


def messages_of(match):
    """The conversation's messages, oldest first, with their senders (one query)."""
    return Message.objects.filter(conversation__match=match).select_related("sender")


@dataclass(frozen=True)
class ContactSharing:
    resident_side: bool = False
    provider: bool = False

    def shares(self, side):
        return self.provider if side == "provider" else self.resident_side


def contact_sharing(match):
    """Which sides chose to show their phone and email: nobody's before acceptance.

    One query, or none when the match was read with select_related("conversation")."""
    try:
        conversation = match.conversation
    except Conversation.DoesNotExist:
        return ContactSharing()
    return ContactSharing(
        resident_side=conversation.resident_side_shares_contact,
        provider=conversation.provider_shares_contact,
    )


def side_of(match, user):
    return "provider" if lifecycle.is_provider_side(match, user) else "resident"


# --- writes ---------------------------------------------------------------------------------


def conversation_open(*, match, now=None):
    """The match's conversation, made if it does not exist yet (safe to call again).

    Called inside match_accept's transaction, with the match row already locked.
    """
    conversation, _ = Conversation.objects.get_or_create(
        match=match, defaults={"opened_at": now or timezone.now()}
    )
    return conversation


def _clean_body(body):
    if "\x00" in body:
        raise TransitionError(_("Your message contains a character that cannot be stored (NUL)."))
    body = body.strip()
    if not body:
        raise TransitionError(_("Write a message."))
    if len(body) > MESSAGE_MAX_CHARS:
        raise TransitionError(f"Your message must be {MESSAGE_MAX_CHARS:,} characters or fewer.")
    return body


def _rate_limit_key(user):
    return f"kith:conversation-messages:{user.pk}"


def _check_rate_limit(user):
    """Count the message in the shared cache; refuse over RATE_LIMIT_MESSAGES per window."""
    key = _rate_limit_key(user)
    cache.add(key, 0, timeout=RATE_LIMIT_WINDOW_SECONDS)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window starts
        cache.set(key, 1, timeout=RATE_LIMIT_WINDOW_SECONDS)
        sent = 1
    if sent > RATE_LIMIT_MESSAGES:
        raise TooManyRequests(
            "You have sent a lot of messages in a short time. Please wait a few minutes "
            "and try again.",
            retry_after_seconds=RATE_LIMIT_WINDOW_SECONDS,
        )


def _refuse_unless_writable(match, actor, now):
    if not is_participant(match, actor):
        raise TransitionError(_("You are not part of this conversation."))
    if not was_accepted(match):
        raise TransitionError(_("You can send messages once the offer has been accepted."))
    if not is_writable(match, now):
        raise TransitionError(
            _("This conversation closed 30 days after the match ended. You can still read it.")
        )
    if is_blocked(match):
        raise TransitionError(_("You cannot send messages in this conversation."))


def _sender_name(user):
    return user.display_name


def _tell(*, match, sender, recipient, now):
    """An in-app notification (unless one is still unread) and, at most once per quiet
    period while unread, an email that names the sender but never quotes the message."""
    url = conversation_url(match)
    text = read_in(
        recipient.language,
        lazy_message(
            _("%(sender)s sent you a message about request %(reference)s."),
            sender=_sender_name(sender),
            reference=match.need.reference,
        ),
    )
    unread = Notification.objects.filter(user=recipient, url=url, read_at__isnull=True)
    if not unread.exists():
        Notification.objects.create(user=recipient, message=text, url=url, match=match)
    reader, _created = ConversationReader.objects.select_for_update().get_or_create(
        conversation=match.conversation, user=recipient
    )
    emailed = reader.last_emailed_at
    read_since = (
        reader.last_read_at is not None and emailed is not None and (reader.last_read_at >= emailed)
    )
    if emailed is None or read_since or now - emailed >= EMAIL_QUIET_PERIOD:
        reader.last_emailed_at = now
        reader.save(update_fields=["last_emailed_at"])
        send_templated_email(
            to=[recipient.email],
            template="matchmaking/email/conversation_message",
            context={
                "name": recipient.display_name,
                "sender": _sender_name(sender),
                "reference": match.need.reference,
                "link": f"{settings.SITE_URL}{url}",
            },
        )


@transaction.atomic
def message_post(*, match, actor, body, now=None):
    """Post a plain-text message to a match's conversation and tell the other people in it.

    Refused (TransitionError, nothing stored) for someone outside the match, before the
    offer was accepted, once the conversation is read-only, between a blocked pair, for an
    empty, over-long or NUL-containing message, and over the per-person rate limit.
    """
    now = now or timezone.now()
    body = _clean_body(body)
    # Lock the match: a cancellation or block committed meanwhile is seen before posting.
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("need__requested_by", "need__resident", "provider__user")
        .get(pk=match.pk)
    )
    _refuse_unless_writable(match, actor, now)
    _check_rate_limit(actor)
    with set_actor(actor):
        conversation = conversation_open(match=match, now=now)
        message = Message.objects.create(conversation=conversation, sender=actor, body=body)
        # Posting is reading: the sender is not emailed about the replies they have seen.
        conversation_mark_read(match=match, user=actor, now=now)
        for person in participants(match):
            if person.pk != actor.pk:
                _tell(match=match, sender=actor, recipient=person, now=now)
    return message


def conversation_mark_read(*, match, user, now=None):
    """The person has seen the conversation: its notifications are read, and the next
    message may be emailed to them again."""
    now = now or timezone.now()
    conversation = Conversation.objects.filter(match=match).first()
    if conversation is None:
        return
    ConversationReader.objects.update_or_create(
        conversation=conversation, user=user, defaults={"last_read_at": now}
    )
    Notification.objects.filter(
        user=user, url=conversation_url(match), read_at__isnull=True
    ).update(read_at=now)


@transaction.atomic
def contact_share_set(*, match, actor, share):
    """One side chooses whether the other may see its phone number and email."""
    match = Match.objects.select_for_update().select_related("need", "provider").get(pk=match.pk)
    if not is_participant(match, actor):
        raise TransitionError(_("You are not part of this match."))
    if share and not (match.status == MatchStatus.ACTIVE and not is_blocked(match)):
        raise TransitionError(_("You can share your contact details while the match is active."))
    field = (
        "provider_shares_contact"
        if lifecycle.is_provider_side(match, actor)
        else "resident_side_shares_contact"
    )
    with set_actor(actor):
        conversation = conversation_open(match=match)
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if getattr(conversation, field) != share:
            setattr(conversation, field, share)
            conversation.save(update_fields=[field])
    return conversation


def message_report(*, message, actor, description, kind=ConcernKind.CONDUCT, urgent=False):
    """Report a message someone else wrote: a concern about them, with the message attached."""
    match = message.conversation.match
    if not is_participant(match, actor):
        raise TransitionError(_("You can only report messages in your own conversations."))
    if message.sender_id == actor.pk:
        raise TransitionError(_("You cannot report your own message."))
    with transaction.atomic():
        concern = safeguarding.concern_raise(
            raised_by=actor,
            kind=kind,
            description=description,
            urgent=urgent,
            match=match,
            about=message.sender,
        )
        Message.objects.filter(pk=message.pk).update(reported_in=concern)
    return concern


# --- staff reading ------------------------------------------------------------------------------


def conversations_readable_by_staff(user):
    """Conversations a member of staff may read now: the match is in their areas (any area
    for a safeguarding lead) and a concern they can see about the match, or about anyone
    in it, is open. One query; no rows for anyone who is not staff."""
    if user is None or not user.is_staff:
        return Conversation.objects.none()
    open_concerns = scoping.concerns_for_staff(user).filter(status=ConcernStatus.OPEN)
    about_it = open_concerns.filter(
        Q(match_id=OuterRef("match_id"))
        | Q(about_id=OuterRef("match__provider__user_id"))
        | Q(about_id=OuterRef("match__need__resident_id"))
        | Q(about_id=OuterRef("match__need__requested_by_id"))
    )
    readable = Conversation.objects.filter(Exists(about_it))
    if not scoping.is_safeguarding_lead(user):
        readable = readable.filter(match__in=scoping.matches_for_staff(user).values("pk"))
    return readable


def staff_may_read(match, user):
    return conversations_readable_by_staff(user).filter(match=match).exists()


def conversation_staff_read(*, conversation, actor):
    """The messages, for staff allowed to read them now; each read is in the audit trail
    (an "accessed" entry naming the member of staff)."""
    if not conversations_readable_by_staff(actor).filter(pk=conversation.pk).exists():
        raise TransitionError(
            _("Staff can read a conversation only while a concern about it is open.")
        )
    with set_actor(actor):
        accessed.send(sender=Conversation, instance=conversation)
    return list(Message.objects.filter(conversation=conversation).select_related("sender"))
