from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Availability, Check, ProviderProfile, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("first_name", "last_name", "phone")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class AvailabilityInline(admin.TabularInline):
    model = Availability
    extra = 0


class CheckInline(admin.TabularInline):
    model = Check
    extra = 0
    fields = ["kind", "status", "reference", "expires_at", "verified_by", "verified_at"]
    autocomplete_fields = ["verified_by"]


@admin.register(ProviderProfile)
class ProviderProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "status", "home_postcode", "capacity", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "home_postcode"]
    show_full_result_count = False
    raw_id_fields = ["user"]
    readonly_fields = [
        "rating_count",
        "rating_sum",
        "offers_received",
        "offers_accepted",
        "matches_completed",
        "created_at",
        "updated_at",
    ]
    inlines = [AvailabilityInline, CheckInline]


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["provider", "kind", "status", "expires_at", "verified_by", "verified_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["provider__user", "verified_by"]
    search_fields = ["provider__user__email", "reference"]
    raw_id_fields = ["provider", "verified_by"]
