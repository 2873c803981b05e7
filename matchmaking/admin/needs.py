"""Needs in the admin: area-scoped, access-logged, with the engine's suggested providers.

The suggested-providers panel shows what `candidates.rank_need` decided: the ranked
candidates with each score component as a bar, and everyone the hard filters left out with
the reason. Staff can offer the need to one of them, with a reason, through
`lifecycle.need_offer_to`: the same function the rest of the code uses. An urgent need (or
one of a programme that alerts several at once) can also be offered to the best several
together, through `urgent.need_alert_several`, as the engine would.
"""

from auditlog.signals import accessed
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.exceptions import TransitionError
from accounts.models import ProviderProfile
from matchmaking import candidates, lifecycle, scoping, urgent
from matchmaking.admin.common import ScopedAdmin, area_filter, export_action
from matchmaking.constants import COMPONENT_LABELS
from services.admin import NeedAdmin
from services.constants import NeedStatus

SHOW_RANKED = 10
SHOW_EXCLUDED = 25

EXCLUSION_LABELS = {
    "inactive": "Not active",
    "kind": "Wrong kind of provider",
    "check_missing": "Check missing",
    "check_expired": "Check expired",
    "too_far": "Too far for them",
    "outside_programme": "Beyond the programme's distance",
    "unavailable": "Not free then",
    "away": "Away on that date",
    "no_capacity": "No free place",
    "declined": "Declined this request",
    "blocked": "Blocked",
    "language": "Language",
}


class UnmetFilter(admin.SimpleListFilter):
    title = "unmet"
    parameter_name = "unmet"

    def lookups(self, request, model_admin):
        return [("yes", "Open, and nobody left to ask")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=NeedStatus.OPEN, unmet_since__isnull=False)
        return queryset


def component_bars(explanation):
    """[(label, value 0–1, percent, weight)] from a stored or fresh explanation."""
    parts = (explanation or {}).get("components", {})
    rows = []
    for name, part in parts.items():
        try:
            value = min(1.0, max(0.0, float(part["value"])))
            weight = float(part["weight"])
        except (KeyError, TypeError, ValueError):
            continue
        label = COMPONENT_LABELS.get(name, name)
        alerts = (explanation or {}).get("alerts_this_week")
        if name == "fairness" and isinstance(alerts, int):
            label = f"{label} (alerted {alerts} time{'' if alerts == 1 else 's'} this week)"
        rows.append((label, value, round(value * 100), weight))
    return rows


def suggestions(need):
    """The panel's rows: ranked and excluded candidates with their providers, in few queries."""
    try:
        ranking = candidates.rank_need(need)
    except ValueError as error:  # a programme's stored weights no longer validate
        return {"error": str(error), "ranked": [], "excluded": [], "more_excluded": 0}
    ranked = ranking.ranked[:SHOW_RANKED]
    excluded = ranking.excluded[:SHOW_EXCLUDED]
    ids = {s.provider_id for s in ranked} | {e.provider_id for e in excluded}
    providers = ProviderProfile.objects.select_related("user").in_bulk(ids)
    return {
        "error": "",
        "ranked": [
            {
                "provider": providers.get(s.provider_id),
                "provider_id": s.provider_id,
                "score": s.score,
                "percent": round(s.score * 100),
                "distance_km": s.distance_km,
                "components": component_bars(s.explanation),
            }
            for s in ranked
            if s.provider_id in providers
        ],
        "excluded": [
            {
                "provider": providers.get(e.provider_id),
                "provider_id": e.provider_id,
                "reason": EXCLUSION_LABELS.get(e.reason, e.reason),
                "detail": e.detail,
            }
            for e in excluded
            if e.provider_id in providers
        ],
        "more_excluded": max(0, len(ranking.excluded) - SHOW_EXCLUDED),
    }


