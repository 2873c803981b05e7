from django.db import models


class Area(models.Model):
    """A ward or neighbourhood. Council staff are scoped to areas."""

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(
        max_length=12, unique=True, help_text="ONS ward code, e.g. E05000001, or a local code."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
