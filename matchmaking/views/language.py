"""The header's language switch: English | Cymraeg."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.languages import language_cookie_set, language_supported, user_language_set


@require_POST
def language_set(request):
    """Switch to the posted language (an unknown one is English) and go back to the page.

    Kept in a cookie for every visitor and on the account of a signed-in person, whose
    emails and texts are then written in it too.
    """
    language = language_supported(request.POST.get("language"))
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("home")
    translation.activate(language)
    response = redirect(back)
    language_cookie_set(response, language)
    return response
