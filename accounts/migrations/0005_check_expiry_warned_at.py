from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_check_verified_by_protect"),
    ]

    operations = [
        migrations.AddField(
            model_name="check",
            name="expiry_warned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
