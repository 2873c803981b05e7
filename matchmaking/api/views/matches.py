"""Matches you are part of, and the lifecycle actions on them."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matchmaking import lifecycle
from matchmaking.api import filters
from matchmaking.api.schema import ERROR
from matchmaking.api.serializers.common import ReasonSerializer, RequiredReasonSerializer
from matchmaking.api.serializers.matches import MatchSerializer
from matchmaking.api.views.common import NoBodySerializer, OwnRowsMixin, _validated
from matchmaking.models import Match


def _match_action(summary, body=None):
    return extend_schema(summary=summary, request=body, responses={200: MatchSerializer})


@extend_schema(tags=["matches"])
class MatchViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Matches you are part of, as the provider or as the person who asked for help.

    Each action calls the lifecycle function the web calls; when the match is not in a
    state that allows it, or you are on the wrong side for it, the answer is a 400 with a
    message. The resident's address and phone (and the provider's contact details) are in
    the response only while the match is active.
    """

    permission_classes = [IsAuthenticated]
    serializer_class = MatchSerializer
    filterset_class = filters.MatchFilter

    model = Match

    def rows(self, user):
        mine = Match.objects.for_party(user)
        # The conversation holds each side's choice to share its phone and email.
        return mine.select_related(
            "need__category", "provider__user", "conversation"
        ).prefetch_related("need__slots")

    def _act(self, function, body=NoBodySerializer, **kwargs):
        match = self.get_object()
        data = _validated(body, self.request).validated_data
        function(match=match, actor=self.request.user, **kwargs, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=match.pk)).data)

    @extend_schema(
        summary="Provider: accept the offer",
        request=None,
        responses={
            200: MatchSerializer,
            409: OpenApiResponse(
                ERROR,
                description="An urgent request offered to several providers at once: someone "
                "else has already said yes to it.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(lifecycle.match_accept)

    @_match_action("Provider: decline the offer", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(lifecycle.match_decline, ReasonSerializer)

    @_match_action("Resident: confirm the provider who accepted")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._act(lifecycle.match_confirm)

    @_match_action("Resident: ask for someone else", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="ask-for-someone-else")
    def ask_for_someone_else(self, request, pk=None):
        return self._act(lifecycle.match_ask_for_someone_else, ReasonSerializer)

    @_match_action(
        "Either side: cancel a live match (a reason is required)", RequiredReasonSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(lifecycle.match_cancel, RequiredReasonSerializer)

    @_match_action("Either side: mark the help as given")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(lifecycle.match_complete)
