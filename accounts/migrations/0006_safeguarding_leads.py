"""The "Safeguarding leads" group and what the admin lets a lead do at all.

A lead triages every concern in the borough (read and act on concerns, see the matches,
providers and blocks they name). Every area for those comes from the group itself
(matchmaking.scoping.concern_area_ids), never from a model-wide grant; their own ward
work, if any, is a separate per-area grant.

Spelled out rather than imported, and permissions and content types created if missing,
as in services.0005_role_permissions: on a fresh database permissions only appear after
the last migration, and only content type rows are named, so nothing here depends on the
matchmaking app's tables.
"""

from django.db import migrations

GROUP = "Safeguarding leads"
# app label -> (model, verbose name) -> actions
PERMISSIONS = {
    "accounts": {("providerprofile", "provider profile"): ("view",)},
    "matchmaking": {
        ("concern", "concern"): ("view", "change"),
        ("match", "match"): ("view",),
        ("block", "block"): ("view",),
    },
}


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for app_label, models in PERMISSIONS.items():
        for (model, verbose_name), actions in models.items():
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            for action in actions:
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {verbose_name}"},
                )
                yield permission


def create_group(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_check_expiry_warned_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
