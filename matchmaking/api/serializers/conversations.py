"""Messages in a match's conversation, as one of the people in it sees them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matchmaking.api.serializers.common import ModelSerializer, WriteSerializer, _messages
from matchmaking.models import Message
from matchmaking.models.conversations import MESSAGE_MAX_CHARS


class MessageSerializer(ModelSerializer):
    """Plain text: show it escaped, and do not turn links in it into live links."""

    mine = serializers.SerializerMethodField()
    sender_first_name = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "mine", "sender_first_name", "body", "created_at"]
        read_only_fields = fields

    def get_mine(self, message) -> bool:
        return message.sender_id == self.context["request"].user.pk

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sender_first_name(self, message) -> str | None:
        """Null when the sender closed their account."""
        return message.sender.first_name if message.sender else None


class MessageCreateSerializer(WriteSerializer):
    body = serializers.CharField(
        max_length=MESSAGE_MAX_CHARS,
        # The write function trims and refuses an empty message with its own words.
        trim_whitespace=False,
        error_messages=_messages(
            "Write a message",
            max_length=f"Your message must be {MESSAGE_MAX_CHARS:,} characters or fewer",
        ),
    )
