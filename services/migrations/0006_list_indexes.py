from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0005_role_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["-created_at"], name="need_created"),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["area", "-created_at"], name="need_area_created"),
        ),
    ]
