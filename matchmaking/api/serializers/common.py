"""Serializers for the REST API: they parse and check input, and shape output per reader.

Write serializers only validate; the views pass what they return to the same write
functions the web calls (services.needs, services.offers, accounts.providers,
matchmaking.lifecycle, trust, safeguarding). The messages match the web forms'.
A write serializer refuses fields it does not know, naming them.

A provider sees a need's category, timing, distance and the resident's first name; the
resident's full name, address and phone number only while the match is active
(Match.shares_contact_details), and the same holds for the provider's contact details.
"""

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.constants import LANGUAGES, CheckKind, ProviderKind, Weekday
from accounts.models import Check, ProviderProfile
from matchmaking import lifecycle
from matchmaking.constants import COMPONENT_LABELS, ConcernKind, DeclinedBy
from matchmaking.models import Concern, Match, Notification, Rating
from matchmaking.trust import editable_until
from services.constants import (
    NEED_EDITABLE,
    NEED_FINAL,
    Channel,
    Consent,
    ReferrerRole,
    Schedule,
    Urgency,
)
from services.models import Area, Category, Need, Offer
from services.postcodes import PROVIDER_MESSAGES, RESIDENT_MESSAGES, postcode_in_council

FAR_FUTURE_DAYS = 365  # as services.forms: a need more than a year ahead is not a need yet
# Who may ask through the API: staff take phone requests in the admin.
NEW_NEED_CHANNELS = [(Channel.SELF, Channel.SELF.label), (Channel.REFERRAL, Channel.REFERRAL.label)]
NOT_FOR_ONE_OFF = "Only weekly help has slots; give on_date, starts_at and ends_at instead"
NOT_FOR_WEEKLY = "Only one-off help has a date; give slots for weekly help instead"


TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": TIME_PATTERN, "example": "09:30"})
class ClockTimeField(serializers.TimeField):
    """A time of day on the clock, "HH:MM" (seconds allowed, time zones not: the council's
    local time is meant, as in the web forms)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, datetime.time) and value.tzinfo is None:
            return value
        if not isinstance(value, str) or not re.fullmatch(TIME_PATTERN, value.strip()):
            self.fail("invalid", format="HH:MM")
        return datetime.time.fromisoformat(value.strip())


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TimeField: ClockTimeField,
    }


def _blankable(choices):
    """A read-only choice that may be "" (ModelSerializer drops allow_blank when read-only)."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


def _messages(required, **more):
    return {"required": required, "blank": required, "null": required, **more}


class StrictFieldsMixin:
    """Refuse, by name (400), a field the request does not know or may not set, and a
    number or other non-string where the schema declares a string (DRF's CharField would
    quietly turn `{"reason": 0}` into "0")."""

    def to_internal_value(self, data):
        refused = {}
        if isinstance(data, Mapping):
            for key, raw in data.items():
                field = self.fields.get(key)
                if field is None:
                    refused[str(key)] = ["Unknown field: this request does not take it."]
                elif field.read_only:
                    refused[str(key)] = ["This field cannot be set here."]
                elif isinstance(field, serializers.CharField) and not (
                    raw is None or isinstance(raw, str)
                ):
                    refused[str(key)] = ["Give text here: a JSON string, in quotes."]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if refused and isinstance(exc.detail, dict):
                exc.detail.update(refused)
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value


class WriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Input only: views hand `validated_data` to a write function."""

    def create(self, validated_data):  # pragma: no cover - views call write functions
        raise NotImplementedError

    def update(self, instance, validated_data):  # pragma: no cover
        raise NotImplementedError


# --- reference data ----------------------------------------------------------------------


class CategorySerializer(ModelSerializer):
    allowed_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ProviderKind.choices), read_only=True
    )
    required_checks = serializers.ListField(
        child=serializers.ChoiceField(choices=CheckKind.choices), read_only=True
    )

    class Meta:
        model = Category
        fields = ["slug", "name", "description", "allowed_kinds", "required_checks"]


class AreaSerializer(ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name"]


# --- shared pieces -------------------------------------------------------------------------


class SlotSerializer(StrictFieldsMixin, serializers.Serializer):
    """A weekly window: weekday 0 (Monday) to 6 (Sunday), from and to (HH:MM)."""

    weekday = serializers.ChoiceField(
        choices=Weekday.choices, error_messages=_messages("Choose a day of the week")
    )
    starts_at = ClockTimeField(error_messages=_messages("Enter the start time"))
    ends_at = ClockTimeField(error_messages=_messages("Enter the end time"))

    def validate(self, attrs):
        # Inside a PATCH, DRF would let a slot's missing fields pass: a slot is whole or not at all.
        missing = {
            name: field.error_messages["required"]
            for name, field in self.fields.items()
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        if attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError(
                {"ends_at": "The end time must be after the start time"}
            )
        return attrs


def slot_tuples(slots):
    return [(slot["weekday"], slot["starts_at"], slot["ends_at"]) for slot in slots]


def _check_each_day_once(slots, field="slots"):
    days = [slot["weekday"] for slot in slots]
    if len(days) != len(set(days)):
        raise serializers.ValidationError({field: "Enter each day once"})


def _postcode(raw, messages):
    try:
        return postcode_in_council(raw, messages)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


def need_postcode(raw):
    """The Postcode a resident typed, with the "Request help" form's messages."""
    return _postcode(raw, RESIDENT_MESSAGES)


def provider_postcode(raw):
    """The Postcode a provider typed, with the "Offer help" form's messages."""
    return _postcode(raw, PROVIDER_MESSAGES)


def _check_one_off_date(on_date):
    today = timezone.localdate()
    if on_date < today:
        raise serializers.ValidationError({"on_date": "The date must be today or in the future"})
    if on_date > today + datetime.timedelta(days=FAR_FUTURE_DAYS):
        raise serializers.ValidationError({"on_date": "The date must be within the next year"})


def _check_window(starts_at, ends_at, field="ends_at"):
    if starts_at and ends_at and ends_at <= starts_at:
        raise serializers.ValidationError({field: "The end time must be after the start time"})


def _check_language(language, language_required):
    if language_required and not language:
        raise serializers.ValidationError({"language": "Select the language the helper must speak"})


# --- needs ---------------------------------------------------------------------------------


