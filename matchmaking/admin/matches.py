"""Matches, ratings, concerns, blocks and offers in the admin, scoped to the staff's areas.

The rows are read-only: every change is an action calling the function that owns it
(lifecycle, trust, safeguarding), so the admin can never disagree with the website.
"""

from auditlog.signals import accessed
from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse

from accounts.constants import ProviderStatus
from matchmaking import lifecycle, safeguarding, scoping, trust
from matchmaking.admin.common import (
    NoRawEdits,
    ReasonForm,
    ScopedAdmin,
    apply_each,
    area_filter,
    asking_action,
    export_action,
)
from matchmaking.admin.conversations import conversation_admin_url
from matchmaking.admin.needs import component_bars
from matchmaking.admin.notifications import NotificationInline
from matchmaking.admin.visits import VisitInline, approve_rating_comments
from matchmaking.models import Concern
from services.admin import OfferAdmin
from services.models import Area


class ReadOnlyAdmin(NoRawEdits, ScopedAdmin):
    """Every field shown, none editable, no add or delete; actions do the work."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- matches --------------------------------------------------------------------------------


def _cancel(match, actor, data):
    lifecycle.match_cancel(
        match=match, actor=actor, reason=data["reason"], cause=lifecycle.CancelCause.STAFF
    )


class MatchAdmin(ReadOnlyAdmin):
    scope = staticmethod(scoping.matches_for_staff)
    change_form_template = "admin/matchmaking/match/change_form.html"
    list_display = ["need", "provider", "status", "score_percent", "proposed_by", "created_at"]
    list_filter = [
        "status",
        "proposed_by",
        "offered_to_several",
        area_filter(scoping.matches_in_areas),
    ]
    list_select_related = ["need__category", "provider__user"]
    search_fields = ["need__reference", "provider__user__email"]
    inlines = [VisitInline, NotificationInline]
    exclude = ["explanation"]
    actions = [
        asking_action(
            name="cancel_matches",
            description="Cancel selected matches",
            title="Cancel matches",
            intro=(
                "Both sides are told, and each request goes back to matching. "
                "The reason is sent to them."
            ),
            button="Cancel the matches",
            form_class=ReasonForm,
            apply=_cancel,
            done="{n} cancelled.",
        ),
        export_action(
            [
                ("need", lambda m: m.need.reference),
                ("provider", lambda m: str(m.provider.user)),
                ("status", lambda m: m.get_status_display()),
                ("score", lambda m: round(m.score, 4)),
                ("proposed by", lambda m: m.get_proposed_by_display()),
                ("created", lambda m: m.created_at.isoformat(timespec="minutes")),
                (
                    "confirmed",
                    lambda m: (
                        m.confirmed_at.isoformat(timespec="minutes") if m.confirmed_at else ""
                    ),
                ),
            ],
            "matches.csv",
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "explanation"]

    @admin.display(description="Score", ordering="score")
    def score_percent(self, match):
        return f"{match.score * 100:.0f}%"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["components"] = component_bars(obj.explanation)
            context["distance_km"] = obj.distance_km
            context["staff_override"] = (obj.explanation or {}).get("staff_override", "")
            context["conversation_url"] = conversation_admin_url(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


# --- ratings --------------------------------------------------------------------------------


def _hide(rating, actor, data):
    trust.rating_hide(rating=rating, actor=actor, reason=data["reason"])


def _unhide(rating, actor):
    trust.rating_unhide(rating=rating, actor=actor)


@admin.action(description="Show selected ratings again", permissions=["change"])
def unhide_ratings(modeladmin, request, queryset):
    apply_each(
        modeladmin, request, queryset, lambda r: _unhide(r, request.user), done="{n} shown again."
    )


class ScoreFilter(admin.SimpleListFilter):
    title = "score"
    parameter_name = "score"

    def lookups(self, request, model_admin):
        return [(str(score), f"{score} out of 5") for score in range(1, 6)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(score=int(value)) if value in {"1", "2", "3", "4", "5"} else queryset


class RatingAdmin(ReadOnlyAdmin):
    scope = staticmethod(scoping.ratings_for_staff)
    list_display = ["match", "rater_role", "score", "hidden", "comment_approved_at", "created_at"]
    list_filter = ["hidden", ScoreFilter, "rater_role", area_filter(scoping.ratings_in_areas)]
    list_select_related = ["match__need", "match__provider__user"]
    actions = [
        asking_action(
            name="hide_ratings",
            description="Hide selected ratings",
            title="Hide ratings",
            intro="Hidden ratings no longer count towards the provider's trust figures.",
            button="Hide",
            form_class=ReasonForm,
            apply=_hide,
            done="{n} hidden.",
        ),
        unhide_ratings,
        approve_rating_comments,
    ]


# --- concerns -------------------------------------------------------------------------------


class ResolutionForm(ReasonForm):
    reason = forms.CharField(
        label="How it was resolved",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="For staff: the person who raised it is only told that it is resolved.",
    )


def _resolve(concern, actor, data):
    safeguarding.concern_resolve(concern=concern, actor=actor, resolution=data["reason"])


def _suspend_from_concern(concern, actor, data):
    safeguarding.concern_suspend_provider(concern=concern, actor=actor, reason=data["reason"])


def _block_from_concern(concern, actor, data):
    safeguarding.concern_block(concern=concern, actor=actor, reason=data["reason"])


class ConcernAreaFilter(area_filter(scoping.concerns_in_areas)):
    """Every area for a safeguarding lead, the person's own areas for everyone else."""

    def lookups(self, request, model_admin):
        areas = scoping.areas_in_areas(Area.objects.all(), scoping.concern_area_ids(request.user))
        return [(str(pk), name) for pk, name in areas.order_by("name").values_list("pk", "name")]


