"""Who may call what. The default (settings) is DenyAll; each view names what it needs.

Object permissions are not checked here: every view's queryset holds only what the user
may see (guardian grants, the match's two sides, staff areas), so anything else is a 404.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission, IsAuthenticated

from accounts.models import ProviderProfile
from accounts.two_factor import lacks_two_factor

__all__ = ["DenyAll", "IsAuthenticated", "IsCouncilStaff", "IsProvider"]


class DenyAll(BasePermission):
    """The default for a view that forgot to say who may use it."""

    message = _("This endpoint is not open to anyone.")

    def has_permission(self, request, view):
        return False


class IsProvider(BasePermission):
    """Signed in and has offered help (has a provider profile, in any status)."""

    message = _("Offer help first: this needs a helper profile.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return ProviderProfile.objects.filter(user=user).exists()


TWO_FACTOR_NEEDED = "Set up two-factor authentication on your account before you use the staff API."


class IsCouncilStaff(BasePermission):
    """Active council staff with two-factor authentication set up, as the admin requires
    (one rule: accounts.two_factor), whether they come with a token or a session. Which
    rows they see is their areas' business (scoping)."""

    message = _("Only council staff can use this endpoint.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        if lacks_two_factor(user):
            self.message = TWO_FACTOR_NEEDED
            return False
        return True
