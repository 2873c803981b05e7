"""The pieces every resource's serializers share: the clock-time field, the strict
write serializer, weekly slots, reasons, postcodes, distances and photo URLs."""

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.constants import Weekday
from services.postcodes import postcode_in_council

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
                    refused[str(key)] = [_("Unknown field: this request does not take it.")]
                elif field.read_only:
                    refused[str(key)] = [_("This field cannot be set here.")]
                elif isinstance(field, serializers.CharField) and not (
                    raw is None or isinstance(raw, str)
                ):
                    refused[str(key)] = [_("Give text here: a JSON string, in quotes.")]
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


def _postcode(raw, messages):
    try:
        return postcode_in_council(raw, messages)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


def _check_window(starts_at, ends_at, field="ends_at"):
    if starts_at and ends_at and ends_at <= starts_at:
        raise serializers.ValidationError({field: "The end time must be after the start time"})


class ReasonSerializer(WriteSerializer):
    reason = serializers.CharField(
        max_length=240,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"max_length": _("Use 240 characters or fewer")},
    )


class RequiredReasonSerializer(WriteSerializer):
    reason = serializers.CharField(
        max_length=240,
        error_messages=_messages("Give a reason", max_length="Use 240 characters or fewer"),
    )


def _photo_url(serializer, profile):
    """Absolute, as the schema says (a partner app is not on our host)."""
    if not profile.photo:
        return None
    request = serializer.context.get("request")
    url = profile.photo.url
    if request is not None:
        return request.build_absolute_uri(url)
    return urljoin(f"{settings.SITE_URL}/", url)


def _distance(max_digits=4, **messages):
    return serializers.DecimalField(
        max_digits=max_digits,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal(50),
        coerce_to_string=False,
        error_messages={
            "invalid": _("Enter the distance as a number, like 2 or 2.5"),
            "min_value": _("The distance must be 0.5 km or more"),
            "max_value": _("The distance must be 50 km or less"),
            "max_digits": "The distance must be 50 km or less",
            "max_decimal_places": "Enter the distance to one decimal place, like 2.5",
            "max_whole_digits": "The distance must be 50 km or less",
            **messages,
        },
    )
