import json
import logging
import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.exceptions import TransitionError
from matchmaking import lifecycle, privacy, safeguarding, trust
from matchmaking.constants import CAPACITY_STATUSES, LIVE_STATUSES, MatchStatus
from matchmaking.forms import (
    ConcernForm,
    DeleteAccountForm,
    OptionalReasonForm,
    RatingForm,
    ReasonForm,
)
from matchmaking.middleware import LAST_SEEN
from matchmaking.models import Match, Notification, Rating
from services.constants import NEED_FINAL
from services.forms import WithdrawForm
from services.pagination import ListPaginator
from services.selectors import needs_visible_to
from services.submit_once import submit_once, submit_token_field

logger = logging.getLogger(__name__)

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


def _act(request, call):
    """Run one state change; a refusal or a failure becomes a message, never an error page.

    Every state change is one transaction, so after a database error nothing was changed.
    """
    try:
        call()
    except TransitionError as error:
        messages.error(request, str(error))
        return False
    except DatabaseError:
        logger.exception("State change failed")
        messages.error(
            request, "Sorry, something went wrong and nothing was changed. Please try again."
        )
        return False
    return True


# --- the provider's side --------------------------------------------------------------------


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
    # Earlier matches grow for as long as someone helps; only the latest are listed.
    past = list(matches.exclude(status__in=LIVE_STATUSES)[:EARLIER_MATCHES_SHOWN])
    prefetch_related_objects([match.need for match in live + past], "slots")
    return render(
        request,
        "matchmaking/offer_list.html",
        {
            "waiting": [m for m in live if m.status == MatchStatus.OFFERED],
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
        },
    )


@login_required
@require_POST
def offer_accept(request, pk):
    match = _provider_match(request, pk)
    if _act(request, lambda: lifecycle.match_accept(actor=request.user, match=match)):
        messages.success(request, "Thank you. We have asked the resident to confirm.")
    return redirect("matchmaking:offer_detail", pk=match.pk)


