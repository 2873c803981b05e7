"""Your visits, on either side of a match, and recording what became of one."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matchmaking import visits
from matchmaking.api import filters
from matchmaking.api.serializers.visits import VisitSerializer
from matchmaking.api.views.common import NoBodySerializer, OwnRowsMixin, _validated
from matchmaking.models import Visit


def _visit_action(summary):
    return extend_schema(summary=summary, request=None, responses={200: VisitSerializer})


@extend_schema(tags=["visits"])
class VisitViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Visits of matches you are part of, soonest first. Each action calls the function
    the web page calls; a visit not in a state that allows it is a 400 with a message."""

    permission_classes = [IsAuthenticated]
    serializer_class = VisitSerializer
    filterset_class = filters.VisitFilter

    model = Visit

    def rows(self, user):
        return visits.visits_for_person(user)

    def _act(self, function):
        visit = self.get_object()
        _validated(NoBodySerializer, self.request)
        function(visit=visit, actor=self.request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=visit.pk)).data)

    @_visit_action("Provider: the visit happened (not before it starts)")
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self._act(visits.visit_mark_done)

    @_visit_action("Either side: cannot make this visit (the other side is told)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(visits.visit_cancel)

    @_visit_action("Resident's side: the visit did not happen (council staff are told)")
    @action(detail=True, methods=["post"], url_path="did-not-happen")
    def did_not_happen(self, request, pk=None):
        return self._act(visits.visit_report_missed)
