"""In-app notifications, each also sent by email in the background."""

from django.conf import settings
from django.db import connection

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
    """Whether the user is a provider and how many notifications are unread, in one query.

    Every signed-in page asks this, so it is plain SQL: the same question through the
    ORM's Exists/Subquery took 1.0 ms to build against 0.02 ms to run (`bench web`).
    """
    with connection.cursor() as cursor:
        cursor.execute(_NAVIGATION_FACTS_SQL, [user.pk, user.pk])
        is_provider, unread = cursor.fetchone()
    return {"is_provider": bool(is_provider), "unread": unread}


_NAVIGATION_FACTS_SQL = (
    f"SELECT EXISTS(SELECT 1 FROM {ProviderProfile._meta.db_table} WHERE user_id = %s), "
    f"(SELECT COUNT(*) FROM {Notification._meta.db_table} "
    "WHERE user_id = %s AND read_at IS NULL)"
)