class NeedSerializer(ModelSerializer):
    """A need as the person who asked for it (or for whom it was asked) sees it."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    slots = SlotSerializer(many=True, read_only=True)
    when = serializers.CharField(source="when_display", read_only=True)
    language = _blankable(LANGUAGES)
    # Plain strings: "" when not given, which is no email address.
    email = serializers.CharField(read_only=True)
    referrer_email = serializers.CharField(read_only=True)
    referrer_role = _blankable(ReferrerRole.choices)
    consent = _blankable(Consent.choices)
    can_change = serializers.SerializerMethodField()
    can_withdraw = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "reference",
            "status",
            "channel",
            "category",
            "area",
            "details",
            "schedule",
            "on_date",
            "starts_at",
            "ends_at",
            "slots",
            "when",
            "urgency",
            "postcode",
            "contact_name",
            "address",
            "phone",
            "email",
            "language",
            "language_required",
            "dietary_needs",
            "notes_for_provider",
            "referrer_name",
            "referrer_organisation",
            "referrer_role",
            "referrer_phone",
            "referrer_email",
            "consent",
            "best_interest_reason",
            "best_interest_decided_by",
            "withdrawn_reason",
            "can_change",
            "can_withdraw",
            "created_at",
            "updated_at",
            "status_changed_at",
        ]
        read_only_fields = fields

    def get_can_change(self, need) -> bool:
        return need.status in NEED_EDITABLE

    def get_can_withdraw(self, need) -> bool:
        return need.status not in NEED_FINAL


class _NeedFieldsMixin(serializers.Serializer):
    """The fields a resident fills in, with the web journey's messages."""

    details = serializers.CharField(
        max_length=2000,
        error_messages=_messages(
            "Tell us a little more about the help needed",
            max_length="Use 2,000 characters or fewer",
        ),
    )
    schedule = serializers.ChoiceField(
        choices=Schedule.choices,
        error_messages=_messages(
            "Select how often help is needed", invalid_choice="Select how often help is needed"
        ),
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices,
        default=Urgency.ROUTINE,
        error_messages=_messages(
            "Select how soon help is needed", invalid_choice="Select how soon help is needed"
        ),
    )
    on_date = serializers.DateField(
        required=False, allow_null=True, error_messages={"invalid": "Enter a real date"}
    )
    starts_at = ClockTimeField(
        required=False, allow_null=True, error_messages={"invalid": "Enter a real time, like 09:30"}
    )
    ends_at = ClockTimeField(
        required=False, allow_null=True, error_messages={"invalid": "Enter a real time, like 11:00"}
    )
    slots = SlotSerializer(many=True, required=False, max_length=7)
    contact_name = serializers.CharField(
        max_length=120,
        error_messages=_messages("Enter the full name of the person who needs help"),
    )
    postcode = serializers.CharField(
        max_length=10,
        error_messages=_messages(
            "Enter a postcode",
            max_length="We do not recognise that postcode. Check it and try again",
        ),
    )
    address = serializers.CharField(
        max_length=400, error_messages=_messages("Enter the address where help is needed")
    )
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    language = serializers.ChoiceField(
        choices=LANGUAGES, required=False, allow_blank=True, default=""
    )
    language_required = serializers.BooleanField(required=False, default=False)
    dietary_needs = serializers.CharField(
        max_length=240, required=False, allow_blank=True, default=""
    )
    notes_for_provider = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )

    def validate_postcode(self, value):
        return need_postcode(value)


