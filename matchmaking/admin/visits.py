"""Visits for council staff: a match's visits on its page, and the missed visits in their
areas (what the resident's side flagged first). Read-only: people record visits themselves."""

from django.contrib import admin

from matchmaking import scoping, trust
from matchmaking.admin.common import apply_each, area_filter
from matchmaking.constants import VISIT_SHORT_NOTICE_HOURS, VisitStatus
from matchmaking.models import Match, Visit


def visits_for_staff(user, queryset=None):
    """Visits of matches in the areas the person works in."""
    queryset = Visit.objects.all() if queryset is None else queryset
    return queryset.filter(match__in=scoping.matches_for_staff(user, Match.objects.all()))


def visits_in_areas(queryset, area_ids):
    return queryset.filter(match__in=scoping.matches_in_areas(Match.objects.all(), area_ids))


class VisitInline(admin.TabularInline):
    """A match's visits on its page, soonest first."""

    model = Visit
    extra = 0
    can_delete = False
    fields = ["starts_at", "ends_at", "status", "notice_hours", "flagged_at", "recorded_by"]
    readonly_fields = fields
    ordering = ["starts_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class MissedFilter(admin.SimpleListFilter):
    title = "what happened"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [
            ("missed", "Did not happen (flagged by the resident's side)"),
            ("short_notice", "Cancelled by the helper at short notice"),
            ("all", "All visits"),
        ]

    def choices(self, changelist):
        # The list opens on the missed visits: no "All" link standing for them.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "missed") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "missed"
        if value == "missed":
            return queryset.filter(status=VisitStatus.MISSED)
        if value == "short_notice":
            return queryset.filter(
                status=VisitStatus.CANCELLED_BY_PROVIDER,
                notice_hours__lt=VISIT_SHORT_NOTICE_HOURS,
            )
        return queryset


class VisitAdmin(admin.ModelAdmin):
    """Missed visits in the person's areas, newest first (filter for the rest)."""

    list_display = ["starts_at", "match", "status", "notice_hours", "flagged_at"]
    list_filter = [MissedFilter, "status", area_filter(visits_in_areas)]
    list_select_related = ["match__need__category", "match__provider__user", "match__need"]
    ordering = ["-starts_at"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return visits_for_staff(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description="Approve the comments of selected ratings", permissions=["change"])
def approve_rating_comments(modeladmin, request, queryset):
    apply_each(
        modeladmin,
        request,
        queryset,
        lambda rating: trust.rating_comment_approve(rating=rating, actor=request.user),
        done="{n} comment(s) approved: others can now read them.",
    )
