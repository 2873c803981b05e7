"""Programmes for commissioners: what is commissioned, where, for how much, and how the
engine weighs candidates, with a preview of what the weights change."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts.models import ProviderProfile
from matchmaking import candidates, scoping, scoring
from matchmaking.admin.common import parse_id
from matchmaking.constants import COMPONENT_LABELS
from services.constants import NeedStatus
from services.models import Need, Programme

PREVIEW_TOP = 5
PREVIEW_SAMPLES = 10
WEIGHT_FIELD = "weight_{}"


class _ProgrammeFormBase(forms.ModelForm):
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
            "starts_on",
            "ends_on",
            "target_residents",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.weights if isinstance(self.instance.weights, dict) else {}
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
            defaults = scoring.DEFAULT_WEIGHTS.as_dict()
            # Empty means "the engine's defaults", and follows them if they are retuned.
            self.instance.weights = {} if weights == defaults else weights
        return data


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


def _ranked_rows(ranking, providers, other_positions):
    rows = []
    for position, scored in enumerate(ranking.ranked[:PREVIEW_TOP], start=1):
        other = other_positions.get(scored.provider_id)
        change = "not ranked" if other is None else f"#{other}"
        rows.append(
            {
                "position": position,
                "provider": providers.get(scored.provider_id),
                "score": scored.score,
                "percent": round(scored.score * 100),
                "other_position": other,
                "change": change,
            }
        )
    return rows


def programme_preview(programme, user, sample_id=None):
    """Top candidates for a sample open need of the programme, saved weights vs defaults."""
    needs = scoping.needs_for_staff(
        user, Need.objects.filter(programme=programme, status=NeedStatus.OPEN)
    )
    samples = list(needs.select_related("category", "programme", "area")[:PREVIEW_SAMPLES])
    sample = next((need for need in samples if need.pk == sample_id), None)
    if sample is None and sample_id is not None:
        sample = needs.select_related("category", "programme", "area").filter(pk=sample_id).first()
    sample = sample or (samples[0] if samples else None)
    preview = {"samples": samples, "sample": sample, "error": "", "saved": [], "default": []}
    if sample is None:
        preview["error"] = "There is no open request in this programme (in your areas) to try."
        return preview
    try:
        saved_weights = candidates.programme_weights(programme)
    except ValueError as error:
        preview["error"] = f"The saved weights cannot be used: {error}"
        return preview
    facts = candidates.need_facts(sample)
    found = candidates.candidate_facts(sample)
    saved = scoring.rank(facts, found, saved_weights)
    default = scoring.rank(facts, found, scoring.DEFAULT_WEIGHTS)
    saved_positions = {s.provider_id: i for i, s in enumerate(saved.ranked, start=1)}
    default_positions = {s.provider_id: i for i, s in enumerate(default.ranked, start=1)}
    ids = {s.provider_id for s in saved.ranked[:PREVIEW_TOP]}
    ids |= {s.provider_id for s in default.ranked[:PREVIEW_TOP]}
    providers = ProviderProfile.objects.select_related("user").in_bulk(ids)
    preview["saved"] = _ranked_rows(saved, providers, default_positions)
    preview["default"] = _ranked_rows(default, providers, saved_positions)
    preview["uses_defaults"] = saved_weights == scoring.DEFAULT_WEIGHTS
    preview["candidates"] = len(saved.ranked)
    return preview


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
            "Scoring weights",
            {
                "description": (
                    "How much each part of a candidate's score counts. Only the ratios "
                    "matter; none may be negative and at least one must be more than zero."
                ),
                "fields": [WEIGHT_FIELD.format(name) for name in scoring.COMPONENTS],
            },
        ),
    ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            sample_id = parse_id(request.GET.get("sample"))
            context["preview"] = programme_preview(obj, request.user, sample_id)
        return super().render_change_form(request, context, add, change, form_url, obj)