class NeedCreateSerializer(WriteSerializer, _NeedFieldsMixin):
    """Ask for help, for yourself (channel "self") or for someone else ("referral")."""

    channel = serializers.ChoiceField(
        choices=NEW_NEED_CHANNELS,
        default=Channel.SELF,
    )
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        error_messages=_messages(
            "Select the kind of help needed",
            does_not_exist="Select the kind of help needed",
            invalid="Select the kind of help needed",
        ),
    )
    referrer_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    referrer_role = serializers.ChoiceField(
        choices=ReferrerRole.choices, required=False, allow_blank=True, default=""
    )
    referrer_organisation = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    referrer_phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    referrer_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    consent = serializers.ChoiceField(
        choices=Consent.choices, required=False, allow_blank=True, default=""
    )
    best_interest_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    best_interest_decided_by = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )

    REFERRAL_FIELDS = (
        "referrer_name",
        "referrer_role",
        "referrer_organisation",
        "referrer_phone",
        "referrer_email",
        "consent",
        "best_interest_reason",
        "best_interest_decided_by",
    )

    def validate(self, attrs):
        errors = {}
        if attrs["channel"] == Channel.REFERRAL:
            errors.update(self._referral_errors(attrs))
            if attrs.get("consent") == Consent.GIVEN:
                attrs["best_interest_reason"] = attrs["best_interest_decided_by"] = ""
        else:
            for name in self.REFERRAL_FIELDS:
                if attrs.get(name):
                    errors[name] = 'Only a referral (channel "referral") has this'
        if errors:
            raise serializers.ValidationError(errors)
        if attrs["schedule"] == Schedule.ONE_OFF:
            missing = {
                "on_date": "Enter the date help is needed",
                "starts_at": "Enter the start time",
                "ends_at": "Enter the end time",
            }
            missing = {name: message for name, message in missing.items() if not attrs.get(name)}
            if missing:
                raise serializers.ValidationError(missing)
            if attrs.get("slots"):
                raise serializers.ValidationError({"slots": NOT_FOR_ONE_OFF})
            _check_one_off_date(attrs["on_date"])
            _check_window(attrs["starts_at"], attrs["ends_at"])
        else:
            for name in ("on_date", "starts_at", "ends_at"):
                if attrs.get(name) is not None:
                    raise serializers.ValidationError({name: NOT_FOR_WEEKLY})
            if not attrs.get("slots"):
                raise serializers.ValidationError({"slots": "Enter the times for at least one day"})
            _check_each_day_once(attrs["slots"])
        _check_language(attrs["language"], attrs["language_required"])
        return attrs

    @staticmethod
    def _referral_errors(attrs):
        errors = {}
        if not attrs.get("referrer_name"):
            errors["referrer_name"] = "Enter your full name"
        if not attrs.get("referrer_role"):
            errors["referrer_role"] = "Select how you know them"
        if not attrs.get("referrer_phone") and not attrs.get("referrer_email"):
            errors["referrer_phone"] = (
                "Enter a phone number or an email address we can reach you on"
            )
        if not attrs.get("consent"):
            errors["consent"] = "Select whether they agreed to this request"
        elif attrs["consent"] == Consent.BEST_INTEREST:
            if not attrs.get("best_interest_reason"):
                errors["best_interest_reason"] = "Explain why they cannot agree to this request"
            if not attrs.get("best_interest_decided_by"):
                errors["best_interest_decided_by"] = (
                    "Enter who decided this request is in their best interest"
                )
        return errors

    def need_submit_kwargs(self):
        """Keyword arguments for services.needs.need_submit (besides requested_by)."""
        data = dict(self.validated_data)
        slots = data.pop("slots", None) or []
        if data["schedule"] == Schedule.WEEKLY:
            for name in ("on_date", "starts_at", "ends_at"):
                data.pop(name, None)
        return {**data, "slots": slot_tuples(slots)}


class NeedUpdateSerializer(WriteSerializer, _NeedFieldsMixin):
    """Change a need that has no helper yet (PATCH: send only what changes)."""

    def validate(self, attrs):
        need = self.instance
        schedule = attrs.get("schedule", need.schedule)
        if schedule == Schedule.ONE_OFF:
            if attrs.get("slots"):
                raise serializers.ValidationError({"slots": NOT_FOR_ONE_OFF})
            merged = {
                name: attrs[name] if name in attrs else getattr(need, name)
                for name in ("on_date", "starts_at", "ends_at")
            }
            missing = {
                "on_date": "Enter the date help is needed",
                "starts_at": "Enter the start time",
                "ends_at": "Enter the end time",
            }
            missing = {name: message for name, message in missing.items() if not merged[name]}
            if missing:
                raise serializers.ValidationError(missing)
            if "on_date" in attrs:
                _check_one_off_date(attrs["on_date"])
            _check_window(merged["starts_at"], merged["ends_at"])
        else:
            for name in ("on_date", "starts_at", "ends_at"):
                if attrs.get(name) is not None:
                    raise serializers.ValidationError({name: NOT_FOR_WEEKLY})
            if "slots" in attrs:
                if not attrs["slots"]:
                    raise serializers.ValidationError(
                        {"slots": "Enter the times for at least one day"}
                    )
                _check_each_day_once(attrs["slots"])
            elif need.schedule != Schedule.WEEKLY:
                raise serializers.ValidationError({"slots": "Enter the times for at least one day"})
        _check_language(
            attrs.get("language", need.language),
            attrs.get("language_required", need.language_required),
        )
        return attrs

    def need_update_kwargs(self):
        """Keyword arguments for services.needs.need_update (besides need and actor)."""
        data = dict(self.validated_data)
        slots = data.pop("slots", None)
        if data.get("schedule", self.instance.schedule) == Schedule.WEEKLY:
            for name in ("on_date", "starts_at", "ends_at"):
                data.pop(name, None)
        return {**data, "slots": slot_tuples(slots) if slots is not None else None}


