"""Text messages: choosing them, confirming the number, sending, and Notify's receipts.

The number is confirmed the GOV.UK way before any text is sent to it: a 5-digit code by
text, good for 15 minutes, a new code on request, and a pause after 10 wrong codes. A
number Notify reports as permanently failed gets no more texts, and its owner is told.
"""

import re
import secrets
from datetime import timedelta

import phonenumbers
from auditlog.context import set_actor
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.constants import ContactMethod
from accounts.exceptions import TransitionError
from accounts.languages import lazy_message, read_in
from matchmaking.channels import ChannelError, text_channel
from matchmaking.constants import DeliveryStatus, NotifyBy
from matchmaking.models import TextDelivery, TextNumber

CODE_DIGITS = 5
# Ofcom's mobile numbers for drama (07700 900000 to 900999): never anyone's phone, so the
# demo, the docs and the tests use them; libphonenumber calls them invalid.
OFCOM_DRAMA_MOBILES = re.compile(r"\+447700900\d{3}")
CODE_VALID_FOR = timedelta(minutes=15)
MAX_WRONG_CODES = 10
LOCKED_FOR = timedelta(minutes=15)
RESEND_AFTER = timedelta(minutes=1)
# Notify's statuses that end a text's story, and the one that stops texts to the number.
FINAL_STATUSES = {
    DeliveryStatus.DELIVERED,
    DeliveryStatus.PERMANENT_FAILURE,
    DeliveryStatus.TEMPORARY_FAILURE,
    DeliveryStatus.TECHNICAL_FAILURE,
}


