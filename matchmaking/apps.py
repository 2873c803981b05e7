from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = "Matchmaking"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from matchmaking import checks  # noqa: F401  (registers the system checks)
        from matchmaking.middleware import stamp_sign_in
        from services.signals import need_opened, offer_posted, offer_withdrawn

        user_logged_in.connect(stamp_sign_in, dispatch_uid="matchmaking.stamp_sign_in")
        post_migrate.connect(
            _install_provider_triggers, sender=self, dispatch_uid="matchmaking.provider_triggers"
        )
        need_opened.connect(_offer_new_need, dispatch_uid="matchmaking.offer_new_need")
        offer_posted.connect(_propose_new_offer, dispatch_uid="matchmaking.propose_new_offer")
        offer_withdrawn.connect(_close_offer, dispatch_uid="matchmaking.close_offer")


class KithAdminConfig(admin_apps.AdminConfig):
    """The admin app, with the council's own site as the default (`admin.site`).

    Here rather than in matchmaking/admin/: this module is imported while the app registry
    is still loading, and the admin package registers models when imported.
    """

    default = False  # named in INSTALLED_APPS by its full path; "matchmaking" is the app
    default_site = "matchmaking.admin.site.KithAdminSite"

    def ready(self):
        super().ready()
        from matchmaking.admin import registry  # noqa: F401  (registers the models)


def _install_provider_triggers(sender, using, **kwargs):
    from matchmaking import provider_index

    provider_index.install_triggers(using)


def _offer_new_need(sender, need, **kwargs):
    from matchmaking.tasks import offer_need

    offer_need.enqueue(need.pk)


def _propose_new_offer(sender, offer, **kwargs):
    from matchmaking.tasks import propose_offer

    propose_offer.enqueue(offer.pk)


def _close_offer(sender, offer, **kwargs):
    from matchmaking.offer_proposals import offer_proposals_close

    offer_proposals_close(offer=offer)
