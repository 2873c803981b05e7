"""Needs: your requests for help."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matchmaking import lifecycle
from matchmaking.api import filters
from matchmaking.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from matchmaking.api.serializers.common import ReasonSerializer
from matchmaking.api.serializers.needs import (
    NeedCreateSerializer,
    NeedSerializer,
    NeedUpdateSerializer,
)
from matchmaking.api.views.common import OwnRowsMixin, _validated
from services.models import Need
from services.needs import need_submit, need_update
from services.selectors import needs_visible_to


@extend_schema(tags=["needs"])
@extend_schema_view(
    create=extend_schema(
        summary="Ask for help",
        request=NeedCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: NeedSerializer, **IDEMPOTENCY_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change a need that has no helper yet",
        request=NeedUpdateSerializer,
        responses={200: NeedSerializer},
    ),
)
class NeedViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your requests for help: those you made and those made for you."""

    permission_classes = [IsAuthenticated]
    serializer_class = NeedSerializer
    filterset_class = filters.NeedFilter
    lookup_field = "reference"
    lookup_value_regex = filters.CODE
    model = Need

    def rows(self, user):
        return needs_visible_to(user).select_related("category", "area").prefetch_related("slots")

    def _answer(self, need, code=status.HTTP_200_OK):
        need = self.get_queryset().get(pk=need.pk)
        return Response(self.get_serializer(need).data, status=code)

    @idempotent
    def create(self, request):
        serializer = _validated(NeedCreateSerializer, request)
        need = need_submit(requested_by=request.user, **serializer.need_submit_kwargs())
        return self._answer(need, status.HTTP_201_CREATED)

    def partial_update(self, request, reference=None):
        need = self.get_object()
        serializer = NeedUpdateSerializer(
            need, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        need_update(need=need, actor=request.user, **serializer.need_update_kwargs())
        return self._answer(need)

    @extend_schema(
        summary="Withdraw a need (any live match is cancelled)",
        request=ReasonSerializer,
        responses={200: NeedSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference=None):
        need = self.get_object()
        reason = _validated(ReasonSerializer, request).validated_data["reason"]
        lifecycle.need_withdraw(need=need, actor=request.user, reason=reason)
        return self._answer(need)