def _name(user):
    return str(user) if user is not None else "–"


class ConcernAdmin(ReadOnlyAdmin):
    """Scoped by scoping.concerns_for_staff: a ward's concerns, or all of them for a lead.

    People are shown by name, not as links to the user admin (which staff cannot open):
    the page's "The person" panel links to their records that the viewer may open.
    """

    scope = staticmethod(scoping.concerns_for_staff)
    change_form_template = "admin/matchmaking/concern/change_form.html"
    fields = [
        "kind",
        "urgent",
        "status",
        "description",
        "raised_by_name",
        "match_name",
        "about_name",
        "created_at",
        "resolution",
        "resolved_by_name",
        "resolved_at",
    ]
    list_display = ["__str__", "status", "match", "about", "raised_by", "created_at"]
    list_filter = ["status", "urgent", "kind", ConcernAreaFilter]
    list_select_related = ["match__need", "match__provider__user", "about", "raised_by"]
    actions = [
        asking_action(
            name="resolve_concerns",
            description="Resolve selected concerns",
            title="Resolve concerns",
            intro="Record what was done.",
            button="Resolve",
            form_class=ResolutionForm,
            apply=_resolve,
            done="{n} resolved.",
        ),
        asking_action(
            name="suspend_from_concerns",
            description="Suspend the provider each concern is about",
            title="Suspend the provider",
            intro=(
                "The provider gets no new requests, and each of their live matches ends and "
                "goes back to matching (the residents are told their helper is no longer "
                "available, not why). The reason stays with the concern."
            ),
            button="Suspend",
            form_class=ReasonForm,
            apply=_suspend_from_concern,
            done="{n} suspended.",
        ),
        asking_action(
            name="block_from_concerns",
            description="Never match the two people in each concern's match again",
            title="Block the pair",
            intro=(
                "The resident and the provider are never matched again; a live match between "
                "them ends and the request goes back to matching."
            ),
            button="Block",
            form_class=ReasonForm,
            apply=_block_from_concern,
            done="{n} blocked.",
        ),
        export_action(
            [
                ("id", lambda c: c.pk),
                ("kind", lambda c: c.get_kind_display()),
                ("urgent", lambda c: "yes" if c.urgent else "no"),
                ("status", lambda c: c.get_status_display()),
                ("raised", lambda c: c.created_at.isoformat(timespec="minutes")),
            ],
            "concerns.csv",
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "raised_by", "about", "resolved_by", "match__need", "match__provider__user"
            )
        )

    @admin.display(description="Raised by")
    def raised_by_name(self, concern):
        return _name(concern.raised_by)

    @admin.display(description="About")
    def about_name(self, concern):
        return _name(concern.about)

    @admin.display(description="Match")
    def match_name(self, concern):
        return str(concern.match) if concern.match_id else "–"

    @admin.display(description="Resolved by")
    def resolved_by_name(self, concern):
        return _name(concern.resolved_by)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            accessed.send(sender=Concern, instance=obj)
            context.update(self._person_panel(request.user, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _person_panel(self, user, concern):
        """The person a concern is about, with links to the records the viewer may open,
        and the one-step actions they may take."""
        person = concern.about
        provider = safeguarding.concern_provider(concern)
        links = []
        provider_in_scope = (
            provider is not None
            and scoping.providers_for_staff(user).filter(pk=provider.pk).exists()
        )
        if provider_in_scope:
            url = reverse("admin:accounts_providerprofile_change", args=[provider.pk])
            links.append(("Their provider profile", url))
        if person is not None:
            theirs = Q(resident=person) | Q(requested_by=person)
            for need in scoping.needs_for_staff(user).filter(theirs).order_by("-created_at")[:5]:
                url = reverse("admin:services_need_change", args=[need.pk])
                links.append((f"Their request {need.reference}", url))
        matches = scoping.matches_for_staff(user)
        if concern.match_id and matches.filter(pk=concern.match_id).exists():
            url = reverse("admin:matchmaking_match_change", args=[concern.match_id])
            links.append(("The match", url))
        if concern.match_id:
            url = conversation_admin_url(user, concern.match_id)
            if url:
                links.append(("The conversation (open while this concern is)", url))
        lead = scoping.is_safeguarding_lead(user)
        return {
            "person": person,
            "person_provider": provider,
            "person_links": links,
            "can_suspend": provider is not None
            and provider.status == ProviderStatus.ACTIVE
            and (lead or provider_in_scope),
            "can_block": concern.match_id is not None,
            # A message reported from a conversation is part of the concern itself.
            "reported_messages": list(concern.messages.select_related("sender")),
        }


class BlockAdmin(ReadOnlyAdmin):
    scope = staticmethod(scoping.blocks_for_staff)
    list_display = ["resident", "provider", "reason", "created_at"]
    list_select_related = ["resident", "provider__user"]


class ScopedOfferAdmin(ScopedAdmin, OfferAdmin):
    scope = staticmethod(scoping.offers_for_staff)
