import functools
import secrets

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.constants import CheckKind, ProviderKind, Weekday
from accounts.models import ProviderProfile
from services.constants import (
    NEED_STATUS_TAGS,
    Channel,
    Consent,
    NeedStatus,
    OfferStatus,
    ReferrerRole,
    Schedule,
    Urgency,
)

LATLON_IN_RANGE = Q(latitude__gte=-90, latitude__lte=90) & Q(
    longitude__gte=-180, longitude__lte=180
)


class Area(models.Model):
    """A ward or neighbourhood. Council staff are scoped to areas."""

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(
        max_length=12, unique=True, help_text="ONS ward code, e.g. E05000001, or a local code."
    )

    class Meta:
        ordering = ["name"]
        # Granted per area (guardian object permission), never model-wide: a model-wide grant
        # would open every area.
        permissions = [
            ("work_in_area", "Can work on needs, providers and matches in this area"),
        ]

    def __str__(self):
        return self.name


class AreaUserObjectPermission(UserObjectPermissionBase):
    """A person's grant on one area (direct foreign key: scoping joins on it, no casts)."""

    content_object = models.ForeignKey(Area, on_delete=models.CASCADE)


class AreaGroupObjectPermission(GroupObjectPermissionBase):
    """A group's grant on one area, e.g. a ward team."""

    content_object = models.ForeignKey(Area, on_delete=models.CASCADE)


class Postcode(models.Model):
    """A normalised postcode ("SW1A 1AA") and where it is."""

    code = models.CharField(max_length=8, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    ward_code = models.CharField(max_length=12, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="postcodes"
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=LATLON_IN_RANGE, name="postcode_latlon_in_range")
        ]

    def __str__(self):
        return self.code


class Category(models.Model):
    """A kind of help: which provider kinds may give it and which checks they need."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=240, blank=True)
    allowed_kinds = models.JSONField(default=list, help_text="Provider kinds that may serve it.")
    required_checks = models.JSONField(
        default=list, blank=True, help_text="Check kinds a provider needs, verified and in date."
    )
    position = models.PositiveSmallIntegerField(default=0)
    providers = models.ManyToManyField(ProviderProfile, blank=True, related_name="skills")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def allows(self, kind):
        return kind in self.allowed_kinds

    def required_check_labels(self):
        # Plain strings (in the current language): callers join them into sentences.
        return [str(CheckKind(kind).label) for kind in self.required_checks]

    def allowed_kind_labels(self):
        return [str(ProviderKind(kind).label) for kind in self.allowed_kinds]


class Programme(models.Model):
    """A commissioned service: what, where, budget, dates, targets and matching rules."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    categories = models.ManyToManyField(Category, related_name="programmes")
    areas = models.ManyToManyField(Area, related_name="programmes")
    budget = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    actual_spend = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Money actually spent so far, from the finance system (not the budget). "
        "Empty until it is recorded.",
    )
    spend_as_at = models.DateField(
        null=True, blank=True, help_text="The date the actual spend was last brought up to date."
    )
    draft_weights = models.JSONField(
        null=True,
        blank=True,
        help_text="Scoring weights being tried out; the engine uses them only once published.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    target_residents = models.PositiveIntegerField(default=0)
    max_distance_km = models.FloatField(
        default=10, validators=[MinValueValidator(0.5), MaxValueValidator(100)]
    )
    weights = models.JSONField(
        default=dict, blank=True, help_text="Scoring weights; empty means the engine's defaults."
    )
    is_active = models.BooleanField(default=True)
    offer_proposals = models.PositiveSmallIntegerField(
        "residents each offer is proposed to",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many residents a provider's one-off offer is put to at once; "
        "the first to accept takes it.",
    )
    alert_several = models.BooleanField(
        "alert several providers at once",
        default=False,
        help_text="Offer every request of this programme to several providers at once, as "
        "urgent requests always are: the first to accept takes it.",
    )
    urgent_alert_count = models.PositiveSmallIntegerField(
        "providers alerted at once",
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text="How many providers an urgent request is offered to at the same time.",
    )
    urgent_window_minutes = models.PositiveSmallIntegerField(
        "minutes to answer an urgent request",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text="When nobody alerted says yes within this time, the next providers are alerted.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_start",
                violation_error_message="The end date must be on or after the start date.",
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="programme_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(actual_spend__isnull=True) | Q(actual_spend__gte=0),
                name="programme_spend_not_negative",
                violation_error_message="The actual spend cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(max_distance_km__gt=0),
                name="programme_max_distance_positive",
                violation_error_message="The maximum distance must be more than 0 km.",
            ),
            models.CheckConstraint(
                condition=Q(urgent_alert_count__gte=2, urgent_alert_count__lte=20),
                name="programme_urgent_alert_count_range",
                violation_error_message="Alert between 2 and 20 providers at once.",
            ),
            models.CheckConstraint(
                condition=Q(urgent_window_minutes__gte=5),
                name="programme_urgent_window_minimum",
                violation_error_message="Give providers at least 5 minutes to answer.",
            ),
        ]

    def __str__(self):
        return self.name


