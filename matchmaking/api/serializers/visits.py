"""Visits: when, what and with whom (first names only), and what became of each."""

from rest_framework import serializers

from matchmaking.api.serializers.common import ModelSerializer
from matchmaking.models import Visit


class VisitSerializer(ModelSerializer):
    category = serializers.CharField(source="match.need.category.name", read_only=True)
    side = serializers.SerializerMethodField(help_text="Your side of the match.")
    with_first_name = serializers.SerializerMethodField(
        help_text="The first name of the person on the other side."
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "match",
            "starts_at",
            "ends_at",
            "status",
            "notice_hours",
            "recorded_at",
            "category",
            "side",
            "with_first_name",
        ]
        read_only_fields = fields

    def _helping(self, visit):
        return visit.match.provider.user_id == self.context["request"].user.pk

    def get_side(self, visit) -> str:
        return "provider" if self._helping(visit) else "resident"

    def get_with_first_name(self, visit) -> str:
        if self._helping(visit):
            return visit.match.need.first_name
        return visit.match.provider.user.display_name
