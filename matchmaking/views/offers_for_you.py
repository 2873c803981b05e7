"""A resident's side of providers' one-off offers: hearing of them, and answering one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from matchmaking import offer_proposals
from matchmaking.models import OfferAlert, OfferProposal
from matchmaking.offer_forms import OfferAlertsForm
from matchmaking.views.common import act
from services.constants import OfferStatus


@login_required
@require_http_methods(["GET", "POST"])
def offer_alerts(request):
    alerts = list(OfferAlert.objects.filter(user=request.user).select_related("category"))
    first = alerts[0] if alerts else None
    initial = {
        "categories": [a.category for a in alerts],
        "postcode": first.postcode if first else "",
        "address": first.address if first else "",
        "dietary_needs": first.dietary_needs if first else "",
    }
    form = OfferAlertsForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            saved = offer_proposals.offer_alerts_set(
                user=request.user,
                categories=data["categories"],
                postcode=data["postcode"] or None,
                address=data["address"],
                dietary_needs=data["dietary_needs"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if saved:
                messages.success(request, _("We will tell you about offers near you."))
            else:
                messages.success(request, _("We will no longer tell you about offers."))
            return redirect("matchmaking:offer_alerts")
    waiting = (
        OfferProposal.objects.waiting()
        .filter(resident=request.user, offer__status=OfferStatus.OPEN)
        .select_related("offer__category", "offer__provider__user")
    )
    return render(
        request,
        "matchmaking/offers/alerts.html",
        {"form": form, "alerts": alerts, "waiting": waiting},
    )


def _my_proposal(request, pk):
    """The proposal if it was put to this resident; 404 for anyone else, the provider too."""
    proposals = OfferProposal.objects.filter(resident=request.user).select_related(
        "offer__category", "offer__provider__user", "match"
    )
    return get_object_or_404(proposals, pk=pk)


@login_required
def offer_proposal(request, pk):
    proposal = _my_proposal(request, pk)
    return render(
        request,
        "matchmaking/offers/proposal.html",
        {
            "proposal": proposal,
            "offer": proposal.offer,
            "when": offer_proposals.offer_when(proposal.offer),
            "can_answer": offer_proposals.proposal_answerable(proposal),
        },
    )


@login_required
@require_POST
def offer_proposal_accept(request, pk):
    proposal = _my_proposal(request, pk)
    taken = {}

    def accept():
        taken["match"] = offer_proposals.offer_accept(proposal=proposal, actor=request.user)

    if act(request, accept):
        messages.success(
            request,
            _("It is yours. %(name)s knows you said yes and can now see your address.")
            % {"name": proposal.offer.provider.user.display_name},
        )
        return redirect("matchmaking:need_match", taken["match"].pk)
    return redirect("matchmaking:offer_proposal", proposal.pk)


@login_required
@require_POST
def offer_proposal_decline(request, pk):
    proposal = _my_proposal(request, pk)
    if act(
        request,
        lambda: offer_proposals.offer_proposal_decline(proposal=proposal, actor=request.user),
    ):
        messages.success(request, _("No problem. We have let it go to someone else."))
    return redirect("matchmaking:offer_alerts")