class ReasonSerializer(WriteSerializer):
    reason = serializers.CharField(
        max_length=240,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"max_length": "Use 240 characters or fewer"},
    )


class RequiredReasonSerializer(WriteSerializer):
    reason = serializers.CharField(
        max_length=240,
        error_messages=_messages("Give a reason", max_length="Use 240 characters or fewer"),
    )


# --- providers -------------------------------------------------------------------------------


class CheckSerializer(ModelSerializer):
    class Meta:
        model = Check
        fields = ["kind", "status", "expires_at"]
        read_only_fields = fields


def _photo_url(serializer, profile):
    """Absolute, as the schema says (a partner app is not on our host)."""
    if not profile.photo:
        return None
    request = serializer.context.get("request")
    url = profile.photo.url
    if request is not None:
        return request.build_absolute_uri(url)
    return urljoin(f"{settings.SITE_URL}/", url)


class ProviderProfileSerializer(ModelSerializer):
    """The provider's own profile."""

    first_name = serializers.CharField(source="user.first_name", read_only=True)
    skills = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    availability = SlotSerializer(many=True, read_only=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGES), read_only=True
    )
    photo = serializers.SerializerMethodField()
    average_rating = serializers.FloatField(read_only=True, allow_null=True)
    checks = CheckSerializer(many=True, read_only=True)

    class Meta:
        model = ProviderProfile
        fields = [
            "first_name",
            "kind",
            "status",
            "bio",
            "photo",
            "skills",
            "languages",
            "home_postcode",
            "travel_radius_km",
            "capacity",
            "availability",
            "checks",
            "rating_count",
            "average_rating",
            "matches_completed",
            "offers_received",
            "offers_accepted",
            "created_at",
            "status_changed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo(self, profile) -> str | None:
        return _photo_url(self, profile)


def _distance(max_digits=4, **messages):
    return serializers.DecimalField(
        max_digits=max_digits,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal(50),
        coerce_to_string=False,
        error_messages={
            "invalid": "Enter the distance as a number, like 2 or 2.5",
            "min_value": "The distance must be 0.5 km or more",
            "max_value": "The distance must be 50 km or less",
            "max_digits": "The distance must be 50 km or less",
            "max_decimal_places": "Enter the distance to one decimal place, like 2.5",
            "max_whole_digits": "The distance must be 50 km or less",
            **messages,
        },
    )


class _ProviderFieldsMixin(serializers.Serializer):
    skills = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Category.objects.all(),
        allow_empty=False,
        error_messages={
            "required": "Select at least one thing you can help with",
            "empty": "Select at least one thing you can help with",
            "null": "Select at least one thing you can help with",
        },
    )
    home_postcode = serializers.CharField(
        max_length=10,
        error_messages=_messages(
            "Enter your home postcode", max_length="Enter a full postcode, like RV1 2AB"
        ),
    )
    travel_radius_km = _distance(required="Enter how far you can travel, in kilometres")
    capacity = serializers.IntegerField(
        min_value=1,
        max_value=20,
        error_messages=_messages(
            "Enter how many people you could help at the same time",
            invalid="Enter a whole number, like 2",
            min_value="You must be able to help at least 1 person",
            max_value="Enter 20 people or fewer",
        ),
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(
            choices=LANGUAGES, error_messages={"invalid_choice": "Select languages from the list"}
        ),
        allow_empty=False,
        max_length=len(LANGUAGES),
        error_messages={
            "required": "Select at least one language you speak",
            "empty": "Select at least one language you speak",
        },
    )
    bio = serializers.CharField(
        max_length=1000,
        error_messages=_messages(
            "Tell residents a little about yourself", max_length="Use 1,000 characters or fewer"
        ),
    )
    availability = SlotSerializer(
        many=True,
        max_length=50,
        error_messages={"required": "Enter the times for at least one day"},
    )

    def validate_home_postcode(self, value):
        return provider_postcode(value)

    def validate_availability(self, value):
        # Here rather than allow_empty=False, whose message DRF nests under non_field_errors.
        if not value:
            raise serializers.ValidationError("Enter the times for at least one day")
        return value

    @staticmethod
    def profile_fields(data):
        """Turn validated input into keyword arguments of accounts.providers' functions."""
        fields = dict(data)
        postcode = fields.pop("home_postcode", None)
        if postcode is not None:
            fields.update(
                home_postcode=postcode.code,
                latitude=postcode.latitude,
                longitude=postcode.longitude,
            )
        if "travel_radius_km" in fields:
            fields["travel_radius_km"] = float(fields["travel_radius_km"])
        if "availability" in fields:
            fields["availability"] = slot_tuples(fields["availability"])
        return fields


