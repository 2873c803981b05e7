from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def council(request):
    return {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "COUNCIL_AREA": settings.COUNCIL_AREA,
        "SERVICE_NAME": settings.SERVICE_NAME,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        "SESSION_IDLE_SECONDS": settings.SESSION_COOKIE_AGE,
    }


def navigation(request):
    """Header links for the signed-in person, by what they do here (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from matchmaking.notifications import navigation_facts

    facts = navigation_facts(user)
    items = [{"url": reverse("needs:list"), "label": _("Your requests")}]
    items.append({"url": reverse("matchmaking:visits"), "label": _("Your visits")})
    if facts["is_provider"]:
        items.append({"url": reverse("matchmaking:offer_list"), "label": _("Help requests")})
        items.append({"url": reverse("providers:dashboard"), "label": _("Your helper profile")})
    else:
        items.append({"url": reverse("providers:start"), "label": _("Offer help")})
    unread = facts["unread"]
    label = _("Notifications (%(unread)s)") % {"unread": unread} if unread else _("Notifications")
    items.append({"url": reverse("matchmaking:notifications"), "label": label})
    return {"nav_items": items}
