"""Text messages (GOV.UK Notify): a person's confirmed phone number and each text sent."""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

from matchmaking.constants import DeliveryStatus
from matchmaking.models.notifications import Notification


class TextNumber(models.Model):
    """The number a person gets texts on, once confirmed (the GOV.UK "confirm a phone
    number" pattern), and whether email should still come too."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="text_number"
    )
    # E.164; the number the code went to is the number that gets confirmed.
    phone = models.CharField(max_length=20)
    email_too = models.BooleanField(default=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Only a hash of the code is kept: whoever reads the database cannot confirm with it.
    code_hash = models.CharField(max_length=128, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Notify said the number cannot receive texts (permanent failure): none are sent to it.
    failed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Text number of user {self.user_id}"

    @property
    def can_receive(self):
        return self.confirmed_at is not None and self.failed_at is None


class TextDelivery(models.Model):
    """One text sent through Notify and what Notify last said about it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="text_deliveries"
    )
    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="text_deliveries",
        help_text="Empty for confirmation codes.",
    )
    phone = models.CharField(max_length=20)
    notify_id = models.CharField(max_length=36, blank=True)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "text deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notify_id"],
                condition=~Q(notify_id=""),
                name="text_delivery_notify_id_unique",
            )
        ]

    def __str__(self):
        return f"Text {self.pk}: {self.get_status_display()}"


# Who changed a number's confirmation or stop, and when (never the code's hash).
auditlog.register(TextNumber, exclude_fields=["code_hash"])
auditlog.register(TextDelivery)
