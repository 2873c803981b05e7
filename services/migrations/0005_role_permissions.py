"""Model-level permissions for the two role groups.

What the admin lets each role do at all; *where* council staff may do it is a separate,
per-area grant (services.work_in_area, a guardian object permission), never given here.

Spelled out rather than imported, so the migration does not change when the code does.
Permissions and content types are created if missing: Django only creates them after the
last migration (post_migrate), and this one may run on a fresh database. Only content type
rows are named, so nothing here depends on the matchmaking app's tables.
"""

from django.db import migrations

# group -> app label -> (model, verbose name) -> actions
ROLE_PERMISSIONS = {
    "Council staff": {
        "accounts": {
            ("providerprofile", "provider profile"): ("view", "change"),
            ("check", "check"): ("view", "add", "change"),
            ("availability", "availability"): ("view",),
        },
        "services": {
            ("area", "area"): ("view",),
            ("postcode", "postcode"): ("view",),
            ("category", "category"): ("view",),
            ("programme", "programme"): ("view",),
            ("need", "need"): ("view",),
            ("needslot", "need slot"): ("view",),
            ("offer", "offer"): ("view",),
        },
        "matchmaking": {
            ("match", "match"): ("view", "add", "change"),
            ("rating", "rating"): ("view", "change"),
            ("concern", "concern"): ("view", "change"),
            ("block", "block"): ("view",),
            ("allocationrun", "allocation run"): ("view", "add"),
        },
    },
    "Commissioners": {
        "services": {
            ("area", "area"): ("view",),
            ("category", "category"): ("view",),
            ("programme", "programme"): ("view", "add", "change"),
        },
    },
}


def _permissions(apps, spec):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for app_label, models in spec.items():
        for (model, verbose_name), actions in models.items():
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            for action in actions:
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {verbose_name}"},
                )
                yield permission


def grant_role_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, spec in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, spec))


def revoke_role_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, spec in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, spec))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("services", "0004_area_permissions"),
    ]

    operations = [migrations.RunPython(grant_role_permissions, revoke_role_permissions)]
