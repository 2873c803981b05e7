"""allauth's adapter: where a person goes after signing in."""

from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import translation

from accounts.languages import language_supported


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account reads Kith in the language its sign-up pages were in.
        user.language = language_supported(translation.get_language())
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        url = super().get_login_redirect_url(request)
        user = request.user
        # Accounts made before sign-up asked for a name are asked once, at their next sign-in,
        # so no one is shown to the other side of a match as a blank.
        if user.is_authenticated and not user.has_name:
            return f"{reverse('matchmaking:name_ask')}?{urlencode({'next': url})}"
        return url
