from django.contrib import admin, messages
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from services.constants import Channel, Schedule
from services.forms import (
    OneOffForm,
    PhoneConsentForm,
    PreferencesForm,
    WeeklyForm,
    WhatForm,
    WhenForm,
    WhereForm,
)
from services.models import (
    Area,
    AreaGroupObjectPermission,
    AreaUserObjectPermission,
    Category,
    NeedSlot,
    Postcode,
)
from services.needs import need_submit


class _AreaGrantInline(admin.TabularInline):
    """Who works in this area: a person or a group, with the one permission that scopes them."""

    extra = 0
    fields = ["permission"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "permission":
            kwargs["queryset"] = Permission.objects.filter(
                content_type__app_label="services", codename="work_in_area"
            )
            kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AreaUserGrantInline(_AreaGrantInline):
    model = AreaUserObjectPermission
    fields = ["user", "permission"]
    raw_id_fields = ["user"]
    verbose_name = "person working here"
    verbose_name_plural = "people working here"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "permission")


class AreaGroupGrantInline(_AreaGrantInline):
    model = AreaGroupObjectPermission
    fields = ["group", "permission"]
    verbose_name = "team working here"
    verbose_name_plural = "teams working here"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "permission")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    inlines = [AreaUserGrantInline, AreaGroupGrantInline]


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ["code", "latitude", "longitude", "ward_code", "area"]
    list_select_related = ["area"]
    list_filter = ["area"]
    search_fields = ["code"]
    show_full_result_count = False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "allowed_kinds", "required_checks", "position"]
    prepopulated_fields = {"slug": ["name"]}
    exclude = ["providers"]


class NeedSlotInline(admin.TabularInline):
    model = NeedSlot
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Needs, offers and programmes are registered by matchmaking.admin: staff see needs and
# offers only in their areas (matchmaking.scoping), and programmes are ranked by the engine.
class NeedAdmin(admin.ModelAdmin):
    list_display = ["reference", "category", "area", "status", "urgency", "channel", "created_at"]
    list_filter = ["status", "urgency", "channel", "category", "area"]
    list_select_related = ["category", "area"]
    search_fields = ["reference", "postcode"]
    show_full_result_count = False
    raw_id_fields = ["requested_by", "resident"]
    inlines = [NeedSlotInline]
    # State changes go through services.needs / matchmaking.lifecycle, never a raw edit here.
    readonly_fields = [
        "reference",
        "status",
        "status_changed_at",
        "area",
        "postcode",
        "latitude",
        "longitude",
        "programme",
        "channel",
        "requested_by",
        "resident",
        "created_at",
        "updated_at",
    ]

    def get_urls(self):
        return [
            path(
                "record-phone-request/",
                self.admin_site.admin_view(self.record_phone_request),
                name="services_need_phone",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:services_need_phone")

    def has_change_permission(self, request, obj=None):
        # Raw edits of a need would skip its rules; staff act through the functions instead.
        return False

    def record_phone_request(self, request):
        """Council staff record a request taken over the phone or in person."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        data = request.POST if request.method == "POST" else None
        forms = {
            "what": WhatForm(data, prefix="what"),
            "when": WhenForm(data, prefix="when"),
            "date": OneOffForm(data, prefix="date"),
            "weekly": WeeklyForm(data, prefix="weekly"),
            "where": WhereForm(data, prefix="where"),
            "consent": PhoneConsentForm(data, prefix="consent"),
            "preferences": PreferencesForm(data, prefix="preferences"),
        }
        if data is not None:
            needed = ["what", "when", "where", "consent", "preferences"]
            if forms["when"].is_valid():
                weekly = forms["when"].cleaned_data["schedule"] == Schedule.WEEKLY
                needed.append("weekly" if weekly else "date")
            if all(forms[name].is_valid() for name in needed):
                fields = {}
                for name in needed:
                    fields.update(forms[name].need_fields())
                try:
                    need = need_submit(requested_by=request.user, channel=Channel.PHONE, **fields)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                else:
                    self.message_user(
                        request, f"Request {need.reference} recorded.", messages.SUCCESS
                    )
                    if not self.get_queryset(request).filter(pk=need.pk).exists():
                        # Taken for a ward this person does not work in: its staff see it.
                        self.message_user(
                            request,
                            f"It is in {need.area}, which you do not work in; "
                            "council staff there will see it.",
                            messages.WARNING,
                        )
                        return redirect("admin:services_need_changelist")
                    return redirect(reverse("admin:services_need_change", args=[need.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Record a request taken by phone",
            "forms": forms,
            "has_errors": data is not None and any(f.errors for f in forms.values()),
        }
        return TemplateResponse(request, "admin/services/need/phone_request.html", context)


class OfferAdmin(admin.ModelAdmin):
    list_display = ["description", "provider", "category", "on_date", "status"]
    list_filter = ["status", "category"]
    list_select_related = ["provider__user", "category"]
    raw_id_fields = ["provider"]
