from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = "Matchmaking"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from matchmaking import checks  # noqa: F401  (registers the system checks)
        from matchmaking.middleware import stamp_sign_in
        from services.signals import need_opened

        user_logged_in.connect(stamp_sign_in, dispatch_uid="matchmaking.stamp_sign_in")
        need_opened.connect(_offer_new_need, dispatch_uid="matchmaking.offer_new_need")


def _offer_new_need(sender, need, **kwargs):
    from matchmaking.tasks import offer_need

    offer_need.enqueue(need.pk)
