import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _

SIGNED_IN_AT = "kith_signed_in_at"
LAST_SEEN = "kith_last_seen"
# Renewing the idle timer writes the session; once a minute is precise enough.
RENEW_EVERY_SECONDS = 60


class SessionLimitMiddleware:
    """Keep the idle limit sliding, and end a session after SESSION_MAX_SECONDS regardless.

    The idle limit is the session's age (SESSION_COOKIE_AGE); touching the session renews
    it, which this does at most once a minute rather than writing on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SIGNED_IN_AT)
            if started is not None and now - started > settings.SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, _("For your security you were signed out after 12 hours."))
                return redirect(settings.LOGIN_URL)
            if now - request.session.get(LAST_SEEN, 0) > RENEW_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class SignedInPagesNotStoredMiddleware:
    """Nothing shown to a signed-in person is kept by a browser or a proxy.

    Their pages carry names, addresses and phone numbers; on a shared computer in a
    library, "back" after signing out must not bring them back from the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


def stamp_sign_in(sender, request, user, **kwargs):
    """user_logged_in receiver: the absolute limit counts from here."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[LAST_SEEN] = time.time()
