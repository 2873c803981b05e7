import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_providers"),
        ("services", "0002_categories"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AllocationRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("parameters", models.JSONField(blank=True, default=dict)),
                ("figures", models.JSONField(blank=True, default=dict)),
                ("started_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("duration_ms", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "area",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="services.area",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="services.programme",
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-started_at"],
            },
        ),
        migrations.CreateModel(
            name="Match",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("offered", "Offered to the provider"),
                            ("accepted", "Accepted by the provider"),
                            ("active", "Active"),
                            ("completed", "Completed"),
                            ("declined", "Declined"),
                            ("expired", "Expired"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="proposed",
                        max_length=10,
                    ),
                ),
                ("score", models.FloatField(default=0)),
                ("explanation", models.JSONField(blank=True, default=dict)),
                (
                    "proposed_by",
                    models.CharField(
                        choices=[
                            ("engine", "Matching engine"),
                            ("allocation", "Batch allocation"),
                            ("staff", "Council staff"),
                        ],
                        default="engine",
                        max_length=10,
                    ),
                ),
                ("staff_reason", models.CharField(blank=True, max_length=240)),
                (
                    "declined_by",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("provider", "Provider"),
                            ("resident", "Resident (asked for someone else)"),
                        ],
                        max_length=10,
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=240)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("offered_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                (
                    "cancelled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "need",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matches",
                        to="services.need",
                    ),
                ),
                (
                    "proposed_by_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matches",
                        to="accounts.providerprofile",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "matches",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "offered")),
                        fields=["expires_at"],
                        name="match_offered_expiry",
                    ),
                    models.Index(fields=["provider", "status"], name="match_provider_status"),
                    models.Index(fields=["provider", "offered_at"], name="match_provider_offered"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("status__in", ["proposed", "offered", "accepted", "active"])
                        ),
                        fields=("need",),
                        name="match_one_live_per_need",
                        violation_error_message="This need already has a live match.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "proposed",
                                    "offered",
                                    "accepted",
                                    "active",
                                    "completed",
                                    "declined",
                                    "expired",
                                    "cancelled",
                                ],
                            )
                        ),
                        name="match_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "offered"), _negated=True),
                            ("expires_at__isnull", False),
                            _connector="OR",
                        ),
                        name="match_offer_has_expiry",
                        violation_error_message="An offer must say when it expires.",
                    ),
                ],
            },
        ),
    ]
