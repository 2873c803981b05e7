# Names (GOV.UK names pattern), a validated phone number, the preferred contact method,
# and a provider's own pause. Written by hand so it carries only these changes while
# the vetting-documents work adds its own migration beside it.

import phonenumber_field.modelfields
from django.db import migrations, models

STATUSES = [
    ("applied", "Applied"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("rejected", "Rejected"),
    ("paused", "Paused by the provider"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_safeguarding_leads"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="full_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="full name"),
        ),
        migrations.AlterField(
            model_name="user",
            name="first_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="name to be shown"),
        ),
        migrations.AddField(
            model_name="user",
            name="contact_method",
            field=models.CharField(
                choices=[("email", "Email"), ("text", "Text message"), ("phone", "Phone call")],
                default="email",
                max_length=10,
                verbose_name="preferred contact method",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, max_length=128, region="GB", verbose_name="phone number"
            ),
        ),
        migrations.AddField(
            model_name="providerprofile",
            name="pause_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="reason for pausing"),
        ),
        migrations.AlterField(
            model_name="providerprofile",
            name="status",
            field=models.CharField(choices=STATUSES, default="applied", max_length=10),
        ),
        migrations.RemoveConstraint(
            model_name="providerprofile",
            name="provider_status_valid",
        ),
        migrations.AddConstraint(
            model_name="providerprofile",
            constraint=models.CheckConstraint(
                condition=models.Q(status__in=[value for value, _ in STATUSES]),
                name="provider_status_valid",
            ),
        ),
    ]
