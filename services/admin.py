from django.contrib import admin

from services.models import Area, Category, Need, NeedSlot, Offer, Postcode, Programme


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


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


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "budget", "target_residents", "is_active"]
    list_filter = ["is_active"]
    filter_horizontal = ["categories", "areas"]


class NeedSlotInline(admin.TabularInline):
    model = NeedSlot
    extra = 0


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["reference", "category", "area", "status", "urgency", "channel", "created_at"]
    list_filter = ["status", "urgency", "channel", "category", "area"]
    list_select_related = ["category", "area"]
    search_fields = ["reference", "postcode"]
    show_full_result_count = False
    raw_id_fields = ["requested_by", "resident"]
    inlines = [NeedSlotInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["description", "provider", "category", "on_date", "status"]
    list_filter = ["status", "category"]
    list_select_related = ["provider__user", "category"]
    raw_id_fields = ["provider"]
