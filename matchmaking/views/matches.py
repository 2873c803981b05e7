"""A match from either side (confirm, cancel, mark done, rate, report, block) and withdrawing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from matchmaking import conversations, lifecycle, safeguarding, trust
from matchmaking.forms import (
    ConcernForm,
    OptionalReasonForm,
    RatingForm,
    ReasonForm,
)
from matchmaking.models import Match, Rating
from matchmaking.views.common import act, match_page, party_match
from services.constants import NEED_FINAL
from services.forms import WithdrawForm
from services.selectors import needs_visible_to
from services.submit_once import submit_once, submit_token_field


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
            "smoothed_rating": trust.smoothed_rating(match.provider),
            "smoothed_rating_explained": trust.SMOOTHED_RATING_EXPLAINED,
            "cancel_form": ReasonForm(),
            "someone_else_form": OptionalReasonForm(),
            "sharing": conversations.contact_sharing(match),
            "done_not_before": lifecycle.done_not_before(match.need),
        },
    )


@login_required
@require_POST
def match_confirm(request, pk):
    match = _resident_match(request, pk)
    if act(request, lambda: lifecycle.match_confirm(actor=request.user, match=match)):
        messages.success(request, _("Confirmed. You can now send each other messages."))
    return redirect("matchmaking:need_match", pk=match.pk)


@login_required
@require_POST
def match_someone_else(request, pk):
    match = _resident_match(request, pk)
    form = OptionalReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("matchmaking:need_match", pk=match.pk)
    if act(
        request,
        lambda: lifecycle.match_ask_for_someone_else(
            actor=request.user, match=match, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, _("We will look for someone else."))
        return redirect("needs:detail", reference=match.need.reference)
    return redirect("matchmaking:need_match", pk=match.pk)


@login_required
def need_withdraw(request, reference):
    need = get_object_or_404(
        needs_visible_to(request.user).select_related("category"), reference=reference
    )
    if need.status in NEED_FINAL:
        messages.error(request, _("This request can no longer be changed or withdrawn."))
        return redirect("needs:detail", reference=need.reference)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if act(
            request,
            lambda: lifecycle.need_withdraw(
                actor=request.user, need=need, reason=form.cleaned_data["reason"]
            ),
        ):
            messages.success(request, f"Request {need.reference} has been withdrawn.")
            return redirect("needs:list")
        return redirect("needs:detail", reference=need.reference)
    return render(request, "services/needs/withdraw.html", {"need": need, "form": form})


def _back_to(request, match):
    return redirect(match_page(match, request.user), pk=match.pk)


@login_required
@require_POST
def match_cancel(request, pk):
    match = party_match(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling."))
    elif act(
        request,
        lambda: lifecycle.match_cancel(
            actor=request.user, match=match, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, _("The match was cancelled."))
    return _back_to(request, match)


@login_required
@require_POST
def match_complete(request, pk):
    match = party_match(request, pk)
    if act(request, lambda: lifecycle.match_complete(actor=request.user, match=match)):
        messages.success(request, _("Marked as done. Thank you."))
    return _back_to(request, match)


@login_required
def match_rate(request, pk):
    match = party_match(request, pk)
    role = trust.rater_role_for(match, request.user)
    existing = Rating.objects.filter(match=match, rater_role=role).first()
    initial = {"score": existing.score, "comment": existing.comment} if existing else None
    form = RatingForm(request.POST if request.method == "POST" else None, initial=initial)
    back = _back_to(request, match).url

    def rate():
        data = form.cleaned_data
        if existing:
            done = act(
                request, lambda: trust.rating_edit(actor=request.user, rating=existing, **data)
            )
        else:
            done = act(request, lambda: trust.rating_give(actor=request.user, match=match, **data))
        if not done:
            return None
        messages.success(request, _("Thank you for your rating."))
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
    match = party_match(request, pk)
    form = ConcernForm(request.POST if request.method == "POST" else None)
    back = _back_to(request, match).url

    def raise_it():
        if not act(
            request,
            lambda: safeguarding.concern_raise(
                raised_by=request.user, match=match, **form.cleaned_data
            ),
        ):
            return None
        messages.success(
            request, _("Thank you. We have received your concern and will look at it.")
        )
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

    if form.is_bound and form.is_valid() and act(request, block):
        messages.success(
            request, f"We will not match you with {match.provider.user.display_name} again."
        )
        return redirect("needs:detail", reference=match.need.reference)
    return render(request, "matchmaking/block.html", {"match": match, "form": form})
