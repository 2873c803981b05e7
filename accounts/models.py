import os
import re
import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from guardian.models import UserObjectPermissionBase
from phonenumber_field.modelfields import PhoneNumberField

from accounts.constants import (
    COMMISSIONERS_GROUP,
    COUNCIL_STAFF_GROUP,
    CheckKind,
    CheckStatus,
    ContactMethod,
    DbsLevel,
    DbsStatusResult,
    DbsWorkforce,
    DocumentKind,
    ProviderKind,
    ProviderStatus,
    Weekday,
)

# "rose.turner+kith@…" → "rose": the first word of an address's local part.
_EMAIL_WORD = re.compile(r"[._+\-0-9]+")


class EmailUserManager(UserManager):
    """Users are known by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)
    # The GOV.UK names pattern: the full name as one field (no first/last split)...
    full_name = models.CharField("full name", max_length=200, blank=True)
    # ...and `first_name` holds the name to be shown ("What should we call you?"), which
    # is what the other side of a match sees; it need not be the person's first name.
    first_name = models.CharField("name to be shown", max_length=150, blank=True)
    # Stored in E.164; a value from before validation that does not parse is kept as typed
    # until the person corrects it on "Your details".
    phone = PhoneNumberField("phone number", region="GB", blank=True)
    contact_method = models.CharField(
        "preferred contact method",
        max_length=10,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    # The language of their pages (from sign-in on), emails and texts: the header's switch
    # sets it; a new account takes the language its sign-up pages were in.
    language = models.CharField(
        "language", max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message="A user with this email address already exists.",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.display_name

    @property
    def display_name(self):
        """The name every page, email, API answer and admin list shows: never blank.

        An account from before names were asked falls back to the first word of the
        email address, so the other side of a match never learns more than a first name.
        """
        return (
            self.first_name
            or self.full_name.split(" ")[0]
            or _EMAIL_WORD.split(self.email.split("@")[0])[0].capitalize()
            or "Kith member"
        )

    @property
    def has_name(self):
        """Whether the person has told us both their full name and what to call them."""
        return bool(self.first_name.strip() and (self.full_name or self.last_name).strip())

    def in_group(self, name):
        # Uses the prefetch cache when the caller prefetched groups.
        return any(group.name == name for group in self.groups.all())

    @property
    def is_council_staff(self):
        return self.is_superuser or (self.is_staff and self.in_group(COUNCIL_STAFF_GROUP))

    @property
    def is_commissioner(self):
        return self.is_superuser or self.in_group(COMMISSIONERS_GROUP)


def provider_photo_path(instance, filename):
    # Never the uploader's file name: it may carry personal data or a misleading extension.
    return f"providers/{uuid.uuid4().hex}.jpg"


class ProviderProfileQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ProviderStatus.ACTIVE)


class ProviderProfile(models.Model):
    """A carer, home cook or peer supporter offering help."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_profile"
    )
    kind = models.CharField(max_length=10, choices=ProviderKind.choices)
    bio = models.TextField("about you", max_length=1000, blank=True)
    photo = models.ImageField(upload_to=provider_photo_path, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="Language codes spoken.")
    home_postcode = models.CharField(max_length=8)
    latitude = models.FloatField()
    longitude = models.FloatField()
    travel_radius_km = models.FloatField(validators=[MinValueValidator(0.5), MaxValueValidator(50)])
    capacity = models.PositiveSmallIntegerField(
        help_text="How many people you can help at the same time.",
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    status = models.CharField(
        max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.APPLIED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    # What the provider said when pausing (shown to staff): kept until they resume.
    pause_reason = models.CharField("reason for pausing", max_length=200, blank=True)
    # Trust figures, denormalised so the engine reads them with the candidate row.
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    offers_received = models.PositiveIntegerField(default=0)
    offers_accepted = models.PositiveIntegerField(default=0)
    matches_completed = models.PositiveIntegerField(default=0)
    # Visits of their matches that happened, and that did not (or were cancelled by them at
    # short notice): the engine's reliability counts each as one more settled step.
    visits_kept = models.PositiveIntegerField(default=0)
    visits_missed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__email"]
        indexes = [
            # The candidate query's bounding box: active providers by latitude, then longitude.
            models.Index(
                fields=["latitude", "longitude"],
                name="provider_active_geo",
                condition=Q(status="active"),
            ),
            models.Index(fields=["status", "kind"], name="provider_status_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="provider_latlon_in_range",
                violation_error_message="Latitude or longitude is out of range.",
            ),
            models.CheckConstraint(
                condition=Q(travel_radius_km__gt=0, travel_radius_km__lte=50),
                name="provider_radius_positive",
                violation_error_message="Travel radius must be more than 0 and at most 50 km.",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=20),
                name="provider_capacity_positive",
                violation_error_message="Capacity must be between 1 and 20.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProviderKind.values),
                name="provider_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProviderStatus.values),
                name="provider_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_kind_display()})"

    @property
    def is_active(self):
        return self.status == ProviderStatus.ACTIVE

    @property
    def is_checked_by_council(self):
        """Approved and in good standing: a pause is the provider's choice, not a doubt."""
        return self.status in (ProviderStatus.ACTIVE, ProviderStatus.PAUSED)

    @property
    def average_rating(self):
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None


class ProviderProfileUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE)


class Availability(models.Model):
    """A weekly window in which a provider can help."""

    provider = models.ForeignKey(
        ProviderProfile, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts_at"]
        verbose_name_plural = "availability"
        indexes = [
            # Who is free at a need's times (matchmaking.candidates): the windows of one
            # weekday starting before a slot ends, read from the index alone.
            models.Index(
                fields=["weekday", "starts_at", "ends_at", "provider"], name="availability_slot"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="availability_ends_after_start",
                violation_error_message="The end time must be after the start time.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="availability_weekday_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class TimeAway(models.Model):
    """Dates a provider is away (a holiday), first and last day included.

    The engine leaves them out of a need whose date falls in these dates (for weekly help,
    the date of its first visit): matchmaking.candidates and scoring's "away" filter.
    """

    provider = models.ForeignKey(
        ProviderProfile, on_delete=models.CASCADE, related_name="time_away"
    )
    starts_on = models.DateField("first day away")
    ends_on = models.DateField("last day away")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_on", "ends_on"]
        verbose_name = "dates away"
        verbose_name_plural = "dates away"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="time_away_ends_on_or_after_start",
                violation_error_message="The last day away must be on or after the first.",
            ),
        ]
        # The engine asks "who is away on this date?" among periods not yet over.
        indexes = [models.Index(fields=["ends_on", "starts_on"], name="time_away_ends_on")]

    def __str__(self):
        return f"{self.starts_on:%-d %B %Y} to {self.ends_on:%-d %B %Y}"


class CheckQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Verified and not expired on `day`."""
        return self.filter(status=CheckStatus.VERIFIED).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gte=day)
        )


class Check(models.Model):
    """A vetting record: one per provider and kind, renewed in place."""

    provider = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=24, choices=CheckKind.choices)
    status = models.CharField(
        max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    reference = models.CharField("certificate or reference number", max_length=64, blank=True)
    notes = models.TextField(blank=True)
    # PROTECT: a vetting decision keeps who made it; staff leave by being deactivated.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks_verified",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateField(null=True, blank=True)
    # Set when the provider and staff were warned that expiry is near; cleared on renewal.
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    # When staff last verified or rejected it; documents seen by that decision are deleted
    # DOCUMENT_RETENTION_DAYS later (accounts.documents.documents_prune).
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(
        blank=True, help_text="Shown to the provider, so they can put it right."
    )
    # What the DBS Update Service asks for before a status check (DBS checks only).
    dbs_certificate_number = models.CharField(
        "DBS certificate number",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{12}$", "A DBS certificate number is 12 digits")],
    )
    dbs_level = models.CharField("DBS level", max_length=16, choices=DbsLevel.choices, blank=True)
    dbs_workforce = models.CharField(
        "DBS workforce", max_length=8, choices=DbsWorkforce.choices, blank=True
    )
    dbs_update_service = models.BooleanField("subscribes to the DBS Update Service", default=False)
    dbs_status_check_consent = models.BooleanField("consents to status checks", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind"],
                name="check_one_per_kind",
                violation_error_message="This provider already has a check of this kind.",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified")
                | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="check_verified_has_verifier",
                violation_error_message="A verified check records who verified it and when.",
            ),
            models.CheckConstraint(condition=Q(kind__in=CheckKind.values), name="check_kind_valid"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="check_status_expiry")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_status_display()}"

    def is_valid_on(self, day):
        return self.status == CheckStatus.VERIFIED and (
            self.expires_at is None or self.expires_at >= day
        )


# Every change to these rows is kept: who, when, before and after.
auditlog.register(ProviderProfile, exclude_fields=["updated_at"])
auditlog.register(Check)
auditlog.register(Availability)
auditlog.register(TimeAway)


class PrivateDocumentStorage(FileSystemStorage):
    """Vetting documents: kept under PRIVATE_MEDIA_ROOT, which nothing serves as files.

    They leave only through the views that check who is asking (accounts.documents); the
    location is read on each use so tests (and a changed setting) point it elsewhere.
    """

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Vetting documents have no public address: serve them through a view.")


def private_documents():
    return PrivateDocumentStorage()


DOCUMENT_FOLDER = "documents"


def document_path(instance, filename):
    # Random and extension-only: the uploader's file name may carry personal data.
    return f"{DOCUMENT_FOLDER}/{uuid.uuid4().hex}.{instance.extension}"


class CheckDocument(models.Model):
    """A certificate a provider uploaded as evidence for one of their checks."""

    check_record = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    file = models.FileField(storage=private_documents, upload_to=document_path, max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["uploaded_at"], name="checkdocument_uploaded")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.uploaded_at:%-d %b %Y})"

    @property
    def extension(self):
        return {"application/pdf": "pdf", "image/png": "png"}.get(self.content_type, "jpg")


class DbsStatusCheck(models.Model):
    """One look at a DBS certificate through the Update Service, by council staff."""

    check_record = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="status_checks")
    checked_on = models.DateField()
    result = models.CharField(max_length=12, choices=DbsStatusResult.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=DbsStatusResult.values), name="dbs_status_result_valid"
            )
        ]

    def __str__(self):
        return f"{self.checked_on:%-d %b %Y}: {self.get_result_display()}"


auditlog.register(CheckDocument, exclude_fields=["file"])
auditlog.register(DbsStatusCheck)
