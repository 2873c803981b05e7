"""Ratings you gave and concerns you raised."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matchmaking import safeguarding, trust
from matchmaking.api import filters
from matchmaking.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from matchmaking.api.serializers.ratings_concerns import (
    ConcernCreateSerializer,
    ConcernSerializer,
    RatingCreateSerializer,
    RatingEditSerializer,
    RatingSerializer,
)
from matchmaking.api.views.common import OwnRowsMixin, _validated
from matchmaking.models import Concern, Rating


@extend_schema(tags=["ratings"])
@extend_schema_view(
    create=extend_schema(
        summary="Rate the other side of a completed match (once)",
        request=RatingCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: RatingSerializer, **IDEMPOTENCY_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change your rating (for 7 days)",
        request=RatingEditSerializer,
        responses={200: RatingSerializer},
    ),
)
class RatingViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Ratings you gave."""

    permission_classes = [IsAuthenticated]
    serializer_class = RatingSerializer
    filterset_class = filters.RatingFilter

    model = Rating

    def rows(self, user):
        return Rating.objects.filter(rater=user)

    @idempotent
    def create(self, request):
        data = _validated(RatingCreateSerializer, request).validated_data
        rating = trust.rating_give(actor=request.user, **data)
        return Response(self.get_serializer(rating).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        rating = self.get_object()
        data = _validated(RatingEditSerializer, request, partial=True).validated_data
        rating = trust.rating_edit(
            rating=rating,
            actor=request.user,
            score=data.get("score", rating.score),
            comment=data.get("comment", rating.comment),
        )
        return Response(self.get_serializer(rating).data)


@extend_schema(tags=["concerns"])
@extend_schema_view(
    create=extend_schema(
        summary="Report a concern about a match you are part of",
        request=ConcernCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ConcernSerializer, **IDEMPOTENCY_RESPONSES},
    )
)
class ConcernViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Concerns you raised. Safeguarding concerns are always urgent; if someone is in
    immediate danger, call 999 first."""

    permission_classes = [IsAuthenticated]
    serializer_class = ConcernSerializer
    filterset_class = filters.ConcernFilter

    model = Concern

    def rows(self, user):
        return Concern.objects.filter(raised_by=user)

    @idempotent
    def create(self, request):
        data = dict(_validated(ConcernCreateSerializer, request).validated_data)
        concern = safeguarding.concern_raise(raised_by=request.user, **data)
        return Response(self.get_serializer(concern).data, status=status.HTTP_201_CREATED)
