from auditlog.registry import auditlog
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import ProviderProfile
from matchmaking.constants import (
    COMPONENT_LABELS,
    LIVE_STATUSES,
    MATCH_STATUS_TAGS,
    ConcernKind,
    ConcernStatus,
    DeclinedBy,
    MatchStatus,
    ProposedBy,
    RaterRole,
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
    flagged = models.CharField(
        max_length=240, blank=True, help_text="Why staff should look at this live match."
    )
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
            models.Index(fields=["-created_at"], name="match_created"),
        ]

    def __str__(self):
        return f"{self.need.reference} → {self.provider} ({self.get_status_display()})"

    @property
    def is_live(self):
        return self.status in LIVE_STATUSES

    @property
    def status_tag(self):
        return MATCH_STATUS_TAGS.get(self.status, "govuk-tag--grey")

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


class Rating(models.Model):
    """After a completed match each side rates the other once (1–5, with a comment)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings_given"
    )
    rater_role = models.CharField(max_length=10, choices=RaterRole.choices)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=1000, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=240, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "rater_role"],
                name="rating_once_per_side",
                violation_error_message="This side has already rated this match.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="rating_score_1_to_5",
                violation_error_message="A rating is from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(hidden=False) | ~Q(hidden_reason=""),
                name="rating_hidden_has_reason",
                violation_error_message="Hiding a rating needs a reason.",
            ),
        ]
        indexes = [models.Index(fields=["match", "hidden"], name="rating_match_visible")]

    def __str__(self):
        return f"{self.score}/5 by the {self.rater_role} on {self.match_id}"


class ConcernQuerySet(models.QuerySet):
    def queue(self):
        """Open concerns, urgent first, then oldest first: the staff queue."""
        return self.filter(status=ConcernStatus.OPEN).order_by("-urgent", "created_at")


class Concern(models.Model):
    """A safeguarding or conduct report about a match or a person."""

    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_raised"
    )
    match = models.ForeignKey(
        Match, on_delete=models.PROTECT, null=True, blank=True, related_name="concerns"
    )
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns_about",
    )
    kind = models.CharField(max_length=16, choices=ConcernKind.choices)
    urgent = models.BooleanField(default=False)
    description = models.TextField(max_length=4000)
    status = models.CharField(
        max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-urgent", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(match__isnull=False) | Q(about__isnull=False),
                name="concern_has_a_subject",
                violation_error_message="A concern is about a match or a person.",
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(resolved_by__isnull=False, resolved_at__isnull=False),
                name="concern_resolved_has_resolver",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-urgent", "created_at"],
                name="concern_open_queue",
                condition=Q(status="open"),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({'urgent' if self.urgent else 'routine'})"


class Block(models.Model):
    """Never match this resident with this provider again."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks"
    )
    provider = models.ForeignKey(
        ProviderProfile, on_delete=models.CASCADE, related_name="blocked_by"
    )
    reason = models.CharField(max_length=240, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "provider"],
                name="block_once_per_pair",
                violation_error_message="This pair is already blocked.",
            )
        ]

    def __str__(self):
        return f"{self.resident} ✕ {self.provider}"


auditlog.register(Match)
auditlog.register(Rating)
auditlog.register(Concern)
auditlog.register(Block)


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
