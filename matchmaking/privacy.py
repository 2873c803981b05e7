"""Privacy rights: a copy of everything held about a person, account deletion, retention.

Deletion and retention anonymise rather than delete where the row also feeds the
council's anonymous figures (needs, matches, rating scores): the person is gone, the
count stays. Safeguarding concerns are kept as they are: the council must retain them.
"""

import datetime

from allauth.account.models import EmailAddress
from auditlog.context import set_actor
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from phonenumber_field.phonenumber import PhoneNumber

from accounts.constants import ProviderStatus
from accounts.documents import provider_documents_delete
from accounts.exceptions import TransitionError
from accounts.models import ProviderProfile
from matchmaking import lifecycle
from matchmaking.constants import LIVE_STATUSES
from matchmaking.models import (
    Block,
    CalendarFeed,
    Conversation,
    Match,
    Message,
    Notification,
    OfferAlert,
    OfferProposal,
    OutcomeSurvey,
    Rating,
    SurveyConsent,
    TextDelivery,
    TextNumber,
    Visit,
)
from matchmaking.safeguarding import NEUTRAL_CANCEL_REASON
from services.constants import NEED_FINAL
from services.models import Need, Offer

REMOVED = "[removed]"
NEED_PERSONAL_FIELDS = (
    "contact_name",
    "address",
    "phone",
    "email",
    "notes_for_provider",
    "dietary_needs",
    "referrer_name",
    "referrer_organisation",
    "referrer_phone",
    "referrer_email",
    "best_interest_reason",
    "best_interest_decided_by",
    "withdrawn_reason",
)


def _plain(instance, exclude=()):
    data = model_to_dict(instance, exclude=exclude)
    return {key: _json_value(value) for key, value in data.items()}


def _json_value(value):
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, PhoneNumber):
        return str(value)
    if isinstance(value, list):
        return [getattr(item, "pk", item) for item in value]
    return value


def personal_data(user):
    """Everything the platform holds about `user`, as JSON-ready data."""
    needs = Need.objects.filter(Q(requested_by=user) | Q(resident=user)).prefetch_related("slots")
    matches = Match.objects.filter(
        Q(provider__user=user) | Q(need__requested_by=user) | Q(need__resident=user)
    )
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": _plain(user, exclude=["password", "groups", "user_permissions"]),
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified")),
        "needs": [
            {**_plain(need), "slots": [_plain(slot) for slot in need.slots.all()]} for need in needs
        ],
        "matches": [
            _plain(match, exclude=["explanation"]) | {"explanation": match.explanation}
            for match in matches
        ],
        "ratings_given": [_plain(r) for r in Rating.objects.filter(rater=user)],
        "ratings_received": [
            {"score": r.score, "comment": r.comment, "created_at": r.created_at.isoformat()}
            for r in Rating.objects.filter(match__in=matches, hidden=False).exclude(rater=user)
        ],
        "concerns_raised": [_plain(c, exclude=["resolution"]) for c in user.concerns_raised.all()],
        "blocks": [_plain(b) for b in Block.objects.filter(resident=user)],
        "notifications": [_plain(n) for n in Notification.objects.filter(user=user)],
        "text_number": [
            _plain(t, exclude=["code_hash"]) for t in TextNumber.objects.filter(user=user)
        ],
        "text_messages": [_plain(t) for t in TextDelivery.objects.filter(user=user)],
        "conversations": _conversations(user, matches),
        "visits": [_plain(v) for v in Visit.objects.filter(match__in=matches)],
        "outcome_surveys": [_plain(s) for s in OutcomeSurvey.objects.of_person(user)],
        "survey_consent": [_plain(c) for c in SurveyConsent.objects.filter(user=user)],
        "offer_alerts": [_plain(a) for a in OfferAlert.objects.filter(user=user)],
        "offers_put_to_me": [
            _plain(p, exclude=["explanation"]) for p in OfferProposal.objects.filter(resident=user)
        ],
        "calendar_feed": [
            {"created_at": f.created_at.isoformat()} for f in CalendarFeed.objects.filter(user=user)
        ],
    }
    profile = ProviderProfile.objects.filter(user=user).first()
    if profile:
        data["provider_profile"] = {
            **_plain(profile),
            "skills": list(profile.skills.values_list("slug", flat=True)),
            "availability": [_plain(a) for a in profile.availability.all()],
            "checks": [
                {
                    **_plain(check),
                    # What was sent, not the file: it is there to download on its own page.
                    "documents": [
                        _plain(document, exclude=["file"]) for document in check.documents.all()
                    ],
                    "status_checks": [
                        _plain(s, exclude=["recorded_by"]) for s in check.status_checks.all()
                    ],
                }
                for check in profile.checks.prefetch_related("documents", "status_checks")
            ],
            "offers": [_plain(o) for o in Offer.objects.filter(provider=profile)],
        }
    return data


