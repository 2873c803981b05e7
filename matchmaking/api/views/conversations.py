"""GET/POST /api/v1/matches/{id}/messages/: a match's conversation, for the people in it."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matchmaking import conversations
from matchmaking.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from matchmaking.api.serializers.conversations import MessageCreateSerializer, MessageSerializer
from matchmaking.api.views.common import CleanTextMixin, _validated
from matchmaking.models import Match, Message


@extend_schema(tags=["conversations"])
@extend_schema_view(
    get=extend_schema(summary="The match's messages, oldest first"),
    post=extend_schema(
        summary="Send a message (plain text, up to 2,000 characters)",
        request=MessageCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: MessageSerializer, **IDEMPOTENCY_RESPONSES},
    ),
)
class MatchMessagesView(CleanTextMixin, generics.ListAPIView):
    """The conversation of a match you are part of (anyone else gets a 404).

    It opens when the provider accepts and can be written in until 30 days after the
    match ends; after that, and between a blocked pair, a POST is a 400 with the reason.
    Sending is rate-limited per person. Reading marks the conversation as read.
    """

    permission_classes = [IsAuthenticated]
    serializer_class = MessageSerializer

    def match(self):
        if not hasattr(self, "_match"):
            user = self.request.user
            mine = Match.objects.for_party(user)
            self._match = get_object_or_404(
                mine.select_related("need__requested_by", "need__resident", "provider__user"),
                pk=self.kwargs["pk"],
            )
        return self._match

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return conversations.messages_of(self.match())

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        conversations.conversation_mark_read(match=self.match(), user=request.user)
        return response

    @idempotent
    def post(self, request, pk=None):
        match = self.match()
        data = _validated(MessageCreateSerializer, request).validated_data
        message = conversations.message_post(match=match, actor=request.user, body=data["body"])
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)