class UnitCost(models.Model):
    """What the council would pay to provide one unit of a category itself (a meal, an hour
    of home care), with where the figure comes from: the basis of the "estimated cost of
    equivalent council provision"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="unit_costs")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="unit_costs")
    cost = models.DecimalField(
        "cost per unit (£)", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(
        max_length=60,
        help_text='What one visit done stands for, e.g. "a meal", "an hour of home care".',
    )
    source = models.CharField(
        max_length=300,
        help_text='Where the figure comes from, e.g. "PSSRU Unit Costs 2024, table 11.6".',
    )

    class Meta:
        ordering = ["programme", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "category"],
                name="unit_cost_one_per_category",
                violation_error_message="This programme already has a unit cost for the category.",
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="unit_cost_not_negative",
                violation_error_message="A unit cost cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.category}: £{self.cost} per {self.unit}"


def new_reference():
    # No 0/O, 1/I/L: residents read references out over the phone.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "KTH-" + "".join(secrets.choice(alphabet) for _ in range(6))


class NeedQuerySet(models.QuerySet):
    def owned_by(self, user):
        """Needs the user asked for, or asked for on their behalf."""
        return self.filter(Q(requested_by=user) | Q(resident=user))


@functools.lru_cache(maxsize=2048)
def _day_label(day, language):
    """ "Thu 3 Dec 2026" in `language` (the active one, passed so the memo keys on it): a batch
    of offers names the same few days thousands of times, and date_format looks the format
    up on every call."""
    return date_format(day, "D j M Y")


class Need(models.Model):
    """A request for help. The exact address and phone stay private until a match is active."""

    reference = models.CharField(max_length=10, unique=True, default=new_reference, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests_made"
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        help_text="The account of the person who gets help, when they have one.",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SELF)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="needs")
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="needs"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="needs")
    details = models.TextField("what help is needed", max_length=2000)
    schedule = models.CharField(max_length=10, choices=Schedule.choices)
    on_date = models.DateField(null=True, blank=True)
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    postcode = models.CharField(max_length=8)
    latitude = models.FloatField()
    longitude = models.FloatField()
    language = models.CharField(max_length=8, blank=True)
    language_required = models.BooleanField(default=False)
    dietary_needs = models.CharField(max_length=240, blank=True)
    notes_for_provider = models.TextField(max_length=1000, blank=True)
    # Private: shown to a provider only once both sides have accepted the match.
    contact_name = models.CharField(max_length=120)
    address = models.TextField(max_length=400)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    # Asking on someone's behalf.
    referrer_name = models.CharField(max_length=120, blank=True)
    referrer_organisation = models.CharField(max_length=120, blank=True)
    referrer_role = models.CharField(max_length=16, choices=ReferrerRole.choices, blank=True)
    referrer_phone = models.CharField(max_length=32, blank=True)
    referrer_email = models.EmailField(blank=True)
    consent = models.CharField(max_length=16, choices=Consent.choices, blank=True)
    best_interest_reason = models.TextField(blank=True)
    best_interest_decided_by = models.CharField(max_length=120, blank=True)

    status = models.CharField(
        max_length=10, choices=NeedStatus.choices, default=NeedStatus.SUBMITTED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    withdrawn_reason = models.CharField(max_length=240, blank=True)
    unmet_since = models.DateTimeField(
        null=True, blank=True, help_text="Set when the engine ran out of candidates."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The matching queue: open needs, most urgent and oldest first.
            models.Index(
                fields=["area", "category", "created_at"],
                name="need_open_queue",
                condition=Q(status="open"),
            ),
            models.Index(fields=["requested_by", "-created_at"], name="need_by_requester"),
            models.Index(fields=["resident", "-created_at"], name="need_by_resident"),
            models.Index(fields=["status", "-created_at"], name="need_status_created"),
            # The staff need list, newest first, unfiltered or by area.
            models.Index(fields=["-created_at"], name="need_created"),
            models.Index(fields=["area", "-created_at"], name="need_area_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=LATLON_IN_RANGE, name="need_latlon_in_range"),
            models.CheckConstraint(
                condition=Q(schedule="weekly")
                | Q(
                    schedule="one_off",
                    on_date__isnull=False,
                    starts_at__isnull=False,
                    ends_at__isnull=False,
                    ends_at__gt=F("starts_at"),
                ),
                name="need_one_off_has_valid_window",
                violation_error_message="A one-off request needs a date and a time window.",
            ),
            models.CheckConstraint(
                condition=~Q(channel="referral")
                | Q(consent="given")
                | Q(consent="best_interest")
                & ~Q(best_interest_reason="")
                & ~Q(best_interest_decided_by=""),
                name="need_referral_records_consent",
                violation_error_message=(
                    "A referral records the resident's consent, or why they cannot give it "
                    "and who decided it is in their interest."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=NeedStatus.values), name="need_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.category}"

    @property
    def when_display(self):
        if self.schedule == Schedule.ONE_OFF:
            # Day and month names in the language of the page (or email) that shows it.
            day = _day_label(self.on_date, translation.get_language())
            return f"{day}, {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
        days = ", ".join(str(slot) for slot in self.slots.all())
        return gettext("Every week: %(days)s") % {"days": days} if days else gettext("Every week")

    @property
    def status_tag(self):
        return NEED_STATUS_TAGS.get(self.status, "govuk-tag--grey")

    @property
    def first_name(self):
        """All a provider learns of the resident's name before both sides accept."""
        return self.contact_name.split()[0] if self.contact_name.strip() else ""


class NeedUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Need, on_delete=models.CASCADE)


class NeedSlot(models.Model):
    """A weekly window in which a weekly need wants help."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="needslot_ends_after_start",
                violation_error_message="The end time must be after the start time.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="needslot_weekday_valid"
            ),
        ]

    def __str__(self):
        # Weekday(...).label, not get_weekday_display(): that hashes every choice's translated
        # label on each call, and a batch of offers shows thousands of slots.
        return f"{Weekday(self.weekday).label} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Offer(models.Model):
    """A provider's one-off offer: "two extra portions on Thursday evening within 2 km"."""

    provider = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="offers")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="offers")
    description = models.CharField(max_length=240)
    portions = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    dietary_notes = models.CharField(max_length=240, blank=True)
    on_date = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    max_distance_km = models.FloatField(validators=[MinValueValidator(0.5), MaxValueValidator(50)])
    latitude = models.FloatField()
    longitude = models.FloatField()
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on_date", "-starts_at"]
        indexes = [
            models.Index(
                fields=["on_date", "latitude", "longitude"],
                name="offer_open_geo",
                condition=Q(status="open"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="offer_ends_after_start",
                violation_error_message="The end time must be after the start time.",
            ),
            models.CheckConstraint(
                condition=Q(max_distance_km__gt=0), name="offer_distance_positive"
            ),
            models.CheckConstraint(
                condition=Q(portions__isnull=True) | Q(portions__gte=1),
                name="offer_portions_positive",
            ),
            models.CheckConstraint(condition=LATLON_IN_RANGE, name="offer_latlon_in_range"),
        ]

    def __str__(self):
        return f"{self.description} ({self.on_date:%-d %b})"


class OfferUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Offer, on_delete=models.CASCADE)


auditlog.register(Need, exclude_fields=["updated_at"])
auditlog.register(Offer)
