"""Notifications."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matchmaking.api import filters
from matchmaking.api.serializers.notifications import NotificationSerializer
from matchmaking.api.views.common import NoBodySerializer, OwnRowsMixin, _validated
from matchmaking.models import Notification


@extend_schema(tags=["notifications"])
class NotificationViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """What you should know or act on (also sent by email). Newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    filterset_class = filters.NotificationFilter

    model = Notification

    def rows(self, user):
        return Notification.objects.filter(user=user)

    @extend_schema(summary="Mark as read", request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        _validated(NoBodySerializer, request)
        self.get_queryset().filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=notification.pk)).data)

    @extend_schema(
        summary="Mark every notification as read",
        request=None,
        responses={
            200: OpenApiResponse(
                response={
                    "type": "object",
                    "properties": {"marked": {"type": "integer"}},
                    "required": ["marked"],
                },
                description="How many were unread.",
            )
        },
    )
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None)
    def read_all(self, request):
        _validated(NoBodySerializer, request)
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})