class ProviderApplySerializer(WriteSerializer, _ProviderFieldsMixin):
    """Offer help: the same answers as the web journey (photos are added on the web)."""

    kind = serializers.ChoiceField(
        choices=ProviderKind.choices,
        error_messages=_messages(
            "Select what kind of helper you are",
            invalid_choice="Select what kind of helper you are",
        ),
    )


class ProviderUpdateSerializer(WriteSerializer, _ProviderFieldsMixin):
    """Change your profile (PATCH). The kind of helper is changed by the council."""


# --- offers ---------------------------------------------------------------------------------


class OfferSerializer(ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    max_distance_km = serializers.FloatField(read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "status",
            "category",
            "description",
            "portions",
            "dietary_notes",
            "on_date",
            "starts_at",
            "ends_at",
            "max_distance_km",
            "created_at",
        ]
        read_only_fields = fields


class OfferCreateSerializer(WriteSerializer):
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        error_messages=_messages(
            "Select what you are offering",
            does_not_exist="Select what you are offering",
            invalid="Select what you are offering",
        ),
    )
    description = serializers.CharField(
        max_length=240,
        error_messages=_messages("Describe your offer", max_length="Use 240 characters or fewer"),
    )
    portions = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=20,
        error_messages={
            "invalid": "Enter the number of portions as a whole number, like 2",
            "min_value": "Enter at least 1 portion",
            "max_value": "Enter 20 portions or fewer",
        },
    )
    dietary_notes = serializers.CharField(
        max_length=240,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"max_length": "Use 240 characters or fewer"},
    )
    on_date = serializers.DateField(
        error_messages=_messages("Enter the date of your offer", invalid="Enter a real date")
    )
    starts_at = ClockTimeField(
        error_messages=_messages(
            "Enter the start time", invalid="Enter a real start time, like 17:30"
        )
    )
    ends_at = ClockTimeField(
        error_messages=_messages("Enter the end time", invalid="Enter a real end time, like 19:00")
    )
    max_distance_km = _distance(required="Enter how far you will take it, in kilometres")

    def validate(self, attrs):
        if attrs["on_date"] < timezone.localdate():
            raise serializers.ValidationError(
                {"on_date": "The date must be today or in the future"}
            )
        _check_window(attrs["starts_at"], attrs["ends_at"])
        attrs["max_distance_km"] = float(attrs["max_distance_km"])
        return attrs


# --- matches --------------------------------------------------------------------------------


