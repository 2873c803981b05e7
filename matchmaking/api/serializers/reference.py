"""Reference data: the kinds of help and the wards the council serves."""

from rest_framework import serializers

from accounts.constants import CheckKind, ProviderKind
from matchmaking.api.serializers.common import ModelSerializer
from services.models import Area, Category


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
