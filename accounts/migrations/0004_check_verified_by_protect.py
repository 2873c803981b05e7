import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_providers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="check",
            name="verified_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="checks_verified",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
