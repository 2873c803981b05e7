from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _


def council(request):
    return {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "COUNCIL_AREA": settings.COUNCIL_AREA,
        "SERVICE_NAME": settings.SERVICE_NAME,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        "SESSION_IDLE_SECONDS": settings.SESSION_COOKIE_AGE,
    }


# The header's links for a provider and for anyone else, reversed once per URL prefix and
# URLconf (their labels are lazy: each is read in the page's language).
_NAV_ITEMS = {}


def _nav_items(is_provider):
    key = (is_provider, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    items = _NAV_ITEMS.get(key)
    if items is None:
        items = [
            {"url": reverse("needs:list"), "label": _("Your requests")},
            {"url": reverse("matchmaking:visits"), "label": _("Your visits")},
        ]
        if is_provider:
            items.append({"url": reverse("matchmaking:offer_list"), "label": _("Help requests")})
            items.append({"url": reverse("providers:dashboard"), "label": _("Your helper profile")})
        else:
            items.append({"url": reverse("providers:start"), "label": _("Offer help")})
        if len(_NAV_ITEMS) > 64:
            _NAV_ITEMS.clear()
        _NAV_ITEMS[key] = items
    return items


def navigation(request):
    """Header links for the signed-in person, by what they do here (one query).

    `nav_items` are the same for every provider (and for everyone else); the link to
    notifications follows them, labelled `nav_notifications_label` with the person's own
    unread count. templates/base.html renders the header once per language and kind of
    person (matchmaking.templatetags.kith_layout) and fills that label in.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_is_provider": False}
    from matchmaking.notifications import navigation_facts

    facts = navigation_facts(user)
    unread = facts["unread"]
    label = _("Notifications (%(unread)s)") % {"unread": unread} if unread else _("Notifications")
    return {
        "nav_items": _nav_items(facts["is_provider"]),
        "nav_is_provider": facts["is_provider"],
        "nav_notifications_label": label,
    }
