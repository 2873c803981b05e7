"""Providers' one-off offers on their way to residents: who asked to hear of them, and to
whom each offer was put (matchmaking.offer_proposals makes and answers these)."""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

from matchmaking.constants import OfferProposalStatus
from matchmaking.models.matches import Match
from services.models import LATLON_IN_RANGE, Area, Category, Need, Offer


class OfferAlert(models.Model):
    """A resident's wish to hear of providers' one-off offers of one kind of help near home.

    The address stays private as a need's does: a provider reads it only once the match
    made from an offer is active.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offer_alerts"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="offer_alerts")
    postcode = models.CharField(max_length=8)
    latitude = models.FloatField()
    longitude = models.FloatField()
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="offer_alerts")
    address = models.TextField(max_length=400)
    dietary_needs = models.CharField(max_length=240, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category__position", "category__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"],
                name="offeralert_one_per_category",
                violation_error_message="You already hear about offers of this kind.",
            ),
            models.CheckConstraint(condition=LATLON_IN_RANGE, name="offeralert_latlon_in_range"),
        ]
        indexes = [
            # Reverse ranking reads the alerts of one category inside a bounding box.
            models.Index(fields=["category", "latitude", "longitude"], name="offeralert_geo"),
        ]

    def __str__(self):
        return f"{self.user} hears of {self.category}"


class OfferProposalQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=OfferProposalStatus.PROPOSED)


class OfferProposal(models.Model):
    """One provider's offer put to one resident; the first of an offer's proposals to be
    accepted takes the offer and becomes `match`."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="proposals")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offer_proposals"
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offer_proposals",
        help_text="The resident's open request this offer would meet, when they had one.",
    )
    alert = models.ForeignKey(
        OfferAlert,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        help_text="The resident's wish to hear of offers, when proposed through it.",
    )
    status = models.CharField(
        max_length=10, choices=OfferProposalStatus.choices, default=OfferProposalStatus.PROPOSED
    )
    score = models.FloatField(default=0)
    explanation = models.JSONField(default=dict, blank=True)
    match = models.OneToOneField(
        Match, on_delete=models.SET_NULL, null=True, blank=True, related_name="offer_proposal"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = OfferProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "resident"],
                name="offerproposal_once_per_resident",
                violation_error_message="This offer was already put to this resident.",
            ),
            # The database's own guard on the race: at most one proposal takes an offer.
            models.UniqueConstraint(
                fields=["offer"],
                condition=Q(status="accepted"),
                name="offerproposal_one_accepted",
                violation_error_message="Someone else has already taken this offer.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OfferProposalStatus.values),
                name="offerproposal_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(match__isnull=False),
                name="offerproposal_accepted_has_match",
            ),
        ]
        indexes = [
            models.Index(fields=["resident", "-created_at"], name="offerproposal_resident"),
        ]

    def __str__(self):
        return f"{self.offer} → {self.resident} ({self.get_status_display()})"

    @property
    def distance_km(self):
        return self.explanation.get("distance_km")


auditlog.register(OfferAlert)
auditlog.register(OfferProposal)
