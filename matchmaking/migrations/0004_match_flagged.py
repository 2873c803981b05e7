from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0003_ratings_concerns_blocks"),
    ]

    operations = [
        migrations.AddField(
            model_name="match",
            name="flagged",
            field=models.CharField(
                blank=True, help_text="Why staff should look at this live match.", max_length=240
            ),
        ),
    ]
