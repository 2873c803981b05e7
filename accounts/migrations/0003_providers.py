import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import accounts.models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProviderProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("carer", "Carer"),
                            ("cook", "Home cook"),
                            ("peer", "Peer supporter"),
                        ],
                        max_length=10,
                    ),
                ),
                ("bio", models.TextField(blank=True, max_length=1000, verbose_name="about you")),
                (
                    "photo",
                    models.ImageField(blank=True, upload_to=accounts.models.provider_photo_path),
                ),
                (
                    "languages",
                    models.JSONField(blank=True, default=list, help_text="Language codes spoken."),
                ),
                ("home_postcode", models.CharField(max_length=8)),
                ("latitude", models.FloatField()),
                ("longitude", models.FloatField()),
                (
                    "travel_radius_km",
                    models.FloatField(
                        validators=[
                            django.core.validators.MinValueValidator(0.5),
                            django.core.validators.MaxValueValidator(50),
                        ]
                    ),
                ),
                (
                    "capacity",
                    models.PositiveSmallIntegerField(
                        help_text="How many people you can help at the same time.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20),
                        ],
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("applied", "Applied"),
                            ("active", "Active"),
                            ("suspended", "Suspended"),
                            ("rejected", "Rejected"),
                        ],
                        default="applied",
                        max_length=10,
                    ),
                ),
                ("status_changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("rating_count", models.PositiveIntegerField(default=0)),
                ("rating_sum", models.PositiveIntegerField(default=0)),
                ("offers_received", models.PositiveIntegerField(default=0)),
                ("offers_accepted", models.PositiveIntegerField(default=0)),
                ("matches_completed", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="provider_profile",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["user__email"],
            },
        ),
        migrations.CreateModel(
            name="Check",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("dbs_enhanced_barred", "Enhanced DBS check with adults' barred list"),
                            ("dbs_basic", "Basic DBS check"),
                            ("identity", "Proof of identity"),
                            ("reference", "Character reference"),
                            ("food_hygiene", "Food hygiene certificate (level 2)"),
                            ("driving", "Driving licence and business insurance"),
                        ],
                        max_length=24,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for the council"),
                            ("verified", "Verified"),
                            ("rejected", "Rejected"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        blank=True, max_length=64, verbose_name="certificate or reference number"
                    ),
                ),
                ("notes", models.TextField(blank=True)),
                ("verified_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="checks_verified",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="checks",
                        to="accounts.providerprofile",
                    ),
                ),
            ],
            options={
                "ordering": ["provider", "kind"],
            },
        ),
        migrations.CreateModel(
            name="Availability",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ]
                    ),
                ),
                ("starts_at", models.TimeField()),
                ("ends_at", models.TimeField()),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="availability",
                        to="accounts.providerprofile",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "availability",
                "ordering": ["weekday", "starts_at"],
            },
        ),
        migrations.CreateModel(
            name="ProviderProfileUserObjectPermission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "content_object",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="accounts.providerprofile"
                    ),
                ),
                (
                    "permission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="auth.permission"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddIndex(
            model_name="providerprofile",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["latitude", "longitude"],
                name="provider_active_geo",
            ),
        ),
        migrations.AddIndex(
            model_name="providerprofile",
            index=models.Index(fields=["status", "kind"], name="provider_status_kind"),
        ),
        migrations.AddConstraint(
            model_name="providerprofile",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("latitude__gte", -90),
                    ("latitude__lte", 90),
                    ("longitude__gte", -180),
                    ("longitude__lte", 180),
                ),
                name="provider_latlon_in_range",
                violation_error_message="Latitude or longitude is out of range.",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerprofile",
            constraint=models.CheckConstraint(
                condition=models.Q(("travel_radius_km__gt", 0), ("travel_radius_km__lte", 50)),
                name="provider_radius_positive",
                violation_error_message="Travel radius must be more than 0 and at most 50 km.",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerprofile",
            constraint=models.CheckConstraint(
                condition=models.Q(("capacity__gte", 1), ("capacity__lte", 20)),
                name="provider_capacity_positive",
                violation_error_message="Capacity must be between 1 and 20.",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerprofile",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["carer", "cook", "peer"])),
                name="provider_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerprofile",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["applied", "active", "suspended", "rejected"])),
                name="provider_status_valid",
            ),
        ),
        migrations.AddIndex(
            model_name="check",
            index=models.Index(fields=["status", "expires_at"], name="check_status_expiry"),
        ),
        migrations.AddConstraint(
            model_name="check",
            constraint=models.UniqueConstraint(
                fields=("provider", "kind"),
                name="check_one_per_kind",
                violation_error_message="This provider already has a check of this kind.",
            ),
        ),
        migrations.AddConstraint(
            model_name="check",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "verified"), _negated=True),
                    models.Q(("verified_at__isnull", False), ("verified_by__isnull", False)),
                    _connector="OR",
                ),
                name="check_verified_has_verifier",
                violation_error_message="A verified check records who verified it and when.",
            ),
        ),
        migrations.AddConstraint(
            model_name="check",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "dbs_enhanced_barred",
                            "dbs_basic",
                            "identity",
                            "reference",
                            "food_hygiene",
                            "driving",
                        ],
                    )
                ),
                name="check_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="availability",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                name="availability_ends_after_start",
                violation_error_message="The end time must be after the start time.",
            ),
        ),
        migrations.AddConstraint(
            model_name="availability",
            constraint=models.CheckConstraint(
                condition=models.Q(("weekday__gte", 0), ("weekday__lte", 6)),
                name="availability_weekday_valid",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="providerprofileuserobjectpermission",
            unique_together={("user", "permission", "content_object")},
        ),
    ]
