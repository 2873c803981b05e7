"""API tokens: one per person (rest_framework.authtoken), made and revoked on an account page.

The key is shown once, on the page after it is made; afterwards the page only says that a
token exists and when it was made. Making a new one replaces the old, so a leaked key is
dealt with by pressing one button. The person is emailed whenever a token is made.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from accounts.emails import send_templated_email

NEW_KEY_SESSION = "api_token_new_key"


@transaction.atomic
def api_token_create(*, user) -> Token:
    """A new token for `user`, replacing any they had."""
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


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = api_token_create(user=request.user)
            # Kept server-side (the session), not in a message cookie; shown once.
            request.session[NEW_KEY_SESSION] = token.key
        elif action == "revoke":
            if api_token_revoke(user=request.user):
                messages.success(request, "Your API token has been revoked. It no longer works.")
        else:
            return HttpResponseBadRequest("Unknown action")
        return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    return render(
        request,
        "api/token.html",
        {"token": token, "new_key": new_key if token and new_key == token.key else None},
    )
