from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import ProviderProfile
from matchmaking.constants import LIVE_STATUSES, DeclinedBy, MatchStatus, ProposedBy
from services.models import Need


class MatchQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)


class Match(models.Model):
    """A need paired with a provider, from proposal to completion."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    provider = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="matches")
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    score = models.FloatField(default=0)
    explanation = models.JSONField(default=dict, blank=True)
    proposed_by = models.CharField(
        max_length=10, choices=ProposedBy.choices, default=ProposedBy.ENGINE
    )
    proposed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    staff_reason = models.CharField(max_length=240, blank=True)
    declined_by = models.CharField(max_length=10, choices=DeclinedBy.choices, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(max_length=240, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "matches"
        constraints = [
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(status__in=["proposed", "offered", "accepted", "active"]),
                name="match_one_live_per_need",
                violation_error_message="This need already has a live match.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MatchStatus.values), name="match_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(expires_at__isnull=False),
                name="match_offer_has_expiry",
                violation_error_message="An offer must say when it expires.",
            ),
        ]
        indexes = [
            # expire_offers polls this: offers not yet answered, by expiry.
            models.Index(
                fields=["expires_at"], name="match_offered_expiry", condition=Q(status="offered")
            ),
            models.Index(fields=["provider", "status"], name="match_provider_status"),
            models.Index(fields=["provider", "offered_at"], name="match_provider_offered"),
        ]

    def __str__(self):
        return f"{self.need.reference} → {self.provider} ({self.get_status_display()})"

    @property
    def is_live(self):
        return self.status in LIVE_STATUSES


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
