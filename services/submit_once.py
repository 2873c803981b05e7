"""One submission per form: a double click or a resubmitted page creates nothing twice.

A form that creates carries a one-time token (`submit_token_field()` in its context,
rendered inside the form). `submit_once` runs the first POST with a token and remembers
where it led; a later POST with the same token is sent there with a message instead, or,
while the first is still running, to `pending_url`.

The token is claimed with the cache's atomic `add`, not in the session: the two requests
of a double click both read the session before either has saved it. In production the
cache is shared by every worker (the sign-in rate limits need that too). A form posted
without a token (a page rendered before this was added) is simply run.
"""

import re
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils.html import format_html

TOKEN_FIELD = "submit_token"
# Long enough to come back to a page from the browser's history.
REMEMBERED_SECONDS = 24 * 3600
# A first request that died mid-way stops holding its token after this.
IN_FLIGHT_SECONDS = 5 * 60
_IN_FLIGHT = "in-flight"

ALREADY_SENT = "You have already sent this form, so it was not sent again."
STILL_SENDING = (
    "This form is still being sent from your first click, so it was not sent again. "
    "It will show here in a moment."
)


def submit_token_field():
    """The hidden input with a new token, to put inside a form that creates something."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, secrets.token_urlsafe(16)
    )


def submit_once(request, create, *, pending_url):
    """Run `create()` for the first POST of this form only.

    `create` returns the URL to go to when it made something, or None when it refused
    (then nothing is remembered, the same form may be sent again, and this returns None
    for the view to show why). Returns a redirect otherwise.
    """
    token = request.POST.get(TOKEN_FIELD, "")
    if not re.fullmatch(r"[\w-]{16,64}", token):
        url = create()
        return redirect(url) if url else None
    key = f"submit-once:{request.user.pk}:{token}"
    if not cache.add(key, _IN_FLIGHT, IN_FLIGHT_SECONDS):
        earlier = cache.get(key)
        if earlier in (None, _IN_FLIGHT):
            messages.info(request, STILL_SENDING)
            return redirect(pending_url)
        messages.info(request, ALREADY_SENT)
        return redirect(earlier)
    try:
        url = create()
    except BaseException:
        cache.delete(key)
        raise
    if url is None:
        cache.delete(key)
        return None
    cache.set(key, url, REMEMBERED_SECONDS)
    return redirect(url)
