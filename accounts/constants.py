from django.db import models
from django.utils.translation import gettext_lazy as _

COUNCIL_STAFF_GROUP = "Council staff"
COMMISSIONERS_GROUP = "Commissioners"
ROLE_GROUPS = (COUNCIL_STAFF_GROUP, COMMISSIONERS_GROUP)
# Borough-wide: every concern and the suspensions and blocks that follow from one, in
# every area (seeded by accounts.0006; a lead is usually also "Council staff" of a ward).
SAFEGUARDING_LEADS_GROUP = "Safeguarding leads"


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    PROVIDER = "provider", _("Provider")
    STAFF = "staff", _("Council staff")
    COMMISSIONER = "commissioner", _("Commissioner")


class ProviderKind(models.TextChoices):
    CARER = "carer", _("Carer")
    COOK = "cook", _("Home cook")
    PEER = "peer", _("Peer supporter")


class ProviderStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REJECTED = "rejected", _("Rejected")
    # The provider's own choice (a holiday): out of the engine until they resume.
    PAUSED = "paused", _("Paused by the provider")


class ContactMethod(models.TextChoices):
    """How a person would rather the council reached them."""

    EMAIL = "email", _("Email")
    TEXT = "text", _("Text message")
    PHONE = "phone", _("Phone call")


class CheckKind(models.TextChoices):
    # Personal care is regulated activity with adults: enhanced DBS with the adults' barred list.
    DBS_ENHANCED_BARRED = "dbs_enhanced_barred", _("Enhanced DBS check with adults' barred list")
    DBS_BASIC = "dbs_basic", _("Basic DBS check")
    IDENTITY = "identity", _("Proof of identity")
    REFERENCE = "reference", _("Character reference")
    FOOD_HYGIENE = "food_hygiene", _("Food hygiene certificate (level 2)")
    DRIVING = "driving", _("Driving licence and business insurance")


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the council")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


# The languages a need may ask for and a provider may speak (not the site's own: those
# are settings.LANGUAGES); their names are shown in the reader's language.
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("bn", _("Bengali")),
    ("zh", _("Chinese")),
    ("gu", _("Gujarati")),
    ("pl", _("Polish")),
    ("pa", _("Punjabi")),
    ("ro", _("Romanian")),
    ("so", _("Somali")),
    ("es", _("Spanish")),
    ("ta", _("Tamil")),
    ("tr", _("Turkish")),
    ("ur", _("Urdu")),
    ("cy", _("Welsh")),
    ("bsl", _("British Sign Language")),
]


class DocumentKind(models.TextChoices):
    """Certificates a provider can upload; each is evidence for one check (DOCUMENT_CHECKS)."""

    DBS_CERTIFICATE = "dbs_certificate", _("DBS certificate")
    FOOD_HYGIENE = "food_hygiene", _("Food hygiene certificate")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    INSURANCE = "insurance", _("Business insurance for driving")


class DbsLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    STANDARD = "standard", _("Standard")
    ENHANCED = "enhanced", _("Enhanced")
    ENHANCED_BARRED = "enhanced_barred", _("Enhanced with the adults' barred list")


class DbsWorkforce(models.TextChoices):
    ADULT = "adult", _("Adult workforce")
    CHILD = "child", _("Child workforce")
    BOTH = "both", _("Adult and child workforce")


class DbsStatusResult(models.TextChoices):
    """What the DBS Update Service answers to a status check."""

    CURRENT = "current", _("Current: no new information")
    NOT_CURRENT = "not_current", _("No longer current: a new check is needed")
    NOT_FOUND = "not_found", _("Details did not match a certificate")
