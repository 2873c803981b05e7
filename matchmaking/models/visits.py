"""An active match's occurrences (visits), the reminders sent for them, and calendar feeds."""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from matchmaking.constants import VISIT_STATUS_TAGS, ReminderKind, VisitStatus
from matchmaking.models.matches import Match


class VisitQuerySet(models.QuerySet):
    def for_person(self, user):
        """Visits of matches the user is in, on either side."""
        return self.filter(
            Q(match__provider__user=user)
            | Q(match__need__requested_by=user)
            | Q(match__need__resident=user)
        )


class Visit(models.Model):
    """One time the provider is due to help (one for a one-off need, one per weekly slot)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="visits")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=24, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    notice_hours = models.FloatField(
        null=True, blank=True, help_text="How many hours before the start it was cancelled."
    )
    flagged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the resident's side said it did not happen."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            # plan_visits may run twice, or on two workers: the second one adds nothing.
            models.UniqueConstraint(
                fields=["match", "starts_at"],
                name="visit_one_per_match_start",
                violation_error_message="This match already has a visit at that time.",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="visit_ends_after_start",
                violation_error_message="A visit must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VisitStatus.values), name="visit_status_valid"
            ),
        ]
        indexes = [
            # send_reminders polls this: planned visits by start.
            models.Index(
                fields=["starts_at"], name="visit_planned_start", condition=Q(status="planned")
            ),
            models.Index(fields=["match", "starts_at"], name="visit_match_start"),
        ]

    def __str__(self):
        return f"{self.match_id} at {self.starts_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def status_tag(self):
        return VISIT_STATUS_TAGS.get(self.status, "govuk-tag--grey")


class VisitReminder(models.Model):
    """A reminder claimed for one person and one visit: the row is the claim, so a second
    run (or a second worker) that tries to insert it again sends nothing."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "user", "kind"], name="visit_reminder_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder of visit {self.visit_id}"


class CalendarFeed(models.Model):
    """A person's secret calendar URL; only a hash of the token is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar feed of user {self.user_id}"


auditlog.register(Visit)
