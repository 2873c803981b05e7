from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import ProviderProfile
from matchmaking.constants import (
    COMPONENT_LABELS,
    LIVE_STATUSES,
    DeclinedBy,
    MatchStatus,
    ProposedBy,
)
from services.models import Need


class MatchQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def for_provider(self, user):
        return self.filter(provider__user=user)

    def for_resident(self, user):
        return self.filter(Q(need__requested_by=user) | Q(need__resident=user))


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

    @property
    def shares_contact_details(self):
        """Address and phone go to the provider only while both sides have agreed."""
        return self.status == MatchStatus.ACTIVE

    @property
    def distance_km(self):
        return self.explanation.get("distance_km")

    def component_rows(self):
        """(label, value 0–1, percentage, weight) per score component, for people to read."""
        components = self.explanation.get("components", {})
        return [
            (
                COMPONENT_LABELS.get(name, name),
                part["value"],
                round(part["value"] * 100),
                part["weight"],
            )
            for name, part in components.items()
        ]


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


class Notification(models.Model):
    """Something a person should know or act on; also sent by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(
                fields=["user"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.message


auditlog.register(Match)
