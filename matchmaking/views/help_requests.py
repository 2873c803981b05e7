"""A provider's help requests: what the engine offered them, to accept or decline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from matchmaking import conversations, lifecycle
from matchmaking.constants import CAPACITY_STATUSES, LIVE_STATUSES, MatchStatus
from matchmaking.forms import (
    OptionalReasonForm,
    ReasonForm,
)
from matchmaking.models import Match
from matchmaking.views.common import act
from services.selectors import slots_attach

# A provider's help requests list all that hold one of their places, and the latest of the rest.
EARLIER_MATCHES_SHOWN = 20
OFFER_LIST_FIELDS = (
    "status",
    "explanation",
    "created_at",
    "expires_at",
    "need__contact_name",
    "need__schedule",
    "need__on_date",
    "need__starts_at",
    "need__ends_at",
    "need__category__name",
)


def _provider_match(request, pk):
    return get_object_or_404(
        Match.objects.for_provider(request.user).select_related("need__category", "provider__user"),
        pk=pk,
    )


@login_required
def offer_list(request):
    matches = (
        Match.objects.for_provider(request.user)
        .select_related("need__category")
        .order_by("-created_at", "-pk")
        # What the list shows, and no more: a match with its need is sixty columns.
        .only(*OFFER_LIST_FIELDS)
    )
    live = list(matches.filter(status__in=CAPACITY_STATUSES))
    # Earlier matches grow for as long as someone helps; only the latest are listed, by
    # name and status (not their score's explanation, nor when).
    past = list(
        matches.exclude(status__in=LIVE_STATUSES).defer("explanation")[:EARLIER_MATCHES_SHOWN]
    )
    waiting = [m for m in live if m.status == MatchStatus.OFFERED]
    # Only what waits for an answer shows when (a weekly need's days are its slots), read in
    # one query for all (prefetch_related builds a filtered queryset for each need).
    slots_attach(match.need for match in waiting)
    return render(
        request,
        "matchmaking/offer_list.html",
        {
            "waiting": waiting,
            "current": [m for m in live if m.status != MatchStatus.OFFERED],
            "past": past,
        },
    )


@login_required
def offer_detail(request, pk):
    match = _provider_match(request, pk)
    return render(
        request,
        "matchmaking/offer_detail.html",
        {
            "match": match,
            "need": match.need,
            "decline_form": OptionalReasonForm(),
            "cancel_form": ReasonForm(),
            "now": timezone.now(),
            "sharing": conversations.contact_sharing(match),
            "done_not_before": lifecycle.done_not_before(match.need),
        },
    )


@login_required
@require_POST
def offer_accept(request, pk):
    match = _provider_match(request, pk)
    if act(request, lambda: lifecycle.match_accept(actor=request.user, match=match)):
        messages.success(request, _("Thank you. We have asked the resident to confirm."))
    return redirect("matchmaking:offer_detail", pk=match.pk)


@login_required
@require_POST
def offer_decline(request, pk):
    match = _provider_match(request, pk)
    form = OptionalReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
    elif act(
        request,
        lambda: lifecycle.match_decline(
            actor=request.user, match=match, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, _("You declined this request. We will ask someone else."))
        return redirect("matchmaking:offer_list")
    return redirect("matchmaking:offer_detail", pk=match.pk)
