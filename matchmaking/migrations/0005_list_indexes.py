from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_check_expiry_warned_at"),
        ("matchmaking", "0004_match_flagged"),
        ("services", "0006_list_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="match",
            index=models.Index(fields=["-created_at"], name="match_created"),
        ),
    ]
