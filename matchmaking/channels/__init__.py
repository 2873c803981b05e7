"""How people are told, beyond the in-app notification: email (accounts.emails, as
before) and text messages through GOV.UK Notify (`notify.py`).

A text channel has one method, `send_text(*, phone, message, reference)`, which returns
the provider's id for the message (its delivery receipts name it) or raises
`ChannelError`. `text_channel()` is None while texts are not configured, and then
everyone is told by email as before.
"""

from django.conf import settings


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
    )
