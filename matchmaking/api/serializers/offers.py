"""One-off offers from providers."""

from django.utils import timezone
from rest_framework import serializers

from matchmaking.api.serializers.common import (
    ClockTimeField,
    ModelSerializer,
    WriteSerializer,
    _check_window,
    _distance,
    _messages,
)
from services.models import Category, Offer


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