class OfferToForm(forms.Form):
    provider = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"required": "Choose a provider to offer this request to."},
    )
    reason = forms.CharField(
        max_length=240,
        error_messages={"required": "Give a reason for choosing this provider."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason for choosing this provider.")
        return reason


class ScopedNeedAdmin(ScopedAdmin, NeedAdmin):
    scope = staticmethod(scoping.needs_for_staff)
    change_form_template = "admin/services/need/change_form.html"
    list_display = [
        "reference",
        "category",
        "area",
        "status",
        "urgency",
        "channel",
        "unmet_since",
        "created_at",
    ]
    list_filter = [
        "status",
        UnmetFilter,
        "urgency",
        "channel",
        "category",
        area_filter(scoping.needs_in_areas),
    ]
    list_select_related = ["category", "area"]
    actions = [
        export_action(
            [
                ("reference", lambda n: n.reference),
                ("category", lambda n: n.category.name),
                ("area", lambda n: n.area.name),
                ("status", lambda n: n.get_status_display()),
                ("urgency", lambda n: n.get_urgency_display()),
                ("channel", lambda n: n.get_channel_display()),
                ("requested", lambda n: n.created_at.isoformat(timespec="minutes")),
            ],
            "needs.csv",
        )
    ]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/offer/",
                self.admin_site.admin_view(self.offer_view),
                name="services_need_offer",
            ),
            path(
                "<path:object_id>/alert-several/",
                self.admin_site.admin_view(self.alert_several_view),
                name="services_need_alert_several",
            ),
            *super().get_urls(),
        ]

    def can_offer(self, request):
        return request.user.has_perm("matchmaking.add_match")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            # The page shows the address, phone and notes: record who looked.
            accessed.send(sender=type(obj), instance=obj)
            context["need_is_open"] = obj.status == NeedStatus.OPEN
            context["can_offer"] = self.can_offer(request)
            if obj.status == NeedStatus.OPEN:
                context["suggestions"] = suggestions(obj)
                context["offer_url"] = reverse("admin:services_need_offer", args=[obj.pk])
                if urgent.fans_out(obj):
                    context["alert_several"] = {
                        "url": reverse("admin:services_need_alert_several", args=[obj.pk]),
                        "count": urgent.alert_count(obj),
                        "minutes": int(urgent.answer_window(obj).total_seconds() // 60),
                    }
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def _candidate_ids(need):
        try:
            ranking = candidates.rank_need(need)
        except ValueError:
            return set()
        return {s.provider_id for s in ranking.ranked} | {e.provider_id for e in ranking.excluded}

    def offer_view(self, request, object_id):
        """Offer the need to a candidate staff chose (POST only; the reason is kept)."""
        return require_POST(self._offer)(request, object_id)

    def _offer(self, request, object_id):
        need = self.get_object(request, object_id)
        if need is None:
            raise Http404("No such request.")
        if not self.can_offer(request):
            raise PermissionDenied
        back = redirect("admin:services_need_change", need.pk)
        form = OfferToForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return back
        provider_id = form.cleaned_data["provider"]
        provider = ProviderProfile.objects.filter(pk=provider_id).first()
        if provider is None or provider_id not in self._candidate_ids(need):
            self.message_user(
                request, "That provider is not a candidate for this request.", messages.ERROR
            )
            return back
        try:
            match = lifecycle.need_offer_to(
                need=need, provider=provider, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return back
        expires = timezone.localtime(match.expires_at)
        self.message_user(
            request, f"Offered to {provider.user}, who has until {expires:%-d %B %H:%M} to answer."
        )
        if self.admin_site.is_registered(type(match)):
            return redirect("admin:matchmaking_match_change", match.pk)
        return back

    def alert_several_view(self, request, object_id):
        """Offer the need to the best several candidates at once (POST only)."""
        return require_POST(self._alert_several)(request, object_id)

    def _alert_several(self, request, object_id):
        need = self.get_object(request, object_id)
        if need is None:
            raise Http404("No such request.")
        if not self.can_offer(request):
            raise PermissionDenied
        try:
            offers = urgent.need_alert_several(need=need, actor=request.user)
        except TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            expires = timezone.localtime(offers[0].expires_at)
            names = ", ".join(str(offer.provider.user) for offer in offers)
            self.message_user(
                request,
                f"Alerted {len(offers)} at once ({names}); the first to accept by "
                f"{expires:%-d %B %H:%M} takes it.",
            )
        return redirect("admin:services_need_change", need.pk)
