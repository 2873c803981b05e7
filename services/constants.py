from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # waiting for council staff to check it
    OPEN = "open", _("Looking for a helper")
    MATCHED = "matched", _("Matched")
    FULFILLED = "fulfilled", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


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
    ONE_OFF = "one_off", _("Once, on a particular day")
    WEEKLY = "weekly", _("Every week")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("In the next few weeks")
    SOON = "soon", _("This week")
    URGENT = "urgent", _("In the next day or two")


class Channel(models.TextChoices):
    SELF = "self", _("Asked for themselves")
    REFERRAL = "referral", _("Referred by someone else")
    PHONE = "phone", _("Taken by council staff (phone or in person)")


class ReferrerRole(models.TextChoices):
    RELATIVE = "relative", _("Relative or friend")
    GP = "gp", _("GP practice or health worker")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    CHARITY = "charity", _("Charity or community group")
    OTHER = "other", _("Other")


class Consent(models.TextChoices):
    GIVEN = "given", _("They agreed to this request")
    BEST_INTEREST = "best_interest", _("They cannot agree, and it is in their best interest")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TAKEN = "taken", _("Taken")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
