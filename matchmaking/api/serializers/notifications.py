"""Notifications."""

from rest_framework import serializers

from matchmaking.api.serializers.common import ModelSerializer
from matchmaking.models import Notification


class NotificationSerializer(ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "message", "url", "match", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None
