import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

STAFF_GROUP = "Council staff"  # spelled out: the migration must not change with the code


def staff_see_dates_away(apps, schema_editor):
    # As services' 0005_role_permissions: the content type and permission may not exist yet
    # (Django adds them after the last migration).
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="timeaway")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_timeaway",
        defaults={"name": "Can view dates away"},
    )
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.add(permission)


def staff_no_longer_see_dates_away(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=STAFF_GROUP).first()
    permission = Permission.objects.filter(
        content_type__app_label="accounts", codename="view_timeaway"
    ).first()
    if group is not None and permission is not None:
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_user_language"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="TimeAway",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="first day away")),
                ("ends_on", models.DateField(verbose_name="last day away")),
                ("note", models.CharField(blank=True, max_length=200)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="time_away",
                        to="accounts.providerprofile",
                    ),
                ),
            ],
            options={
                "verbose_name": "dates away",
                "verbose_name_plural": "dates away",
                "ordering": ["starts_on", "ends_on"],
                "indexes": [
                    models.Index(fields=["ends_on", "starts_on"], name="time_away_ends_on")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                        name="time_away_ends_on_or_after_start",
                        violation_error_message="The last day away must be on or after the first.",
                    )
                ],
            },
        ),
        migrations.RunPython(staff_see_dates_away, staff_no_longer_see_dates_away),
    ]