class MatchNeedSerializer(ModelSerializer):
    """What either side may know of the need: never the address, phone or full name."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    slots = SlotSerializer(many=True, read_only=True)
    when = serializers.CharField(source="when_display", read_only=True)
    language = _blankable(LANGUAGES)
    first_name = serializers.CharField(read_only=True)

    class Meta:
        model = Need
        fields = [
            "reference",
            "category",
            "category_name",
            "details",
            "schedule",
            "on_date",
            "starts_at",
            "ends_at",
            "slots",
            "when",
            "urgency",
            "language",
            "dietary_needs",
            "notes_for_provider",
            "first_name",
        ]
        read_only_fields = fields


class ResidentContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact_name")
    address = serializers.CharField()
    postcode = serializers.CharField()
    phone = serializers.CharField()


class ProviderSummarySerializer(ModelSerializer):
    """What a resident learns of a proposed helper."""

    first_name = serializers.CharField(source="user.first_name", read_only=True)
    photo = serializers.SerializerMethodField()
    average_rating = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = ProviderProfile
        fields = [
            "first_name",
            "kind",
            "bio",
            "photo",
            "rating_count",
            "average_rating",
            "matches_completed",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo(self, profile) -> str | None:
        return _photo_url(self, profile)


class ProviderContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="user.get_full_name")
    phone = serializers.CharField(source="user.phone")
    email = serializers.EmailField(source="user.email")


class ScoreComponentSerializer(serializers.Serializer):
    component = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField()


SIDES = [("provider", "You are the provider"), ("resident", "You asked for this help")]


class MatchSerializer(ModelSerializer):
    """A match as one of its two sides sees it (`side`)."""

    side = serializers.SerializerMethodField()
    need = MatchNeedSerializer(read_only=True)
    provider = ProviderSummarySerializer(read_only=True)
    distance_km = serializers.SerializerMethodField()
    why = serializers.SerializerMethodField()
    resident_contact = serializers.SerializerMethodField()
    provider_contact = serializers.SerializerMethodField()
    declined_by = _blankable(DeclinedBy.choices)

    class Meta:
        model = Match
        fields = [
            "id",
            "status",
            "side",
            "need",
            "provider",
            "distance_km",
            "why",
            "resident_contact",
            "provider_contact",
            "declined_by",
            "created_at",
            "offered_at",
            "expires_at",
            "accepted_at",
            "confirmed_at",
            "ended_at",
        ]
        read_only_fields = fields

    def _side(self, match):
        user = self.context["request"].user
        return "resident" if lifecycle.is_resident_side(match, user) else "provider"

    @extend_schema_field(serializers.ChoiceField(choices=SIDES))
    def get_side(self, match) -> str:
        return self._side(match)

    def get_distance_km(self, match) -> float | None:
        distance = match.distance_km
        return round(float(distance), 1) if isinstance(distance, int | float) else None

    @extend_schema_field(ScoreComponentSerializer(many=True))
    def get_why(self, match):
        components = match.explanation.get("components") or {}
        rows = []
        for name, part in components.items():
            value = part.get("value") if isinstance(part, Mapping) else None
            if isinstance(value, int | float):
                rows.append(
                    {"component": name, "label": COMPONENT_LABELS.get(name, name), "value": value}
                )
        return rows

    @extend_schema_field(ResidentContactSerializer(allow_null=True))
    def get_resident_contact(self, match):
        """The resident's name, address and phone: for the provider, while active only."""
        if self._side(match) == "provider" and match.shares_contact_details:
            return ResidentContactSerializer(match.need).data
        return None

    @extend_schema_field(ProviderContactSerializer(allow_null=True))
    def get_provider_contact(self, match):
        """The provider's name, phone and email: for the resident, while active only."""
        if self._side(match) == "resident" and match.shares_contact_details:
            return ProviderContactSerializer(match.provider).data
        return None


# --- notifications, ratings, concerns ----------------------------------------------------------


class NotificationSerializer(ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "message", "url", "match", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class RatingSerializer(ModelSerializer):
    editable_until = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "match",
            "rater_role",
            "score",
            "comment",
            "hidden",
            "created_at",
            "updated_at",
            "editable_until",
        ]
        read_only_fields = fields

    def get_editable_until(self, rating) -> datetime.datetime:
        return editable_until(rating)


