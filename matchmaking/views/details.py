"""A person's own details ("Your details", "What should we call you?") and a provider's pause."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import details, pausing
from accounts.forms import NamesForm, YourDetailsForm
from accounts.models import ProviderProfile
from matchmaking.views.common import act


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _form_with_service_errors(form, error):
    # The service names fields ("known_as", "phone"…) the same way the forms do.
    form.add_error(None, error)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def your_details(request):
    user = request.user
    initial = {
        "full_name": user.full_name or f"{user.first_name} {user.last_name}".strip(),
        "known_as": user.first_name,
        "phone": str(user.phone or ""),
        "contact_method": user.contact_method,
    }
    form = YourDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            details.user_details_update(user=user, **form.cleaned_data)
        except details.ValidationError as error:
            _form_with_service_errors(form, error)
        else:
            messages.success(request, _("Your details have been updated."))
            return redirect("matchmaking:your_details")
    # A number saved before numbers were checked, which does not read as a UK number.
    phone_to_correct = bool(user.phone) and not user.phone.is_valid()
    return render(
        request,
        "matchmaking/your_details.html",
        {"form": form, "phone_to_correct": phone_to_correct},
    )


@login_required
@require_http_methods(["GET", "POST"])
def name_ask(request):
    """Asked once of accounts made before sign-up asked for a name (see the login redirect)."""
    user = request.user
    next_url = _next_url(request) or "/"
    initial = {"full_name": user.full_name, "known_as": user.first_name}
    form = NamesForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            details.user_name_set(user=user, **form.cleaned_data)
        except details.ValidationError as error:
            _form_with_service_errors(form, error)
        else:
            return redirect(next_url)
    return render(request, "matchmaking/name_ask.html", {"form": form, "next": next_url})


def _own_profile(user):
    profile = ProviderProfile.objects.filter(user=user).first()
    if profile is None:
        raise Http404
    return profile


@login_required
@require_http_methods(["GET", "POST"])
def provider_pause(request):
    profile = _own_profile(request.user)
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        if act(
            request,
            lambda: pausing.provider_pause(provider=profile, actor=request.user, reason=reason),
        ):
            messages.success(
                request,
                _("You are paused. We will not ask you to help anyone new until you resume."),
            )
        return redirect("providers:dashboard")
    return render(request, "providers/pause.html", {"profile": profile})


@login_required
@require_POST
def provider_resume(request):
    profile = _own_profile(request.user)
    if act(request, lambda: pausing.provider_resume(provider=profile, actor=request.user)):
        messages.success(request, _("Welcome back. We can ask you to help people again."))
    return redirect("providers:dashboard")
