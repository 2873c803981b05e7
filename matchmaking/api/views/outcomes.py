"""Outcomes over the API: a programme's figures for council staff of its areas, and a public
summary a council can publish as open data. Both are aggregates with small numbers withheld
(matchmaking.outcomes.figures), built by the same functions as the dashboard."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from matchmaking import scoping
from matchmaking.api.permissions import IsCouncilStaff
from matchmaking.api.serializers.outcomes import (
    OutcomesQuerySerializer,
    ProgrammeOutcomesSerializer,
    PublicProgrammeSummarySerializer,
    programme_outcomes_data,
    public_summary_data,
)
from matchmaking.outcomes import figures
from services.models import Programme


@extend_schema(tags=["staff"])
class ProgrammeOutcomesView(APIView):
    """Outcome figures of a programme working in your areas: the programme as a whole, then
    each of your areas and each category in it. Figures from fewer than 5 people (or that
    would let such a group be worked out) are withheld and say so."""

    permission_classes = [IsCouncilStaff]

    @extend_schema(parameters=[OutcomesQuerySerializer], responses=ProgrammeOutcomesSerializer)
    def get(self, request, pk):
        query = OutcomesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        area_ids = scoping.staff_area_ids(request.user)
        programmes = Programme.objects.all()
        if area_ids is not None:
            programmes = programmes.filter(areas__in=area_ids).distinct()
        programme = programmes.filter(pk=pk).first()
        if programme is None:
            raise NotFound()
        period = query.validated_data["period"]
        follow_up = query.validated_data["follow_up"]
        rows = figures.outcomes_by_group(
            area_ids,
            period,
            follow_up_wave=follow_up,
            programme_id=programme.pk,
            all_name=programme.name,
            kinds=("area", "category"),
        )
        data = programme_outcomes_data(programme, period, follow_up, rows)
        return Response(ProgrammeOutcomesSerializer(data).data)


@extend_schema(tags=["open data"], auth=[])
class PublicProgrammeSummaryView(APIView):
    """Open data: what a programme has done so far and how the people it helps are, in
    aggregate. No sign-in, any origin; no personal data, small numbers withheld."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=PublicProgrammeSummarySerializer)
    def get(self, request, pk):
        programme = Programme.objects.filter(
            pk=pk, is_active=True, starts_on__lte=timezone.localdate()
        ).first()
        if programme is None:
            raise NotFound()
        summary = figures.programme_summary(programme)
        return Response(PublicProgrammeSummarySerializer(public_summary_data(summary)).data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response
