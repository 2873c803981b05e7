"""The council's admin site: its name on every page, and the commissioning dashboard.

Staff sign in through allauth (its rate limits and two-factor step apply), and must
have two-factor authentication set up before any admin page opens.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.two_factor import lacks_two_factor


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

    def login(self, request, extra_context=None):
        """The admin's own login page is replaced by the site's sign-in."""
        if request.user.is_authenticated and not self.has_permission(request):
            # Signed in, but not staff: the site's sign-in would send them straight back
            # here, and round again, until the browser gives up.
            return TemplateResponse(request, "pages/no_admin_access.html", status=403)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, reverse("admin:index"))
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def two_factor_required(request, *args, **kwargs):
            user = request.user
            if lacks_two_factor(user):
                messages.info(
                    request,
                    "Set up two-factor authentication before you use the council admin.",
                )
                return redirect("mfa_activate_totp")
            return inner(request, *args, **kwargs)

        two_factor_required.admin_site = self
        return two_factor_required

    def index(self, request, extra_context=None):
        from matchmaking.admin.dashboard import can_see_dashboard

        extra_context = {
            **(extra_context or {}),
            "can_see_dashboard": can_see_dashboard(request.user),
        }
        return super().index(request, extra_context)

    def dashboard(self, request):
        from matchmaking.admin.dashboard import dashboard_view

        return dashboard_view(request, self)

    def get_urls(self):
        return [
            path("dashboard/", self.admin_view(self.dashboard), name="dashboard"),
            *super().get_urls(),
        ]
