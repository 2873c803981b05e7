"""The council's admin site: its name on every page, and the commissioning dashboard."""

from django.conf import settings
from django.contrib import admin
from django.urls import path


class KithAdminSite(admin.AdminSite):
    index_title = "Council admin"
    index_template = "admin/kith/index.html"

    # Read per request rather than at import, so the name follows the settings.
    @property
    def site_header(self):
        return f"{settings.COUNCIL_NAME} – {settings.SERVICE_NAME} admin"

    @property
    def site_title(self):
        return self.site_header

    def index(self, request, extra_context=None):
        from matchmaking.admin_dashboard import can_see_dashboard

        extra_context = {
            **(extra_context or {}),
            "can_see_dashboard": can_see_dashboard(request.user),
        }
        return super().index(request, extra_context)

    def dashboard(self, request):
        from matchmaking.admin_dashboard import dashboard_view

        return dashboard_view(request, self)

    def get_urls(self):
        return [
            path("dashboard/", self.admin_view(self.dashboard), name="dashboard"),
            *super().get_urls(),
        ]
