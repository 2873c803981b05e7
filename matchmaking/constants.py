from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")  # suggested by the engine or staff, not yet sent
    OFFERED = "offered", _("Offered to the provider")
    ACCEPTED = "accepted", _("Accepted by the provider")  # waiting for the resident to confirm
    ACTIVE = "active", _("Active")  # both sides agreed: contact details shared
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


# The GOV.UK tag colour that shows each status at a glance.
MATCH_STATUS_TAGS = {
    MatchStatus.OFFERED: "govuk-tag--yellow",
    MatchStatus.ACCEPTED: "govuk-tag--blue",
    MatchStatus.ACTIVE: "govuk-tag--green",
    MatchStatus.COMPLETED: "govuk-tag--turquoise",
}

# At most one of these per need (a database constraint), and each counts against capacity.
LIVE_STATUSES = (
    MatchStatus.PROPOSED,
    MatchStatus.OFFERED,
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
)
# Statuses that hold one of the provider's places when the engine looks for someone free.
CAPACITY_STATUSES = (MatchStatus.OFFERED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
# Commitments: a provider can never accept more of these than their capacity.
COMMITTED_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE)


class ProposedBy(models.TextChoices):
    ENGINE = "engine", _("Matching engine")
    ALLOCATION = "allocation", _("Batch allocation")
    STAFF = "staff", _("Council staff")


class DeclinedBy(models.TextChoices):
    PROVIDER = "provider", _("Provider")
    RESIDENT = "resident", _("Resident (asked for someone else)")


# What each score component means, for residents and staff reading an explanation.
COMPONENT_LABELS = {
    "proximity": "Lives nearby",
    "trust": "Ratings from other people",
    "reliability": "Keeps their commitments",
    "availability": "Free at the times needed",
    "continuity": "Has helped before",
    "language": "Speaks the preferred language",
    "load": "Has time to spare",
    "fairness": "Shares the work fairly",
}


class RaterRole(models.TextChoices):
    RESIDENT = "resident", _("Resident (about the provider)")
    PROVIDER = "provider", _("Provider (about the resident)")


class ConcernKind(models.TextChoices):
    SAFEGUARDING = "safeguarding", _("Safeguarding (someone may be at risk of harm)")
    NO_SHOW = "no_show", _("Did not turn up")
    CONDUCT = "conduct", _("Behaviour or conduct")
    OTHER = "other", _("Something else")


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


# A rating can be changed for this long after it is first given.
RATING_EDIT_DAYS = 7


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    MISSED = "missed", _("Did not happen")
    CANCELLED_BY_RESIDENT = "cancelled_by_resident", _("Cancelled by the resident's side")
    CANCELLED_BY_PROVIDER = "cancelled_by_provider", _("Cancelled by the helper")


VISIT_STATUS_TAGS = {
    VisitStatus.PLANNED: "govuk-tag--blue",
    VisitStatus.DONE: "govuk-tag--green",
    VisitStatus.MISSED: "govuk-tag--red",
    VisitStatus.CANCELLED_BY_RESIDENT: "govuk-tag--grey",
    VisitStatus.CANCELLED_BY_PROVIDER: "govuk-tag--orange",
}

# How far ahead a weekly match's visits are planned.
VISIT_PLANNING_WEEKS = 4
# A provider who cancels with less notice than this has, for reliability, missed the visit.
VISIT_SHORT_NOTICE_HOURS = 24


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "day_before", _("The day before")
    TWO_HOURS = "two_hours", _("Two hours before")


class DeliveryStatus(models.TextChoices):
    """A text's state, in GOV.UK Notify's words (its callbacks send these)."""

    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    PERMANENT_FAILURE = "permanent-failure", _("Not delivered: the number cannot get texts")
    TEMPORARY_FAILURE = "temporary-failure", _("Not delivered: the phone was off or out of reach")
    TECHNICAL_FAILURE = "technical-failure", _("Not delivered: a fault at GOV.UK Notify")
    NOT_SENT = "not-sent", _("Not sent: GOV.UK Notify refused it")


class NotifyBy(models.TextChoices):
    """How a person chose to be told: by email, by text or both."""

    EMAIL = "email", _("Email")
    TEXT = "text", _("Text message")
    BOTH = "both", _("Both email and text message")


class OfferProposalStatus(models.TextChoices):
    """A provider's one-off offer as put to one resident (matchmaking.offer_proposals)."""

    PROPOSED = "proposed", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    GONE = "gone", _("Taken by someone else")
    CLOSED = "closed", _("Offer withdrawn or expired")