def _score_field(**kwargs):
    return serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages=_messages(
            "Choose a rating from 1 to 5",
            invalid="Choose a rating from 1 to 5",
            min_value="Choose a rating from 1 to 5",
            max_value="Choose a rating from 1 to 5",
        ),
        **kwargs,
    )


def _comment_field():
    return serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        error_messages={"max_length": "Use 1,000 characters or fewer"},
    )


@extend_schema_field(OpenApiTypes.INT)
class _OwnMatchField(serializers.PrimaryKeyRelatedField):
    """A match the user is on either side of; any other id is "not found", never "not yours"."""

    default_error_messages = {
        "does_not_exist": "There is no match {pk_value} of yours.",
        "incorrect_type": "Give the match's id, a whole number.",
        "required": "Say which match this is about.",
        "null": "Say which match this is about.",
    }

    def get_queryset(self):
        user = self.context["request"].user
        mine = Match.objects.for_provider(user) | Match.objects.for_resident(user)
        return mine.select_related("need", "provider__user")


class RatingCreateSerializer(WriteSerializer):
    match = _OwnMatchField()
    score = _score_field()
    comment = _comment_field()


class RatingEditSerializer(WriteSerializer):
    score = _score_field(required=False)
    comment = _comment_field()


class ConcernSerializer(ModelSerializer):
    """A concern as the person who raised it sees it: never what staff did about it."""

    class Meta:
        model = Concern
        fields = ["id", "match", "kind", "urgent", "description", "status", "created_at"]
        read_only_fields = fields


class ConcernCreateSerializer(WriteSerializer):
    match = _OwnMatchField()
    kind = serializers.ChoiceField(
        choices=ConcernKind.choices,
        error_messages=_messages(
            "Choose what the concern is about", invalid_choice="Choose what the concern is about"
        ),
    )
    urgent = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(
        max_length=4000,
        error_messages=_messages(
            "Tell us what happened", max_length="Use 4,000 characters or fewer"
        ),
    )


# --- council staff ------------------------------------------------------------------------------


class StaffNeedSerializer(NeedSerializer):
    """Everything about a need in the staff member's areas, contact details included."""

    requested_by = serializers.EmailField(source="requested_by.email", read_only=True)
    resident = serializers.EmailField(source="resident.email", read_only=True, allow_null=True)
    programme = serializers.CharField(source="programme.name", read_only=True, allow_null=True)

    class Meta(NeedSerializer.Meta):
        fields = [
            *NeedSerializer.Meta.fields,
            "requested_by",
            "resident",
            "programme",
            "unmet_since",
        ]
        read_only_fields = fields


class StaffProviderSerializer(ProviderProfileSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    phone = serializers.CharField(source="user.phone", read_only=True)

    class Meta(ProviderProfileSerializer.Meta):
        fields = ["id", "name", "email", "phone", *ProviderProfileSerializer.Meta.fields]
        read_only_fields = fields


class StaffMatchSerializer(ModelSerializer):
    need = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    area = serializers.SlugRelatedField(source="need.area", slug_field="code", read_only=True)
    category = serializers.SlugRelatedField(
        source="need.category", slug_field="slug", read_only=True
    )
    provider = serializers.PrimaryKeyRelatedField(read_only=True)
    provider_name = serializers.CharField(source="provider.user.get_full_name", read_only=True)
    explanation = serializers.JSONField(read_only=True)
    declined_by = _blankable(DeclinedBy.choices)

    class Meta:
        model = Match
        fields = [
            "id",
            "status",
            "need",
            "area",
            "category",
            "provider",
            "provider_name",
            "score",
            "explanation",
            "proposed_by",
            "staff_reason",
            "declined_by",
            "reason",
            "created_at",
            "offered_at",
            "expires_at",
            "accepted_at",
            "confirmed_at",
            "ended_at",
        ]
        read_only_fields = fields
