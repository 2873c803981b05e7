"""Who may call what. The default (settings) is DenyAll; each view names what it needs.

Object permissions are not checked here: every view's queryset holds only what the user
may see (guardian grants, the match's two sides, staff areas), so anything else is a 404.
"""

from rest_framework.permissions import BasePermission, IsAuthenticated

from accounts.models import ProviderProfile

__all__ = ["DenyAll", "IsAuthenticated", "IsCouncilStaff", "IsProvider"]


class DenyAll(BasePermission):
    """The default for a view that forgot to say who may use it."""

    message = "This endpoint is not open to anyone."

    def has_permission(self, request, view):
        return False


class IsProvider(BasePermission):
    """Signed in and has offered help (has a provider profile, in any status)."""

    message = "Offer help first: this needs a helper profile."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return ProviderProfile.objects.filter(user=user).exists()


class IsCouncilStaff(BasePermission):
    """Active council staff; which rows they see is their areas' business (scoping)."""

    message = "Only council staff can use this endpoint."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)
