"""What the council's admin site shows, registered in one place.

Models of the inner apps that staff see only in their areas (needs, offers, providers and
their checks) are registered here, the outermost app: area scoping (matchmaking.scoping)
and the engine's panels are matchmaking's, and accounts and services must not import it.
"""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from accounts.models import Check, ProviderProfile
from matchmaking.admin.allocation import AllocationRunAdmin
from matchmaking.admin.conversations import ConversationAdmin
from matchmaking.admin.matches import (
    BlockAdmin,
    ConcernAdmin,
    MatchAdmin,
    RatingAdmin,
)
from matchmaking.admin.needs import ScopedNeedAdmin
from matchmaking.admin.offers import OfferWithProposalsAdmin
from matchmaking.admin.programmes import ProgrammeAdmin
from matchmaking.admin.vetting import CheckAdmin, ProviderProfileAdmin
from matchmaking.admin.visits import VisitAdmin
from matchmaking.models import AllocationRun, Block, Concern, Conversation, Match, Rating, Visit
from services.models import Need, Offer, Programme


class AuditLogAdmin(LogEntryAdmin):
    """The audit trail: read-only for everyone, superusers included."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditLogAdmin)

admin.site.register(ProviderProfile, ProviderProfileAdmin)
admin.site.register(Check, CheckAdmin)
admin.site.register(Need, ScopedNeedAdmin)
admin.site.register(Offer, OfferWithProposalsAdmin)
admin.site.register(Programme, ProgrammeAdmin)
admin.site.register(Match, MatchAdmin)
admin.site.register(Rating, RatingAdmin)
admin.site.register(Concern, ConcernAdmin)
admin.site.register(Block, BlockAdmin)
admin.site.register(Conversation, ConversationAdmin)
admin.site.register(AllocationRun, AllocationRunAdmin)
admin.site.register(Visit, VisitAdmin)
