from django.db import models

COUNCIL_STAFF_GROUP = "Council staff"
COMMISSIONERS_GROUP = "Commissioners"
ROLE_GROUPS = (COUNCIL_STAFF_GROUP, COMMISSIONERS_GROUP)
# Borough-wide: every concern and the suspensions and blocks that follow from one, in
# every area (seeded by accounts.0006; a lead is usually also "Council staff" of a ward).
SAFEGUARDING_LEADS_GROUP = "Safeguarding leads"


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    PROVIDER = "provider", "Provider"
    STAFF = "staff", "Council staff"
    COMMISSIONER = "commissioner", "Commissioner"


class ProviderKind(models.TextChoices):
    CARER = "carer", "Carer"
    COOK = "cook", "Home cook"
    PEER = "peer", "Peer supporter"


class ProviderStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REJECTED = "rejected", "Rejected"
    # The provider's own choice (a holiday): out of the engine until they resume.
    PAUSED = "paused", "Paused by the provider"


class ContactMethod(models.TextChoices):
    """How a person would rather the council reached them."""

    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    PHONE = "phone", "Phone call"


class CheckKind(models.TextChoices):
    # Personal care is regulated activity with adults: enhanced DBS with the adults' barred list.
    DBS_ENHANCED_BARRED = "dbs_enhanced_barred", "Enhanced DBS check with adults' barred list"
    DBS_BASIC = "dbs_basic", "Basic DBS check"
    IDENTITY = "identity", "Proof of identity"
    REFERENCE = "reference", "Character reference"
    FOOD_HYGIENE = "food_hygiene", "Food hygiene certificate (level 2)"
    DRIVING = "driving", "Driving licence and business insurance"


class CheckStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the council"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


LANGUAGES = [
    ("en", "English"),
    ("ar", "Arabic"),
    ("bn", "Bengali"),
    ("zh", "Chinese"),
    ("gu", "Gujarati"),
    ("pl", "Polish"),
    ("pa", "Punjabi"),
    ("ro", "Romanian"),
    ("so", "Somali"),
    ("es", "Spanish"),
    ("ta", "Tamil"),
    ("tr", "Turkish"),
    ("ur", "Urdu"),
    ("cy", "Welsh"),
    ("bsl", "British Sign Language"),
]


class DocumentKind(models.TextChoices):
    """Certificates a provider can upload; each is evidence for one check (DOCUMENT_CHECKS)."""

    DBS_CERTIFICATE = "dbs_certificate", "DBS certificate"
    FOOD_HYGIENE = "food_hygiene", "Food hygiene certificate"
    DRIVING_LICENCE = "driving_licence", "Driving licence"
    INSURANCE = "insurance", "Business insurance for driving"


class DbsLevel(models.TextChoices):
    BASIC = "basic", "Basic"
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced"
    ENHANCED_BARRED = "enhanced_barred", "Enhanced with the adults' barred list"


class DbsWorkforce(models.TextChoices):
    ADULT = "adult", "Adult workforce"
    CHILD = "child", "Child workforce"
    BOTH = "both", "Adult and child workforce"


class DbsStatusResult(models.TextChoices):
    """What the DBS Update Service answers to a status check."""

    CURRENT = "current", "Current: no new information"
    NOT_CURRENT = "not_current", "No longer current: a new check is needed"
    NOT_FOUND = "not_found", "Details did not match a certificate"