@login_required
@require_POST
def offer_decline(request, pk):
    match = _provider_match(request, pk)
    form = OptionalReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
    elif _act(
        request,
        lambda: lifecycle.match_decline(
            actor=request.user, match=match, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, "You declined this request. We will ask someone else.")
        return redirect("matchmaking:offer_list")
    return redirect("matchmaking:offer_detail", pk=match.pk)


# --- the resident's side --------------------------------------------------------------------


def _resident_match(request, pk):
    return get_object_or_404(
        Match.objects.for_resident(request.user).select_related("need__category", "provider__user"),
        pk=pk,
    )


@login_required
def need_match(request, pk):
    match = _resident_match(request, pk)
    return render(
        request,
        "matchmaking/need_match.html",
        {
            "match": match,
            "need": match.need,
            "provider": match.provider,
            "comments": trust.recent_comments(match.provider),
            "cancel_form": ReasonForm(),
            "someone_else_form": OptionalReasonForm(),
        },
    )


@login_required
@require_POST
def match_confirm(request, pk):
    match = _resident_match(request, pk)
    if _act(request, lambda: lifecycle.match_confirm(actor=request.user, match=match)):
        messages.success(request, "Confirmed. You can now see each other's contact details.")
    return redirect("matchmaking:need_match", pk=match.pk)


@login_required
@require_POST
def match_someone_else(request, pk):
    match = _resident_match(request, pk)
    form = OptionalReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("matchmaking:need_match", pk=match.pk)
    if _act(
        request,
        lambda: lifecycle.match_ask_for_someone_else(
            actor=request.user, match=match, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, "We will look for someone else.")
        return redirect("needs:detail", reference=match.need.reference)
    return redirect("matchmaking:need_match", pk=match.pk)


@login_required
def need_withdraw(request, reference):
    need = get_object_or_404(
        needs_visible_to(request.user).select_related("category"), reference=reference
    )
    if need.status in NEED_FINAL:
        messages.error(request, "This request can no longer be changed or withdrawn.")
        return redirect("needs:detail", reference=need.reference)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if _act(
            request,
            lambda: lifecycle.need_withdraw(
                actor=request.user, need=need, reason=form.cleaned_data["reason"]
            ),
        ):
            messages.success(request, f"Request {need.reference} has been withdrawn.")
            return redirect("needs:list")
        return redirect("needs:detail", reference=need.reference)
    return render(request, "services/needs/withdraw.html", {"need": need, "form": form})


# --- either side ----------------------------------------------------------------------------


def _party_match(request, pk):
    """The match if the user is on either side of it; 404 otherwise."""
    mine = Match.objects.for_provider(request.user) | Match.objects.for_resident(request.user)
    return get_object_or_404(mine.select_related("need", "provider__user"), pk=pk)


def _back_to(request, match):
    if lifecycle.is_provider_side(match, request.user):
        return redirect("matchmaking:offer_detail", pk=match.pk)
    return redirect("matchmaking:need_match", pk=match.pk)


@login_required
@require_POST
def match_cancel(request, pk):
    match = _party_match(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for cancelling.")
    elif _act(
        request,
        lambda: lifecycle.match_cancel(
            actor=request.user, match=match, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, "The match was cancelled.")
    return _back_to(request, match)


@login_required
@require_POST
def match_complete(request, pk):
    match = _party_match(request, pk)
    if _act(request, lambda: lifecycle.match_complete(actor=request.user, match=match)):
        messages.success(request, "Marked as done. Thank you.")
    return _back_to(request, match)


@login_required
def match_rate(request, pk):
    match = _party_match(request, pk)
    role = trust.rater_role_for(match, request.user)
    existing = Rating.objects.filter(match=match, rater_role=role).first()
    initial = {"score": existing.score, "comment": existing.comment} if existing else None
    form = RatingForm(request.POST if request.method == "POST" else None, initial=initial)
    back = _back_to(request, match).url

    def rate():
        data = form.cleaned_data
        if existing:
            done = _act(
                request, lambda: trust.rating_edit(actor=request.user, rating=existing, **data)
            )
        else:
            done = _act(request, lambda: trust.rating_give(actor=request.user, match=match, **data))
        if not done:
            return None
        messages.success(request, "Thank you for your rating.")
        return back

    if form.is_bound and form.is_valid():
        sent = submit_once(request, rate, pending_url=back)
        if sent:
            return sent
    return render(
        request,
        "matchmaking/rate.html",
        {
            "match": match,
            "form": form,
            "existing": existing,
            "submit_token": submit_token_field(),
        },
    )


@login_required
def match_concern(request, pk):
    match = _party_match(request, pk)
    form = ConcernForm(request.POST if request.method == "POST" else None)
    back = _back_to(request, match).url

    def raise_it():
        if not _act(
            request,
            lambda: safeguarding.concern_raise(
                raised_by=request.user, match=match, **form.cleaned_data
            ),
        ):
            return None
        messages.success(request, "Thank you. We have received your concern and will look at it.")
        return back

    if form.is_bound and form.is_valid():
        sent = submit_once(request, raise_it, pending_url=back)
        if sent:
            return sent
    return render(
        request,
        "matchmaking/concern.html",
        {"match": match, "form": form, "submit_token": submit_token_field()},
    )


@login_required
def match_block(request, pk):
    match = _resident_match(request, pk)
    form = OptionalReasonForm(request.POST if request.method == "POST" else None)

    def block():
        safeguarding.block_pair(
            resident=request.user,
            provider=match.provider,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )

    if form.is_bound and form.is_valid() and _act(request, block):
        messages.success(
            request, f"We will not match you with {match.provider.user.first_name} again."
        )
        return redirect("needs:detail", reference=match.need.reference)
    return render(request, "matchmaking/block.html", {"match": match, "form": form})


# --- notifications --------------------------------------------------------------------------


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user)
    page = ListPaginator(notifications, 25).get_page(request.GET.get("page"))
    unread_ids = [n.pk for n in page.object_list if n.read_at is None]
    response = render(
        request,
        "matchmaking/notification_list.html",
        {"page": page, "unread_ids": set(unread_ids)},
    )
    Notification.objects.filter(pk__in=unread_ids).update(read_at=timezone.now())
    return response


# --- privacy rights -------------------------------------------------------------------------


@login_required
def your_data(request):
    return render(request, "matchmaking/your_data.html")


@login_required
def your_data_download(request):
    body = json.dumps(privacy.personal_data(request.user), indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="kith-my-data.json"'
    return response


@login_required
def account_delete(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        if _act(request, lambda: privacy.account_delete(user=request.user)):
            logout(request)
            messages.success(request, "Your account has been deleted.")
            return redirect("home")
        return redirect("matchmaking:your_data")
    return render(request, "matchmaking/account_delete.html", {"form": form})
