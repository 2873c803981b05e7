"""How people are told, beyond the in-app notification: email (accounts.emails, as
before) and text messages through GOV.UK Notify (`notify.py`).

A text channel has one method, `send_text(*, phone, message, reference)`, which returns
the provider's id for the message (its delivery receipts name it) or raises
`ChannelError`. `text_channel()` is None while texts are not configured, and then
everyone is told by email as before. With NOTIFY_EMAIL_TEMPLATE_ID set too, notification
emails go through Notify as well (`email_through_notify`).
"""

from django.conf import settings
from django.db import transaction

from accounts.emails import email_render
from accounts.languages import languages_for_addresses


class ChannelError(Exception):
    """The channel refused or could not take the message.

    `permanent` when sending it again cannot help (an invalid number, a key without the
    right to text it); the message is written for staff and names no recipient.
    """

    def __init__(self, message, *, permanent=False):
        super().__init__(message)
        self.permanent = permanent


def text_channel():
    """The configured text channel, or None when NOTIFY_API_KEY is empty."""
    if not settings.NOTIFY_API_KEY:
        return None
    from matchmaking.channels.notify import NotifyTextChannel

    return NotifyTextChannel(
        api_key=settings.NOTIFY_API_KEY,
        base_url=settings.NOTIFY_BASE_URL,
        template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
        timeout=settings.NOTIFY_TIMEOUT,
        email_template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
    )


def email_through_notify():
    """Whether notification emails go through Notify (NOTIFY_EMAIL_TEMPLATE_ID set) rather
    than the mail server. Sign-in emails (allauth's) always use the mail server."""
    return bool(settings.NOTIFY_API_KEY and settings.NOTIFY_EMAIL_TEMPLATE_ID)


def notify_email_queue(*, to, template, context, language=None):
    """Render `<template>_subject.txt` and `_body.txt` now and send them through Notify
    once the transaction commits (as accounts.emails does with the mail server), in
    `language`, by default that of the account with that address."""
    from matchmaking.tasks import send_notify_email

    if language is None:
        language = languages_for_addresses([to])[to]
    subject, body = email_render(template=template, context=context, language=language)
    transaction.on_commit(lambda: send_notify_email.enqueue(to=to, subject=subject, body=body))
