"""The account page for API tokens (/accounts/api-token/): make, see and revoke your token.

The key is shown once, on the page after it is made; it waits in the session (server-side,
not a message cookie) until then.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from accounts.exceptions import TransitionError
from accounts.two_factor import lacks_two_factor
from matchmaking.api_tokens import (
    TWO_FACTOR_FIRST,
    api_token_create,
    api_token_expired,
    api_token_expires_at,
    api_token_revoke,
)

NEW_KEY_SESSION = "api_token_new_key"


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            try:
                token = api_token_create(user=request.user)
            except TransitionError as refusal:
                messages.error(request, str(refusal))
            else:
                # Kept server-side (the session), not in a message cookie; shown once.
                request.session[NEW_KEY_SESSION] = token.key
        elif action == "revoke":
            if api_token_revoke(user=request.user):
                messages.success(request, _("Your API token has been revoked. It no longer works."))
        else:
            return HttpResponseBadRequest("Unknown action")
        return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    return render(
        request,
        "api/token.html",
        {
            "token": token,
            "new_key": new_key if token and new_key == token.key else None,
            "expires_at": api_token_expires_at(token) if token else None,
            "expired": api_token_expired(token) if token else False,
            "two_factor_first": TWO_FACTOR_FIRST if lacks_two_factor(request.user) else "",
        },
    )
