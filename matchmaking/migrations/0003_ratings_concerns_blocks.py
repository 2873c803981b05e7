import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_check_verified_by_protect"),
        ("matchmaking", "0002_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Block",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=240)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
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
                        related_name="blocked_by",
                        to="accounts.providerprofile",
                    ),
                ),
                (
                    "resident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="blocks",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("resident", "provider"),
                        name="block_once_per_pair",
                        violation_error_message="This pair is already blocked.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Concern",
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
                            ("safeguarding", "Safeguarding (someone may be at risk of harm)"),
                            ("no_show", "Did not turn up"),
                            ("conduct", "Behaviour or conduct"),
                            ("other", "Something else"),
                        ],
                        max_length=16,
                    ),
                ),
                ("urgent", models.BooleanField(default=False)),
                ("description", models.TextField(max_length=4000)),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("resolved", "Resolved")],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("resolution", models.TextField(blank=True)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "about",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="concerns_about",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "match",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="concerns",
                        to="matchmaking.match",
                    ),
                ),
                (
                    "raised_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="concerns_raised",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-urgent", "created_at"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "open")),
                        fields=["-urgent", "created_at"],
                        name="concern_open_queue",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("match__isnull", False), ("about__isnull", False), _connector="OR"
                        ),
                        name="concern_has_a_subject",
                        violation_error_message="A concern is about a match or a person.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "open"),
                            models.Q(
                                ("resolved_at__isnull", False), ("resolved_by__isnull", False)
                            ),
                            _connector="OR",
                        ),
                        name="concern_resolved_has_resolver",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Rating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "rater_role",
                    models.CharField(
                        choices=[
                            ("resident", "Resident (about the provider)"),
                            ("provider", "Provider (about the resident)"),
                        ],
                        max_length=10,
                    ),
                ),
                ("score", models.PositiveSmallIntegerField()),
                ("comment", models.TextField(blank=True, max_length=1000)),
                ("hidden", models.BooleanField(default=False)),
                ("hidden_reason", models.CharField(blank=True, max_length=240)),
                ("hidden_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "hidden_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "match",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ratings",
                        to="matchmaking.match",
                    ),
                ),
                (
                    "rater",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ratings_given",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["match", "hidden"], name="rating_match_visible")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("match", "rater_role"),
                        name="rating_once_per_side",
                        violation_error_message="This side has already rated this match.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("score__gte", 1), ("score__lte", 5)),
                        name="rating_score_1_to_5",
                        violation_error_message="A rating is from 1 to 5.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("hidden", False),
                            models.Q(("hidden_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="rating_hidden_has_reason",
                        violation_error_message="Hiding a rating needs a reason.",
                    ),
                ],
            },
        ),
    ]
