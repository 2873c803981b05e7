"""One-off offers."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import ProviderProfile
from matchmaking.api import filters
from matchmaking.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from matchmaking.api.permissions import IsProvider
from matchmaking.api.serializers.offers import OfferCreateSerializer, OfferSerializer
from matchmaking.api.views.common import NoBodySerializer, OwnRowsMixin, _validated
from services.models import Offer
from services.offers import offer_create, offer_withdraw
from services.selectors import offers_visible_to


@extend_schema(tags=["offers"])
@extend_schema_view(
    create=extend_schema(
        summary="Post a one-off offer (needs a helper profile)",
        request=OfferCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: OfferSerializer, **IDEMPOTENCY_RESPONSES},
    )
)
class OfferViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your one-off offers ("two extra portions on Thursday")."""

    serializer_class = OfferSerializer
    filterset_class = filters.OfferFilter

    def get_permissions(self):
        if self.action == "create":
            return [IsProvider()]
        return [IsAuthenticated()]

    model = Offer

    def rows(self, user):
        return offers_visible_to(user).select_related("category")

    @idempotent
    def create(self, request):
        profile = ProviderProfile.objects.get(user=request.user)
        data = _validated(OfferCreateSerializer, request).validated_data
        offer = offer_create(provider=profile, **data)
        return Response(self.get_serializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Withdraw an open offer", request=None, responses={200: OfferSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        offer = self.get_object()
        _validated(NoBodySerializer, request)
        offer = offer_withdraw(offer=offer, actor=request.user)
        return Response(self.get_serializer(offer).data)
