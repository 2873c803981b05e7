"""API tokens: one per person (rest_framework.authtoken), made and revoked on an account page
(matchmaking.views.api_tokens); the API's authentication refuses an expired one.

The key is shown once, on the page after it is made; afterwards the page only says that a
token exists, when it was made and when it expires. Making a new one replaces the old, so a
leaked key is dealt with by pressing one button. The person is emailed whenever a token is
made. A token expires API_TOKEN_EXPIRY_DAYS after it was made (authentication.py refuses
it), so a key forgotten in an old script stops working by itself.

Staff and commissioners get a token only once they have two-factor authentication: a
token is a password that skips the second factor, so it must not be the way round it.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.emails import send_templated_email
from accounts.exceptions import TransitionError
from accounts.two_factor import lacks_two_factor

TWO_FACTOR_FIRST = (
    "Set up two-factor authentication before you make an API token: council staff and "
    "commissioners need it for everything they do here."
)


def api_token_expires_at(token) -> datetime.datetime:
    return token.created + datetime.timedelta(days=settings.API_TOKEN_EXPIRY_DAYS)


def api_token_expired(token) -> bool:
    return timezone.now() >= api_token_expires_at(token)


@transaction.atomic
def api_token_create(*, user) -> Token:
    """A new token for `user`, replacing any they had. Refused (TransitionError) for staff
    and commissioners without two-factor authentication."""
    if lacks_two_factor(user):
        raise TransitionError(TWO_FACTOR_FIRST)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    send_templated_email(
        to=[user.email], template="api/email/token_created", context={"user": user}
    )
    return token


def api_token_revoke(*, user) -> bool:
    """Delete the user's token; True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
