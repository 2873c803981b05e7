"""What people were told about a match, on the match's page, with how each text fared."""

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from matchmaking.constants import DeliveryStatus
from matchmaking.models import Notification, TextDelivery


class NotificationInline(admin.TabularInline):
    """A match's notifications, newest first. Read-only: they record what was said."""

    model = Notification
    extra = 0
    can_delete = False
    fields = ["user", "message", "created_at", "read_at", "text_status"]
    readonly_fields = fields
    verbose_name_plural = "notifications (in the app, by email and by text)"

    def has_view_permission(self, request, obj=None):
        # Shown only inside a match's page, which the match admin has already scoped to
        # the staff's areas: no model-wide permission to read notifications is needed.
        return True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The latest text's status in the same query: no query per row.
        latest_text = TextDelivery.objects.filter(notification=OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(latest_text_status=Subquery(latest_text.values("status")[:1]))
        )

    @admin.display(description="text message")
    def text_status(self, notification):
        status = getattr(notification, "latest_text_status", None)
        if not status:
            return "No text (email and in the app)"
        return DeliveryStatus(status).label
