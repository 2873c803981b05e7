"""Programmes for commissioners: what is commissioned, where, for how much (budget, actual
spend and the unit costs of equivalent council provision), and how the engine weighs
candidates. New weights on an existing programme are saved as a draft, compared side by side
with the live ones on recent requests, and only then published (matchmaking.programme_weights).
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from accounts.exceptions import TransitionError
from accounts.models import ProviderProfile
from matchmaking import candidates, programme_weights, scoring
from matchmaking.admin.common import parse_id
from matchmaking.constants import COMPONENT_LABELS
from services.models import Programme, UnitCost

PREVIEW_TOP = 5
PREVIEW_SAMPLES = 10
WEIGHT_FIELD = "weight_{}"


class _ProgrammeFormBase(forms.ModelForm):
    # Optional in the form: left empty, each keeps the programme's value (new: the default).
    urgent_alert_count = forms.IntegerField(
        label="Providers alerted at once",
        required=False,
        min_value=2,
        max_value=20,
        help_text="How many providers an urgent request is offered to at the same time "
        "(default 3).",
    )
    urgent_window_minutes = forms.IntegerField(
        label="Minutes to answer an urgent request",
        required=False,
        min_value=5,
        max_value=24 * 60,
        help_text="When nobody alerted says yes within this time, the next providers are "
        "alerted (default 30).",
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "description",
            "is_active",
            "categories",
            "areas",
            "max_distance_km",
            "budget",
            "actual_spend",
            "spend_as_at",
            "starts_on",
            "ends_on",
            "target_residents",
            "alert_several",
            "urgent_alert_count",
            "urgent_window_minutes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An existing programme's fields show its draft when there is one: that is what the
        # commissioner is working on.
        stored = self.instance.draft_weights or self.instance.weights
        stored = stored if isinstance(stored, dict) else {}
        for name in scoring.COMPONENTS:
            value = stored.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.initial.setdefault(WEIGHT_FIELD.format(name), value)

    def clean(self):
        data = super().clean()
        others = dict.fromkeys(scoring.COMPONENTS, 1.0)
        weights = {}
        for name in scoring.COMPONENTS:
            field = WEIGHT_FIELD.format(name)
            if data.get(field) is None:
                continue  # the field's own error (empty, not a number) is already shown
            # The engine's own rule, one weight at a time, so every bad field is named.
            try:
                scoring.validate_weights(scoring.Weights(**{**others, name: data[field]}))
            except ValueError as error:
                self.add_error(field, str(error))
                continue
            weights[name] = float(data[field])
        if len(weights) == len(scoring.COMPONENTS):
            try:
                scoring.validate_weights(scoring.Weights(**weights))
            except ValueError as error:
                raise ValidationError(str(error)) from None
            data["weights"] = weights
            if self.instance.pk is None:
                # A new programme has no requests to try weights on: they are live at once.
                defaults = scoring.DEFAULT_WEIGHTS.as_dict()
                # Empty means "the engine's defaults", and follows them if they are retuned.
                self.instance.weights = {} if weights == defaults else weights
        return data

    def _kept_if_empty(self, name):
        value = self.cleaned_data.get(name)
        return value if value is not None else getattr(self.instance, name)

    def clean_urgent_alert_count(self):
        return self._kept_if_empty("urgent_alert_count")

    def clean_urgent_window_minutes(self):
        return self._kept_if_empty("urgent_window_minutes")


def _weight_fields():
    defaults = scoring.DEFAULT_WEIGHTS.as_dict()
    return {
        WEIGHT_FIELD.format(name): forms.FloatField(
            label=COMPONENT_LABELS.get(name, name),
            initial=defaults[name],
            help_text=f"{name}; default {defaults[name]:g}",
            widget=forms.NumberInput(attrs={"step": "0.1", "class": "vIntegerField"}),
        )
        for name in scoring.COMPONENTS
    }


ProgrammeForm = type("ProgrammeForm", (_ProgrammeFormBase,), _weight_fields())


def _ranked_rows(ranked, providers, other_positions):
    rows = []
    for position, scored in enumerate(ranked, start=1):
        other = other_positions.get(scored.provider_id)
        rows.append(
            {
                "position": position,
                "provider": providers.get(scored.provider_id),
                "score": scored.score,
                "percent": round(scored.score * 100),
                "other_position": other,
                "change": f"#{other}" if other is not None else f"not in the top {PREVIEW_TOP}",
            }
        )
    return rows


def programme_preview(programme, user, sample_id=None):
    """Recent requests of the programme ranked with the live weights and with the draft (or,
    without a draft, the engine's defaults): a summary row per request and both top lists for
    the chosen one."""
    samples = programme_weights.recent_needs(programme, user, PREVIEW_SAMPLES)
    preview = {
        "samples": samples,
        "error": "",
        "rows": [],
        # The publish button carries the draft shown, so a newer one is never published unseen.
        "has_draft": programme.draft_weights is not None,
        "draft_json": json.dumps(programme.draft_weights, sort_keys=True),
    }
    if not samples:
        preview["error"] = "There is no recent request in this programme (in your areas) to try."
        return preview
    try:
        live = candidates.programme_weights(programme)
        draft = programme_weights.draft_weights(programme)
    except (ValueError, TransitionError) as error:
        preview["error"] = f"The saved weights cannot be used: {error}"
        return preview
    other = draft if draft is not None else scoring.DEFAULT_WEIGHTS
    preview["other_label"] = "draft" if draft is not None else "default"
    preview["uses_defaults"] = draft is None and live == scoring.DEFAULT_WEIGHTS
    comparisons = programme_weights.weights_compare(samples, live, other, PREVIEW_TOP)
    ids = {s.provider_id for c in comparisons for s in [*c.live[:1], *c.draft[:1]]}
    chosen = next((c for c in comparisons if c.need.pk == sample_id), comparisons[0])
    ids |= {s.provider_id for s in [*chosen.live, *chosen.draft]}
    providers = ProviderProfile.objects.select_related("user").in_bulk(ids)
    preview["rows"] = [
        {
            "need": c.need,
            "candidates": c.candidates,
            "live_first": providers.get(c.live[0].provider_id) if c.live else None,
            "other_first": providers.get(c.draft[0].provider_id) if c.draft else None,
            "first_changes": c.first_choice_changes,
            "places_changed": c.places_changed,
        }
        for c in comparisons
    ]
    live_positions = {s.provider_id: i for i, s in enumerate(chosen.live, start=1)}
    other_positions = {s.provider_id: i for i, s in enumerate(chosen.draft, start=1)}
    preview["sample"] = chosen.need
    preview["candidates"] = chosen.candidates
    preview["live"] = _ranked_rows(chosen.live, providers, other_positions)
    preview["other"] = _ranked_rows(chosen.draft, providers, live_positions)
    return preview


def _seen_draft(raw):
    """The draft the publish button was shown with; {} (matching no draft) when the form
    carries none, so a publish never goes out for a draft nobody compared."""
    try:
        seen = json.loads(raw or "")
    except ValueError:
        return {}
    return seen if isinstance(seen, dict) else {}


class UnitCostInline(admin.TabularInline):
    """Unit costs are part of the programme: whoever may change the programme edits them."""

    model = UnitCost
    extra = 1
    fields = ["category", "cost", "unit", "source"]
    verbose_name = "unit cost of equivalent council provision"

    def _may_change_programme(self, request):
        return request.user.has_perm("services.change_programme")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("services.view_programme") or self._may_change_programme(
            request
        )

    def has_add_permission(self, request, obj=None):
        return self._may_change_programme(request)

    def has_change_permission(self, request, obj=None):
        return self._may_change_programme(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_change_programme(request)


class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeForm
    change_form_template = "admin/services/programme/change_form.html"
    list_display = ["name", "starts_on", "ends_on", "budget", "target_residents", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["categories", "areas"]
    fieldsets = [
        (None, {"fields": ["name", "description", "is_active"]}),
        ("What and where", {"fields": ["categories", "areas", "max_distance_km"]}),
        ("Budget and targets", {"fields": ["budget", "starts_on", "ends_on", "target_residents"]}),
        (
            "Actual spend",
            {
                "description": (
                    "What has really been spent: the dashboard's spend per resident helped "
                    "is worked out from this, never from the budget."
                ),
                "fields": ["actual_spend", "spend_as_at"],
            },
        ),
        (
            "Urgent requests",
            {
                "description": (
                    "Urgent requests are offered to several providers at once; the first to "
                    "accept takes it, and when nobody answers in time the next ones are asked."
                ),
                "fields": ["alert_several", "urgent_alert_count", "urgent_window_minutes"],
            },
        ),
        (
            "Scoring weights",
            {
                "description": (
                    "How much each part of a candidate's score counts. Only the ratios "
                    "matter; none may be negative and at least one must be more than zero. "
                    "On an existing programme new weights are saved as a draft: compare how "
                    "they rank recent requests below, then publish them."
                ),
                "fields": [WEIGHT_FIELD.format(name) for name in scoring.COMPONENTS],
            },
        ),
    ]

    inlines = [UnitCostInline]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            sample_id = parse_id(request.GET.get("sample"))
            context["preview"] = programme_preview(obj, request.user, sample_id)
            context["may_publish"] = self.has_change_permission(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "weights" in form.cleaned_data:
            programme_weights.programme_weights_draft(
                programme=obj, weights=form.cleaned_data["weights"], actor=request.user
            )

    def response_change(self, request, obj):
        if obj.draft_weights is not None:
            # Back to the page, not the list: the draft is compared there before publishing.
            self.message_user(
                request,
                "The new weights are saved as a draft and are not used yet. Compare how they "
                "rank recent requests below, then publish them.",
                messages.WARNING,
            )
            change = reverse("admin:services_programme_change", args=[obj.pk])
            return HttpResponseRedirect(change + "#kith-preview-title")
        return super().response_change(request, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/weights/<str:verb>/",
                self.admin_site.admin_view(self.weights_view),
                name="services_programme_weights",
            ),
            *super().get_urls(),
        ]

    def weights_view(self, request, object_id, verb):
        actions = {
            "publish": (
                programme_weights.programme_weights_publish,
                "The draft weights are live: the engine uses them from now on.",
            ),
            "discard": (
                programme_weights.programme_weights_discard,
                "The draft weights are discarded; the live weights are unchanged.",
            ),
        }
        if verb not in actions:
            raise Http404("No such action.")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        programme = get_object_or_404(self.get_queryset(request), pk=parse_id(object_id))
        if not self.has_change_permission(request, programme):
            raise PermissionDenied
        action, done = actions[verb]
        options = {}
        if verb == "publish":
            options["seen_draft"] = _seen_draft(request.POST.get("draft"))
        try:
            action(programme=programme, actor=request.user, **options)
        except TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:services_programme_change", args=[programme.pk]))
