"""The provider's own profile."""

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ProviderProfile
from accounts.providers import availability_replace, provider_apply, provider_update
from matchmaking.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from matchmaking.api.serializers.providers import (
    ProviderApplySerializer,
    ProviderProfileSerializer,
    ProviderUpdateSerializer,
)
from matchmaking.api.views.common import CleanTextMixin, _validated


def _own_profile(user):
    profile = (
        ProviderProfile.objects.filter(user=user)
        .select_related("user")
        .prefetch_related("skills", "availability", "checks")
        .first()
    )
    if profile is None:
        raise Http404
    return profile


def _profile_data(request):
    profile = _own_profile(request.user)
    return ProviderProfileSerializer(profile, context={"request": request}).data


@extend_schema(tags=["provider"])
class ProviderMeView(CleanTextMixin, APIView):
    """Your helper profile: read it, apply (POST) or change it (PATCH)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Your helper profile", responses={200: ProviderProfileSerializer})
    def get(self, request):
        return Response(_profile_data(request))

    @extend_schema(
        summary="Offer help: apply to be a helper (the council then checks you)",
        request=ProviderApplySerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ProviderProfileSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request):
        fields = ProviderApplySerializer.profile_fields(
            _validated(ProviderApplySerializer, request).validated_data
        )
        provider_apply(user=request.user, **fields)
        return Response(
            _profile_data(request),
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change your helper profile and weekly availability",
        request=ProviderUpdateSerializer,
        responses={200: ProviderProfileSerializer},
    )
    def patch(self, request):
        profile = _own_profile(request.user)
        fields = ProviderUpdateSerializer.profile_fields(
            _validated(ProviderUpdateSerializer, request, partial=True).validated_data
        )
        slots = fields.pop("availability", None)
        # One change: a refused availability must not leave the profile half-updated.
        with transaction.atomic():
            if fields:
                provider_update(profile=profile, **fields)
            if slots is not None:
                availability_replace(profile=profile, slots=slots)
        return Response(_profile_data(request))
