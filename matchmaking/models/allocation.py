"""Batch allocation runs: what was asked, what came out, how long it took."""

from django.conf import settings
from django.db import models


class AllocationRun(models.Model):
    """A batch allocation: scope, parameters, figures and duration."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    programme = models.ForeignKey(
        "services.Programme", on_delete=models.SET_NULL, null=True, blank=True
    )
    area = models.ForeignKey("services.Area", on_delete=models.SET_NULL, null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Allocation run {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"
