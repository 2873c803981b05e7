from django.conf import settings


def council(request):
    return {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "COUNCIL_AREA": settings.COUNCIL_AREA,
        "SERVICE_NAME": settings.SERVICE_NAME,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
    }


def navigation(request):
    """Header links for the signed-in person; each part of the site adds its own."""
    items = []
    return {"nav_items": items}
