"""Who must use two-factor authentication: one rule for the admin and the staff API.

Council staff and commissioners see residents' names, addresses and phone numbers, so a
password alone is not enough for them, whichever way they come in.
"""

from allauth.mfa.utils import is_mfa_enabled

from accounts.constants import ROLE_GROUPS


def needs_two_factor(user) -> bool:
    """Staff (is_staff or superuser) and members of the council's role groups."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user.is_superuser or any(user.in_group(g) for g in ROLE_GROUPS)


def lacks_two_factor(user) -> bool:
    """True for someone who needs two-factor authentication and has not set it up."""
    return needs_two_factor(user) and not is_mfa_enabled(user)
