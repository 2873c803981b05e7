"""Pages every visitor sees: the start page, signing out, staying signed in."""

import time

from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from matchmaking.middleware import LAST_SEEN


@require_POST
def session_extend(request):
    """The timeout warning's "Stay signed in": renew the idle session now."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session[LAST_SEEN] = time.time()
    return HttpResponse(status=204)


def signed_out(request):
    logout(request)  # the browser's timer may run a moment ahead of the server
    return render(request, "pages/signed_out.html")


def home(request):
    context = {}
    if request.user.is_authenticated:
        context = {
            "request_help_url": reverse("needs:start"),
            "offer_help_url": reverse(
                "providers:dashboard"
                if hasattr(request.user, "provider_profile")
                else "providers:start"
            ),
        }
    return render(request, "matchmaking/home.html", context)
