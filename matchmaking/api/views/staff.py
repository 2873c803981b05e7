"""Council staff: read-only, scoped to their areas, each row access-logged."""

from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware
from auditlog.signals import accessed
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from accounts.models import ProviderProfile
from matchmaking import scoping
from matchmaking.api import filters
from matchmaking.api.permissions import IsCouncilStaff
from matchmaking.api.serializers.staff import (
    StaffMatchSerializer,
    StaffNeedSerializer,
    StaffProviderSerializer,
)
from matchmaking.api.views.common import OwnRowsMixin
from matchmaking.models import Match
from services.models import Need


class AccessLoggedMixin:
    """Each row a staff list or detail shows is recorded as looked at (an auditlog ACCESS
    entry: who and when, never the data), as the admin's change pages record it.

    The audit middleware ran before DRF read the token, so it knows only session users:
    its context (actor, address) is taken again here, now that the caller is known.
    `accessed_rows(obj)` names what one row discloses.
    """

    def accessed_rows(self, obj):
        return [obj]

    def record_access(self, objects):
        context = AuditlogMiddleware().get_extra_data(self.request)
        with set_extra_data(context_data=context):
            for obj in objects:
                for row in self.accessed_rows(obj):
                    accessed.send(sender=type(row), instance=row)

    def get_object(self):
        obj = super().get_object()
        self.record_access([obj])
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.record_access(page if page is not None else queryset)
        return page


@extend_schema(tags=["staff"])
class StaffNeedViewSet(AccessLoggedMixin, OwnRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Needs in the areas you work in (the same scoping as the admin)."""

    permission_classes = [IsCouncilStaff]
    serializer_class = StaffNeedSerializer
    filterset_class = filters.NeedFilter
    lookup_field = "reference"
    lookup_value_regex = filters.CODE

    model = Need

    def rows(self, user):
        needs = scoping.needs_for_staff(user).select_related(
            "category", "area", "programme", "requested_by", "resident"
        )
        return needs.prefetch_related("slots")


@extend_schema(tags=["staff"])
class StaffProviderViewSet(AccessLoggedMixin, OwnRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Providers who live in the areas you work in."""

    permission_classes = [IsCouncilStaff]
    serializer_class = StaffProviderSerializer
    filterset_class = filters.StaffProviderFilter

    model = ProviderProfile

    def rows(self, user):
        providers = scoping.providers_for_staff(user).select_related("user")
        return providers.prefetch_related("skills", "availability", "checks")

    def accessed_rows(self, profile):
        # The admin's provider page records the profile and each of its checks.
        return [profile, *profile.checks.all()]


@extend_schema(tags=["staff"])
class StaffMatchViewSet(OwnRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Matches for needs in the areas you work in."""

    permission_classes = [IsCouncilStaff]
    serializer_class = StaffMatchSerializer
    filterset_class = filters.StaffMatchFilter

    model = Match

    def rows(self, user):
        return scoping.matches_for_staff(user).select_related(
            "need__area", "need__category", "provider__user"
        )