def _conversations(user, matches):
    """Each conversation the person is in: their choice to share contact details, and the
    messages (theirs and the replies they were sent)."""
    rows = Conversation.objects.filter(match__in=matches).select_related("match__provider")
    messages = Message.objects.filter(conversation__in=rows).select_related("conversation")
    by_conversation = {}
    for message in messages:
        by_conversation.setdefault(message.conversation_id, []).append(
            {
                "from_me": message.sender_id == user.pk,
                "body": message.body,
                "created_at": message.created_at.isoformat(),
            }
        )
    return [
        {
            "match": conversation.match_id,
            "i_share_my_contact_details": (
                conversation.provider_shares_contact
                if conversation.match.provider.user_id == user.pk
                else conversation.resident_side_shares_contact
            ),
            "messages": by_conversation.get(conversation.pk, []),
        }
        for conversation in rows
    ]


def _postcode_sector(code):
    """'RV1 2AB' → 'RV1 2': enough for area figures, too coarse to find a home."""
    return code[:-2] if len(code) > 2 else code


def anonymise_need(need):
    for name in NEED_PERSONAL_FIELDS:
        setattr(need, name, "")
    need.details = REMOVED
    need.postcode = _postcode_sector(need.postcode)
    need.latitude, need.longitude = round(need.latitude, 2), round(need.longitude, 2)
    need.save()


@transaction.atomic
def account_delete(*, user, actor=None):
    """Close the account: end live matches properly, then anonymise what must stay."""
    actor = actor or user
    if user.is_superuser:
        raise TransitionError(_("A superuser account cannot be deleted here."))
    with set_actor(actor):
        for match in Match.objects.filter(
            Q(provider__user=user) | Q(need__requested_by=user) | Q(need__resident=user),
            status__in=LIVE_STATUSES,
        ).select_related("provider"):
            # The provider left: the resident still needs help, so the need goes back to the
            # engine (which does not ask them again: their match for it was cancelled).
            # The resident left: their need is withdrawn just below.
            helper_left = match.provider.user_id == user.pk
            lifecycle.match_cancel(
                match=match,
                actor=actor,
                reason=(NEUTRAL_CANCEL_REASON if helper_left else "The account was closed."),
                cause=(
                    lifecycle.CancelCause.PROVIDER_LEFT
                    if helper_left
                    else lifecycle.CancelCause.WITHDRAWN
                ),
            )
        for need in Need.objects.filter(requested_by=user).exclude(status__in=NEED_FINAL):
            lifecycle.need_withdraw(need=need, actor=actor, reason="The account was closed.")
        for need in Need.objects.filter(Q(requested_by=user) | Q(resident=user)):
            anonymise_need(need)

        profile = ProviderProfile.objects.filter(user=user).first()
        if profile:
            if profile.photo:
                profile.photo.delete(save=False)
            # Certificates (DBS numbers, licences) go with the account, files and all.
            provider_documents_delete(provider=profile)
            profile.bio, profile.photo, profile.languages = "", "", []
            profile.home_postcode = _postcode_sector(profile.home_postcode)
            profile.latitude, profile.longitude = (
                round(profile.latitude, 2),
                round(profile.longitude, 2),
            )
            if profile.status in (ProviderStatus.ACTIVE, ProviderStatus.PAUSED):
                profile.status = ProviderStatus.SUSPENDED
                profile.pause_reason = ""
            profile.save()
            Offer.objects.filter(provider=profile, status="open").update(status="withdrawn")

        Rating.objects.filter(rater=user).update(comment="")
        # A message reported in a safeguarding concern stays as it is, like the concern;
        # every other message the person wrote is erased (the other side sees "[removed]").
        Message.objects.filter(sender=user, reported_in__isnull=True).update(
            body=REMOVED, sender=None
        )
        user.conversations_read.all().delete()
        Notification.objects.filter(user=user).delete()
        # The calendar link stops working with the account.
        CalendarFeed.objects.filter(user=user).delete()
        # The phone number texts went to, and every text's record, go with the account.
        TextDelivery.objects.filter(user=user).delete()
        TextNumber.objects.filter(user=user).delete()
        # Stored API answers repeat the addresses and phone numbers that were sent.
        user.idempotency_keys.all().delete()
        EmailAddress.objects.filter(user=user).delete()
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.first_name = user.last_name = user.full_name = user.phone = ""
        user.is_active = False
        # A new password hash also ends every session (Django checks it on each request).
        user.set_unusable_password()
        user.save()
    return user


def apply_retention(*, days, now=None):
    """Anonymise needs that have been closed for longer than `days`; returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    stale = Need.objects.filter(status__in=NEED_FINAL, status_changed_at__lt=cutoff).exclude(
        details=REMOVED
    )
    count = 0
    for need in stale.iterator():
        with transaction.atomic():
            anonymise_need(need)
        count += 1
    return count


def prune_task_results(*, days, now=None):
    """Delete background-task records finished more than `days` ago; returns how many.

    Each holds what the task was given, and for an email that is the address and the text.
    Unfinished ones (waiting for a retry) are kept.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    return deleted
