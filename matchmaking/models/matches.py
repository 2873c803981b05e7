"""A need paired with a provider: the match and its states."""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import ProviderProfile
from matchmaking.constants import (
    COMPONENT_LABELS,
    LIVE_STATUSES,
    MATCH_STATUS_TAGS,
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

    def for_party(self, user):
        """Matches the user is on either side of."""
        return self.filter(
            Q(provider__user=user) | Q(need__requested_by=user) | Q(need__resident=user)
        )


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
    offered_to_several = models.BooleanField(
        default=False,
        help_text="Offered to several providers at once (an urgent need): the first to accept "
        "takes it and the others are stood down.",
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
            # An urgent need may be offered to several providers at once; only one of them
            # can ever take it, and otherwise a need has one live match at a time.
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(status__in=["proposed", "offered", "accepted", "active"])
                & Q(offered_to_several=False),
                name="match_one_live_per_need",
                violation_error_message="This need already has a live match.",
            ),
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(status__in=["accepted", "active"]),
                name="match_one_taken_per_need",
                violation_error_message="Someone else has already said yes to this request.",
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
    def has_visit_done(self):
        """Whether a visit of this match happened: from then on it can be rated."""
        return self.visits.filter(status="done").exists()

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


# The explanation is the engine's reasoning, written once with the offer and never changed,
# and it stays on the row: copying its 2.7 KB into every offer's audit entry doubled the
# cost of a batch allocation's audit (`manage.py bench allocation`) and told staff nothing new.
auditlog.register(Match, exclude_fields=["explanation"])
