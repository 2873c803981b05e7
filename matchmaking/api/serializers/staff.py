"""Council staff: needs, providers and matches in the areas they work in."""

from rest_framework import serializers

from matchmaking.api.serializers.common import ModelSerializer, _blankable
from matchmaking.api.serializers.needs import NeedSerializer
from matchmaking.api.serializers.providers import ProviderProfileSerializer
from matchmaking.constants import DeclinedBy
from matchmaking.models import Match


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
