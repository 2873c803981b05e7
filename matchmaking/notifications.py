"""In-app notifications, each also sent by email in the background."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.emails import send_templated_email
from accounts.models import ProviderProfile
from matchmaking.models import Notification


def notify(*, users, message, url="", match=None):
    """Tell each of `users` (None entries and duplicates ignored) and email them."""
    recipients = {user.pk: user for user in users if user is not None}.values()
    Notification.objects.bulk_create(
        [Notification(user=user, message=message, url=url, match=match) for user in recipients]
    )
    for user in recipients:
        send_templated_email(
            to=[user.email],
            template="matchmaking/email/notification",
            context={
                "name": user.display_name,
                "message": message,
                "link": f"{settings.SITE_URL}{url}" if url else "",
            },
        )


def navigation_facts(user):
    """Whether the user is a provider and how many notifications are unread, in one query."""
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    facts = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            is_provider=Exists(ProviderProfile.objects.filter(user=OuterRef("pk"))),
            unread=Coalesce(Subquery(unread), 0),
        )
        .first()
    )
    return facts or {"is_provider": False, "unread": 0}
