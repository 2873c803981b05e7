"""The admin app, with the council's own site as the default (`admin.site`).

Kept apart from admin_site.py: this module is imported while the app registry is still
loading, so it must not import models.
"""

from django.contrib.admin.apps import AdminConfig


class KithAdminConfig(AdminConfig):
    default_site = "matchmaking.admin_site.KithAdminSite"
