"""Council staff may start allocation runs (add_allocationrun); view was granted before.

Where they may run one is still their per-area grant (matchmaking.scoping). Spelled out and
created if missing, as in services.0005_role_permissions: on a fresh database permissions only
appear after the last migration.
"""

from django.db import migrations

GROUP = "Council staff"
PERMISSIONS = (("view", "view"), ("add", "add"))


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="matchmaking", model="allocationrun"
    )
    for action, _ in PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_allocationrun",
            defaults={"name": f"Can {action} allocation run"},
        )
        yield permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        # Only add: view belongs to services.0005 and stays when this one is reversed.
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="matchmaking", codename="add_allocationrun"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0005_list_indexes"),
        ("services", "0005_role_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
