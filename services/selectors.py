from guardian.shortcuts import get_objects_for_user

from services.models import Need


def needs_visible_to(user):
    """The needs this person asked for or that were asked for them (object permissions)."""
    return get_objects_for_user(
        user,
        "services.view_need",
        klass=Need,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )
