"""Token authentication with an expiry: a token older than API_TOKEN_EXPIRY_DAYS is a 401."""

from django.utils import formats, timezone
from rest_framework import authentication, exceptions

from matchmaking.api_tokens import api_token_expired, api_token_expires_at


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if api_token_expired(token):
            expires_at = timezone.localtime(api_token_expires_at(token))
            expired_on = formats.date_format(expires_at, "j F Y")
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {expired_on}. Make a new one on your account's "
                "API access page."
            )
        return user, token