def phone_normalise(raw):
    """A UK or international number in E.164 ("+447700900123"), or a TransitionError."""
    try:
        number = phonenumbers.parse(raw or "", "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and OFCOM_DRAMA_MOBILES.fullmatch(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    ):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number is None or not phonenumbers.is_valid_number(number):
        raise TransitionError(_("Enter a mobile phone number, like 07700 900 982."))
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise TransitionError(_("Enter a mobile phone number: texts cannot go to a landline."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _code_hash(code):
    # Keyed with SECRET_KEY: 100,000 codes are quick to try against a plain hash.
    return salted_hmac("kith.texts.code", code).hexdigest()


def _send_code(text_number):
    now = timezone.now()
    if text_number.code_sent_at and now - text_number.code_sent_at < RESEND_AFTER:
        # Each text costs the council and buzzes a phone: no more than one a minute.
        raise TransitionError(
            _("We sent a code less than a minute ago. Wait a minute, then ask again.")
        )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    text_number.code_hash = _code_hash(code)
    text_number.code_sent_at = now
    text_number.save()
    delivery = TextDelivery.objects.create(user=text_number.user, phone=text_number.phone)
    # Written in the language the person reads Kith in, wherever the code was asked for.
    message = read_in(
        text_number.user.language,
        lazy_message(
            _("%(code)s is your %(service)s code to confirm this number. It works for 15 minutes."),
            code=code,
            service=settings.SERVICE_NAME,
        ),
    )
    _send_after_commit(delivery, message)


def texts_available():
    return text_channel() is not None


@transaction.atomic
def text_preference_set(*, user, notify_by, phone=""):
    """Email, text or both. Choosing texts sends a code to a number not yet confirmed;
    texts start once it is confirmed (email carries on until then)."""
    if notify_by not in NotifyBy.values:
        raise TransitionError(_("Choose how you would like to be told."))
    if notify_by != NotifyBy.EMAIL and not texts_available():
        raise TransitionError(_("Text messages are not available yet. We will email you."))
    with set_actor(user):
        user.contact_method = (
            ContactMethod.EMAIL if notify_by == NotifyBy.EMAIL else ContactMethod.TEXT
        )
        user.save(update_fields=["contact_method"])
        if notify_by == NotifyBy.EMAIL:
            TextNumber.objects.filter(user=user).update(email_too=True)
            return None
        number = phone_normalise(phone)
        text_number, _created = TextNumber.objects.select_for_update().get_or_create(
            user=user, defaults={"phone": number}
        )
        text_number.email_too = notify_by == NotifyBy.BOTH
        just_sent = (
            text_number.phone == number
            and text_number.code_sent_at is not None
            and timezone.now() - text_number.code_sent_at < RESEND_AFTER
        )
        if text_number.confirmed_at is None and just_sent:
            # The form sent twice: the code already on its way is the one to enter.
            text_number.save()
        elif not (text_number.phone == number and text_number.can_receive):
            # A new number, one not yet confirmed, or one whose texts were stopped: each
            # is confirmed (again) before texts go to it.
            text_number.phone = number
            text_number.confirmed_at = None
            text_number.failed_at = None
            _check_not_locked(text_number)
            _send_code(text_number)
        else:
            text_number.save()
        return text_number


def _check_not_locked(text_number):
    if text_number.locked_until and text_number.locked_until > timezone.now():
        raise TransitionError(
            _("You entered too many wrong codes. Wait 15 minutes, then ask for a new code.")
        )


@transaction.atomic
def phone_code_resend(*, user):
    """'Not received a text?': a new code; the old one stops working."""
    text_number = TextNumber.objects.select_for_update().filter(user=user).first()
    if text_number is None or text_number.confirmed_at is not None:
        raise TransitionError(_("There is no number waiting to be confirmed."))
    _check_not_locked(text_number)
    with set_actor(user):
        _send_code(text_number)
    return text_number


def phone_code_check(*, user, code):
    """Confirm the number with the code it was sent. A wrong code counts even though it
    is refused: the count is saved before the refusal is raised."""
    refusal = None
    with transaction.atomic(), set_actor(user):
        text_number = TextNumber.objects.select_for_update().filter(user=user).first()
        now = timezone.now()
        code = (code or "").strip().replace(" ", "")
        if text_number is None or text_number.confirmed_at is not None:
            raise TransitionError(_("There is no number waiting to be confirmed."))
        _check_not_locked(text_number)
        if not (code.isdigit() and len(code) == CODE_DIGITS):
            raise TransitionError(_("Enter the 5-digit code from the text message."))
        if not text_number.code_hash or now - text_number.code_sent_at > CODE_VALID_FOR:
            raise TransitionError(_("That code has expired. Ask for a new code."))
        if constant_time_compare(_code_hash(code), text_number.code_hash):
            text_number.confirmed_at = now
            text_number.failed_at = None
            text_number.code_hash = ""
            text_number.wrong_codes = 0
            text_number.locked_until = None
        else:
            text_number.wrong_codes += 1
            refusal = _("That code is not right. Check the text message and try again.")
            if text_number.wrong_codes >= MAX_WRONG_CODES:
                text_number.wrong_codes = 0
                text_number.code_hash = ""
                text_number.locked_until = now + LOCKED_FOR
                refusal = _(
                    "You entered too many wrong codes. Wait 15 minutes, then ask for a new code."
                )
        text_number.save()
    if refusal:
        raise TransitionError(refusal)
    return text_number


def wants_email(user, text_number):
    """Email goes to everyone except those who chose texts only and can get them."""
    if user.contact_method != ContactMethod.TEXT or text_number is None:
        return True
    return text_number.email_too or not text_number.can_receive


def notification_texts_queue(notifications, *, text_numbers):
    """A text for each notification whose person chose texts and can get them."""
    for notification in notifications:
        text_number = text_numbers.get(notification.user_id)
        if notification.user.contact_method != ContactMethod.TEXT:
            continue
        if text_number is None or not text_number.can_receive:
            continue
        delivery = TextDelivery.objects.create(
            user_id=notification.user_id, notification=notification, phone=text_number.phone
        )
        link = f" {settings.SITE_URL}{notification.url}" if notification.url else ""
        _send_after_commit(delivery, f"{settings.SERVICE_NAME}: {notification.message}{link}")


def text_numbers_for(users):
    """{user id: TextNumber} for these people, or {} while texts are off (no query)."""
    if not texts_available():
        return None
    return {t.user_id: t for t in TextNumber.objects.filter(user__in=[u.pk for u in users])}


def _send_after_commit(delivery, message):
    from matchmaking.tasks import send_text

    transaction.on_commit(lambda: send_text.enqueue(delivery_id=delivery.pk, message=message))


def text_delivery_send(*, delivery_id, message, last_attempt=True):
    """Hand one text to the channel (a task, after the commit that queued it). Returns
    True when Notify could not take it for now and another attempt may: the text stays
    queued for the task to try again."""
    delivery = TextDelivery.objects.filter(pk=delivery_id).first()
    channel = text_channel()
    if delivery is None or channel is None or delivery.status != DeliveryStatus.QUEUED:
        return False
    try:
        delivery.notify_id = channel.send_text(
            phone=delivery.phone, message=message, reference=f"kith-{delivery.pk}"
        )
        delivery.status = DeliveryStatus.SENDING
    except ChannelError as error:
        if not error.permanent and not last_attempt:
            return True
        delivery.status = DeliveryStatus.NOT_SENT
        delivery.status_at = timezone.now()
        delivery.save()
        if error.permanent:
            _number_failed(delivery)
        return False
    delivery.status_at = timezone.now()
    delivery.save()
    return False


def delivery_status_record(*, notify_id, status):
    """Notify's receipt for one text. Unknown ids change nothing (returns None)."""
    if status not in DeliveryStatus.values:
        raise TransitionError(f"Unknown status {status!r}.")
    with transaction.atomic():
        delivery = TextDelivery.objects.select_for_update().filter(notify_id=notify_id).first()
        if delivery is None:
            return None
        # A late "sending" must not undo a final answer (receipts can arrive out of order).
        if delivery.status in FINAL_STATUSES and status not in FINAL_STATUSES:
            return delivery
        delivery.status = status
        delivery.status_at = timezone.now()
        delivery.save()
        if status == DeliveryStatus.PERMANENT_FAILURE:
            _number_failed(delivery)
    return delivery


def _number_failed(delivery):
    """Stop texts to a number that cannot get them, and say so in the app (and by email,
    which still works)."""
    from matchmaking.notifications import notify

    with transaction.atomic():
        text_number = (
            TextNumber.objects.select_for_update()
            .filter(user_id=delivery.user_id, phone=delivery.phone, failed_at__isnull=True)
            .first()
        )
        if text_number is not None:
            text_number.failed_at = timezone.now()
            text_number.save()
            notify(
                users=[delivery.user],
                message=_(
                    "We could not send text messages to your phone number, so we have "
                    "stopped texting it. Check your number to start texts again."
                ),
                url=reverse("matchmaking:text_messages"),
            )
