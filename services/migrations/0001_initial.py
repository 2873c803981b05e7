import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import services.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_providers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Area",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True)),
                (
                    "code",
                    models.CharField(
                        help_text="ONS ward code, e.g. E05000001, or a local code.",
                        max_length=12,
                        unique=True,
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Category",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(unique=True)),
                ("name", models.CharField(max_length=80)),
                ("description", models.CharField(blank=True, max_length=240)),
                (
                    "allowed_kinds",
                    models.JSONField(default=list, help_text="Provider kinds that may serve it."),
                ),
                (
                    "required_checks",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Check kinds a provider needs, verified and in date.",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "providers",
                    models.ManyToManyField(
                        blank=True, related_name="skills", to="accounts.providerprofile"
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "categories",
                "ordering": ["position", "name"],
            },
        ),
        migrations.CreateModel(
            name="Offer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("description", models.CharField(max_length=240)),
                (
                    "portions",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20),
                        ],
                    ),
                ),
                ("dietary_notes", models.CharField(blank=True, max_length=240)),
                ("on_date", models.DateField()),
                ("starts_at", models.TimeField()),
                ("ends_at", models.TimeField()),
                (
                    "max_distance_km",
                    models.FloatField(
                        validators=[
                            django.core.validators.MinValueValidator(0.5),
                            django.core.validators.MaxValueValidator(50),
                        ]
                    ),
                ),
                ("latitude", models.FloatField()),
                ("longitude", models.FloatField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("taken", "Taken"),
                            ("withdrawn", "Withdrawn"),
                            ("expired", "Expired"),
                        ],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="offers",
                        to="services.category",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offers",
                        to="accounts.providerprofile",
                    ),
                ),
            ],
            options={
                "ordering": ["-on_date", "-starts_at"],
            },
        ),
        migrations.CreateModel(
            name="OfferUserObjectPermission",
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
                        on_delete=django.db.models.deletion.CASCADE, to="services.offer"
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
        migrations.CreateModel(
            name="Postcode",
            fields=[
                ("code", models.CharField(max_length=8, primary_key=True, serialize=False)),
                ("latitude", models.FloatField()),
                ("longitude", models.FloatField()),
                ("ward_code", models.CharField(blank=True, max_length=12)),
                (
                    "area",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="postcodes",
                        to="services.area",
                    ),
                ),
            ],
            options={
                "ordering": ["code"],
            },
        ),
        migrations.CreateModel(
            name="Programme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, unique=True)),
                ("description", models.TextField(blank=True)),
                ("budget", models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                ("starts_on", models.DateField()),
                ("ends_on", models.DateField()),
                ("target_residents", models.PositiveIntegerField(default=0)),
                (
                    "max_distance_km",
                    models.FloatField(
                        default=10,
                        validators=[
                            django.core.validators.MinValueValidator(0.5),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "weights",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Scoring weights; empty means the engine's defaults.",
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("areas", models.ManyToManyField(related_name="programmes", to="services.area")),
                (
                    "categories",
                    models.ManyToManyField(related_name="programmes", to="services.category"),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Need",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        default=services.models.new_reference,
                        editable=False,
                        max_length=10,
                        unique=True,
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("self", "Asked for themselves"),
                            ("referral", "Referred by someone else"),
                            ("phone", "Taken by council staff (phone or in person)"),
                        ],
                        default="self",
                        max_length=10,
                    ),
                ),
                ("details", models.TextField(max_length=2000, verbose_name="what help is needed")),
                (
                    "schedule",
                    models.CharField(
                        choices=[
                            ("one_off", "Once, on a particular day"),
                            ("weekly", "Every week"),
                        ],
                        max_length=10,
                    ),
                ),
                ("on_date", models.DateField(blank=True, null=True)),
                ("starts_at", models.TimeField(blank=True, null=True)),
                ("ends_at", models.TimeField(blank=True, null=True)),
                (
                    "urgency",
                    models.CharField(
                        choices=[
                            ("routine", "In the next few weeks"),
                            ("soon", "This week"),
                            ("urgent", "In the next day or two"),
                        ],
                        default="routine",
                        max_length=10,
                    ),
                ),
                ("postcode", models.CharField(max_length=8)),
                ("latitude", models.FloatField()),
                ("longitude", models.FloatField()),
                ("language", models.CharField(blank=True, max_length=8)),
                ("language_required", models.BooleanField(default=False)),
                ("dietary_needs", models.CharField(blank=True, max_length=240)),
                ("notes_for_provider", models.TextField(blank=True, max_length=1000)),
                ("contact_name", models.CharField(max_length=120)),
                ("address", models.TextField(max_length=400)),
                ("phone", models.CharField(blank=True, max_length=32)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("referrer_name", models.CharField(blank=True, max_length=120)),
                ("referrer_organisation", models.CharField(blank=True, max_length=120)),
                (
                    "referrer_role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("relative", "Relative or friend"),
                            ("gp", "GP practice or health worker"),
                            ("social_worker", "Social worker"),
                            ("charity", "Charity or community group"),
                            ("other", "Other"),
                        ],
                        max_length=16,
                    ),
                ),
                ("referrer_phone", models.CharField(blank=True, max_length=32)),
                ("referrer_email", models.EmailField(blank=True, max_length=254)),
                (
                    "consent",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("given", "They agreed to this request"),
                            (
                                "best_interest",
                                "They cannot agree, and it is in their best interest",
                            ),
                        ],
                        max_length=16,
                    ),
                ),
                ("best_interest_reason", models.TextField(blank=True)),
                ("best_interest_decided_by", models.CharField(blank=True, max_length=120)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("submitted", "Submitted"),
                            ("open", "Looking for a helper"),
                            ("matched", "Matched"),
                            ("fulfilled", "Done"),
                            ("withdrawn", "Withdrawn"),
                            ("closed", "Closed"),
                        ],
                        default="submitted",
                        max_length=10,
                    ),
                ),
                ("status_changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("withdrawn_reason", models.CharField(blank=True, max_length=240)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="needs",
                        to="services.area",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="needs",
                        to="services.category",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requests_made",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "resident",
                    models.ForeignKey(
                        blank=True,
                        help_text="The account of the person who gets help, when they have one.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="needs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="needs",
                        to="services.programme",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="NeedSlot",
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
                    "need",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slots",
                        to="services.need",
                    ),
                ),
            ],
            options={
                "ordering": ["weekday", "starts_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="needslot_ends_after_start",
                        violation_error_message="The end time must be after the start time.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("weekday__gte", 0), ("weekday__lte", 6)),
                        name="needslot_weekday_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="NeedUserObjectPermission",
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
                        on_delete=django.db.models.deletion.CASCADE, to="services.need"
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
                "unique_together": {("user", "permission", "content_object")},
            },
        ),
        migrations.AddIndex(
            model_name="offer",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["on_date", "latitude", "longitude"],
                name="offer_open_geo",
            ),
        ),
        migrations.AddConstraint(
            model_name="offer",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                name="offer_ends_after_start",
                violation_error_message="The end time must be after the start time.",
            ),
        ),
        migrations.AddConstraint(
            model_name="offer",
            constraint=models.CheckConstraint(
                condition=models.Q(("max_distance_km__gt", 0)), name="offer_distance_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="offer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("portions__isnull", True), ("portions__gte", 1), _connector="OR"
                ),
                name="offer_portions_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="offer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("latitude__gte", -90),
                    ("latitude__lte", 90),
                    ("longitude__gte", -180),
                    ("longitude__lte", 180),
                ),
                name="offer_latlon_in_range",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="offeruserobjectpermission",
            unique_together={("user", "permission", "content_object")},
        ),
        migrations.AddConstraint(
            model_name="postcode",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("latitude__gte", -90),
                    ("latitude__lte", 90),
                    ("longitude__gte", -180),
                    ("longitude__lte", 180),
                ),
                name="postcode_latlon_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                name="programme_ends_after_start",
                violation_error_message="The end date must be on or after the start date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(("budget__gte", 0)),
                name="programme_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(("max_distance_km__gt", 0)),
                name="programme_max_distance_positive",
                violation_error_message="The maximum distance must be more than 0 km.",
            ),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["area", "category", "created_at"],
                name="need_open_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["requested_by", "-created_at"], name="need_by_requester"),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["resident", "-created_at"], name="need_by_resident"),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["status", "-created_at"], name="need_status_created"),
        ),
        migrations.AddConstraint(
            model_name="need",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("latitude__gte", -90),
                    ("latitude__lte", 90),
                    ("longitude__gte", -180),
                    ("longitude__lte", 180),
                ),
                name="need_latlon_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="need",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("schedule", "weekly"),
                    models.Q(
                        ("ends_at__gt", models.F("starts_at")),
                        ("ends_at__isnull", False),
                        ("on_date__isnull", False),
                        ("schedule", "one_off"),
                        ("starts_at__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="need_one_off_has_valid_window",
                violation_error_message="A one-off request needs a date and a time window.",
            ),
        ),
        migrations.AddConstraint(
            model_name="need",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("channel", "referral"), _negated=True),
                    ("consent", "given"),
                    models.Q(
                        ("consent", "best_interest"),
                        models.Q(("best_interest_reason", ""), _negated=True),
                        models.Q(("best_interest_decided_by", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="need_referral_records_consent",
                violation_error_message="A referral records the resident's consent, or why they cannot give it and who decided it is in their interest.",
            ),
        ),
        migrations.AddConstraint(
            model_name="need",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        ["submitted", "open", "matched", "fulfilled", "withdrawn", "closed"],
                    )
                ),
                name="need_status_valid",
            ),
        ),
    ]
