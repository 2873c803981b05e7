"""The provider's own profile: reading it, applying and changing it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.constants import LANGUAGES, ProviderKind
from accounts.models import Check, ProviderProfile
from matchmaking.api.serializers.common import (
    ModelSerializer,
    SlotSerializer,
    WriteSerializer,
    _distance,
    _messages,
    _photo_url,
    _postcode,
    slot_tuples,
)
from services.models import Category
from services.postcodes import PROVIDER_MESSAGES


def provider_postcode(raw):
    """The Postcode a provider typed, with the "Offer help" form's messages."""
    return _postcode(raw, PROVIDER_MESSAGES)


class CheckSerializer(ModelSerializer):
    class Meta:
        model = Check
        fields = ["kind", "status", "expires_at"]
        read_only_fields = fields


class ProviderProfileSerializer(ModelSerializer):
    """The provider's own profile."""

    first_name = serializers.CharField(source="user.display_name", read_only=True)
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
