"""Providers' one-off offers in the admin, with whom each was put to and what they said.

Area-scoped as the offers themselves (the provider's home area): staff of another area
find neither the offer nor its proposals.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from matchmaking.admin.matches import ScopedOfferAdmin
from matchmaking.models import OfferProposal


class OfferProposalInline(admin.TabularInline):
    """Read-only: proposals change only through matchmaking.offer_proposals."""

    model = OfferProposal
    extra = 0
    can_delete = False
    fields = ["resident", "status", "through", "distance", "fit", "created_at", "answered_at"]
    readonly_fields = fields
    fk_name = "offer"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("resident", "need", "match")
            .order_by("-score")
        )

    def has_view_permission(self, request, obj=None):
        # Whoever may see the offer (already scoped to their areas) sees whom it went to:
        # the role groups' model permissions predate proposals.
        return request.user.has_perm("services.view_offer")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Through")
    def through(self, proposal):
        if proposal.match_id:
            url = reverse("admin:matchmaking_match_change", args=[proposal.match_id])
            return format_html('<a href="{}">Match {}</a>', url, proposal.match_id)
        if proposal.need_id:
            return f"Request {proposal.need.reference}"
        return "Asked to hear of offers"

    @admin.display(description="Engine score")
    def fit(self, proposal):
        return f"{proposal.score:.0%}"

    @admin.display(description="Distance")
    def distance(self, proposal):
        km = proposal.distance_km
        return f"{km:.1f} km" if km is not None else "—"


class OfferWithProposalsAdmin(ScopedOfferAdmin):
    inlines = [OfferProposalInline]
    readonly_fields = ["proposed_to"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider__user", "category")

    @admin.display(description="Proposed to")
    def proposed_to(self, offer):
        return offer.proposals.count()
