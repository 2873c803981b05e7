import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0007_programme_offer_proposals"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="actual_spend",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Money actually spent so far, from the finance system (not the budget). "
                "Empty until it is recorded.",
                max_digits=12,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="spend_as_at",
            field=models.DateField(
                blank=True,
                help_text="The date the actual spend was last brought up to date.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="draft_weights",
            field=models.JSONField(
                blank=True,
                help_text="Scoring weights being tried out; the engine uses them only once "
                "published.",
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("actual_spend__isnull", True), ("actual_spend__gte", 0), _connector="OR"
                ),
                name="programme_spend_not_negative",
                violation_error_message="The actual spend cannot be negative.",
            ),
        ),
        migrations.CreateModel(
            name="UnitCost",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "cost",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=10,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="cost per unit (£)",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        help_text='What one visit done stands for, e.g. "a meal", "an hour of '
                        'home care".',
                        max_length=60,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        help_text='Where the figure comes from, e.g. "PSSRU Unit Costs 2024, '
                        'table 11.6".',
                        max_length=300,
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="unit_costs",
                        to="services.category",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="unit_costs",
                        to="services.programme",
                    ),
                ),
            ],
            options={
                "ordering": ["programme", "category"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("programme", "category"),
                        name="unit_cost_one_per_category",
                        violation_error_message="This programme already has a unit cost for the "
                        "category.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("cost__gte", 0)),
                        name="unit_cost_not_negative",
                        violation_error_message="A unit cost cannot be negative.",
                    ),
                ],
            },
        ),
    ]
