"""Matches as either side sees them: contact details only while the match is active."""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.constants import LANGUAGES
from accounts.models import ProviderProfile
from matchmaking import conversations, lifecycle
from matchmaking.api.serializers.common import (
    ModelSerializer,
    SlotSerializer,
    _blankable,
    _photo_url,
)
from matchmaking.constants import COMPONENT_LABELS, DeclinedBy
from matchmaking.models import Match
from matchmaking.trust import SMOOTHED_RATING_EXPLAINED, smoothed_rating
from services.models import Need


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
    """The phone number is null until the resident's side chooses to share it."""

    name = serializers.CharField(source="contact_name")
    address = serializers.CharField()
    postcode = serializers.CharField()
    phone = serializers.CharField(allow_null=True)


class ProviderSummarySerializer(ModelSerializer):
    """What a resident learns of a proposed helper."""

    first_name = serializers.CharField(source="user.display_name", read_only=True)
    photo = serializers.SerializerMethodField()
    average_rating = serializers.SerializerMethodField(help_text=SMOOTHED_RATING_EXPLAINED)

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

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_average_rating(self, provider):
        # The figure the engine weighs, as the web page shows it, not the plain mean.
        return smoothed_rating(provider)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo(self, profile) -> str | None:
        return _photo_url(self, profile)


class ProviderContactSerializer(serializers.Serializer):
    """Phone and email are null until the provider chooses to share them."""

    name = serializers.CharField(source="user.get_full_name")
    phone = serializers.CharField(allow_null=True)
    email = serializers.EmailField(allow_null=True)


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
            shared = conversations.contact_sharing(match).resident_side
            need = match.need
            return ResidentContactSerializer(
                {
                    "contact_name": need.contact_name,
                    "address": need.address,
                    "postcode": need.postcode,
                    "phone": need.phone if shared else None,
                }
            ).data
        return None

    @extend_schema_field(ProviderContactSerializer(allow_null=True))
    def get_provider_contact(self, match):
        """The provider's name, phone and email: for the resident, while active only."""
        if self._side(match) == "resident" and match.shares_contact_details:
            shared = conversations.contact_sharing(match).provider
            user = match.provider.user
            return ProviderContactSerializer(
                {
                    "user": user,
                    "phone": user.phone if shared else None,
                    "email": user.email if shared else None,
                }
            ).data
        return None
