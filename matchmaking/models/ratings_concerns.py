"""After and around a match: ratings, safeguarding concerns and blocks."""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import ProviderProfile
from matchmaking.constants import (
    ConcernKind,
    ConcernStatus,
    RaterRole,
)
from matchmaking.models.matches import Match


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
    # Others see the comment only once staff of the area approved it (the score counts at
    # once); changing the comment asks for approval again.
    comment_approved_at = models.DateTimeField(null=True, blank=True)
    comment_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
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


auditlog.register(Rating)
auditlog.register(Concern)
auditlog.register(Block)
