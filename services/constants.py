from django.db import models


class NeedStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"  # waiting for council staff to check it
    OPEN = "open", "Looking for a helper"
    MATCHED = "matched", "Matched"
    FULFILLED = "fulfilled", "Done"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


# The GOV.UK tag colour that shows each status at a glance.
NEED_STATUS_TAGS = {
    NeedStatus.SUBMITTED: "govuk-tag--yellow",
    NeedStatus.OPEN: "govuk-tag--blue",
    NeedStatus.MATCHED: "govuk-tag--green",
    NeedStatus.FULFILLED: "govuk-tag--turquoise",
}

# A resident can still change or withdraw a need in these states.
NEED_EDITABLE = (NeedStatus.SUBMITTED, NeedStatus.OPEN)
NEED_FINAL = (NeedStatus.FULFILLED, NeedStatus.WITHDRAWN, NeedStatus.CLOSED)


class Schedule(models.TextChoices):
    ONE_OFF = "one_off", "Once, on a particular day"
    WEEKLY = "weekly", "Every week"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "In the next few weeks"
    SOON = "soon", "This week"
    URGENT = "urgent", "In the next day or two"


class Channel(models.TextChoices):
    SELF = "self", "Asked for themselves"
    REFERRAL = "referral", "Referred by someone else"
    PHONE = "phone", "Taken by council staff (phone or in person)"


class ReferrerRole(models.TextChoices):
    RELATIVE = "relative", "Relative or friend"
    GP = "gp", "GP practice or health worker"
    SOCIAL_WORKER = "social_worker", "Social worker"
    CHARITY = "charity", "Charity or community group"
    OTHER = "other", "Other"


class Consent(models.TextChoices):
    GIVEN = "given", "They agreed to this request"
    BEST_INTEREST = "best_interest", "They cannot agree, and it is in their best interest"


class OfferStatus(models.TextChoices):
    OPEN = "open", "Open"
    TAKEN = "taken", "Taken"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
