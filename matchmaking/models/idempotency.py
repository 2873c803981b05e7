"""API writes sent with an Idempotency-Key, and the answers they got."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


class IdempotencyKey(models.Model):
    """An API write sent with an `Idempotency-Key` header, and the answer it got.

    A retry with the same key gets the stored answer instead of making a second row.
    `status_code` is empty while the first request is still running.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=128)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    # Set again when an abandoned request is taken over, so it is not taken over twice.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="idempotency_key_once_per_user",
                violation_error_message="This idempotency key has already been used.",
            ),
            models.CheckConstraint(
                condition=Q(status_code__isnull=True, response__isnull=True)
                | Q(status_code__gte=200, status_code__lt=300, response__isnull=False),
                name="idempotency_key_stores_a_success",
                violation_error_message="Only a successful answer is stored, with its body.",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"
