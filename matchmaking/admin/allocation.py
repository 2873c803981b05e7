"""Allocation runs: staff start one for a programme or an area they work in; every run is then
read-only, with its figures."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html, format_html_join

from accounts.exceptions import TransitionError
from matchmaking import allocation, scoping
from matchmaking.models import AllocationRun
from services.models import Programme

REASON_LABELS = {
    allocation.UnmatchedReason.NO_CANDIDATE: "No candidate at all",
    allocation.UnmatchedReason.CANDIDATES_FULL: "Every candidate was full",
    allocation.UnmatchedReason.OUTBID: "Lost to a more urgent or better-scoring need",
    allocation.UnmatchedReason.SKIPPED: "Changed before the offer (skipped)",
}


class AllocationStartForm(forms.ModelForm):
    class Meta:
        model = AllocationRun
        fields = ["programme", "area"]
        help_texts = {
            "programme": "Allocate this programme's open needs (in the areas you work in).",
            "area": "Or only the open needs in this area (with a programme: both).",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = scoping.areas_for_staff(user).order_by("name")
        self.fields["programme"].queryset = Programme.objects.order_by("name")

    def clean(self):
        data = super().clean()
        try:
            allocation.allocation_scope_check(
                actor=self.user, programme=data.get("programme"), area=data.get("area")
            )
        except TransitionError as error:
            raise ValidationError(str(error)) from error
        return data


class AllocationRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scope", "started_by", "matched", "duration_ms", "finished_at"]
    list_select_related = ["started_by", "programme", "area"]
    list_filter = ["area", "programme"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    readonly_fields = [
        "started_by",
        "programme",
        "area",
        "started_at",
        "finished_at",
        "duration_ms",
        "figures_table",
        "parameters",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        area_ids = scoping.staff_area_ids(request.user)
        if area_ids is None:
            return queryset
        # Runs in their areas, and programme-wide runs they started (covering only their areas).
        return queryset.filter(
            Q(area_id__in=area_ids) | Q(area__isnull=True, started_by=request.user)
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["programme", "area"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class Form(AllocationStartForm):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=user, **form_kwargs)

        return Form

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        allocation.allocation_run_start(
            actor=request.user, programme=obj.programme, area=obj.area, run=obj
        )

    def response_add(self, request, obj, post_url_continue=None):
        obj.refresh_from_db()
        if obj.finished_at is None:
            messages.info(request, "The allocation run has started; refresh to see its figures.")
        return super().response_add(request, obj, post_url_continue)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": "Start an allocation run"}
        return super().add_view(request, form_url, extra_context)

    @admin.display(description="scope")
    def scope(self, obj):
        parts = [str(part) for part in (obj.programme, obj.area) if part is not None]
        return " – ".join(parts) or "—"

    @admin.display(description="matched")
    def matched(self, obj):
        figures = obj.figures or {}
        if "matched" not in figures:
            return "running" if obj.finished_at is None else "—"
        return f"{figures['matched']} of {figures.get('needs_considered', 0)}"

    @admin.display(description="figures")
    def figures_table(self, obj):
        figures = obj.figures or {}
        if not figures:
            return "Not finished yet."
        rows = [
            ("Needs considered", figures.get("needs_considered")),
            ("Matched (offers made)", figures.get("matched")),
            ("Total score", figures.get("total_score")),
            ("Providers with a candidate edge", figures.get("providers")),
            ("Candidate edges", figures.get("edges")),
        ]
        for reason, count in (figures.get("unmatched") or {}).items():
            rows.append((f"Unmatched: {REASON_LABELS.get(reason, reason)}", count))
        for urgency, counts in (figures.get("by_urgency") or {}).items():
            rows.append(
                (
                    f"{urgency.title()} needs matched",
                    f"{counts['matched']} of {counts['considered']}",
                )
            )
        rows += [
            ("Building the graph (s)", figures.get("graph_seconds")),
            ("Solving (s)", figures.get("solve_seconds")),
            ("Whole run (s)", figures.get("duration_seconds")),
        ]
        body = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows)
        return format_html("<table class='allocation-figures'><tbody>{}</tbody></table>", body)
