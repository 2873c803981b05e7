"""API views: parse with a serializer, call one write function, answer with a serializer.

Each queryset holds only what the user may see, so someone else's need, offer, match,
rating, concern or notification is a 404, never a 403 that would confirm it exists.
Refusals from the write functions (TransitionError, ValidationError) become 400s in
matchmaking.api.exceptions.
"""

from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware
from auditlog.signals import accessed
from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.models import ProviderProfile
from accounts.providers import availability_replace, provider_apply, provider_update
from matchmaking import lifecycle, safeguarding, scoping, trust
from matchmaking import serializers as s
from matchmaking.api import filters
from matchmaking.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from matchmaking.api.parsers import check_text
from matchmaking.api.permissions import IsCouncilStaff, IsProvider
from matchmaking.models import Concern, Match, Notification, Rating
from services.models import Area, Category, Need, Offer
from services.needs import need_submit, need_update
from services.offers import offer_create, offer_withdraw, offers_visible_to
from services.selectors import needs_visible_to


class NoBodySerializer(s.WriteSerializer):
    """Actions that take no input: any field sent is refused by name."""


def _validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


class CleanTextMixin:
    """Path and query values with a NUL character are a 400: PostgreSQL cannot compare
    text with one, and would answer the lookup with an error (a 500)."""

    def initial(self, request, *args, **kwargs):
        for value in [*kwargs.values(), *request.query_params.keys()]:
            check_text(str(value))
        for values in request.query_params.lists():
            for value in values[1]:
                check_text(value)
        super().initial(request, *args, **kwargs)


class OwnRowsMixin(CleanTextMixin):
    """get_queryset() = rows(user): only what this user may see. The schema generator
    has no user, so it gets an empty queryset of `model`."""

    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.rows(self.request.user)


# --- index ---------------------------------------------------------------------------------


@extend_schema(exclude=True)
class ApiRootView(APIView):
    """Where the schema and its documentation are."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response(
            {
                "schema": reverse("api:schema", request=request),
                "docs": reverse("api:docs", request=request),
            }
        )


# --- reference data (public) ---------------------------------------------------------------


@extend_schema(tags=["reference data"])
class CategoryViewSet(CleanTextMixin, viewsets.ReadOnlyModelViewSet):
    """The kinds of help, which provider kinds may give each and the checks they need.
    Public: partner apps build their forms from it."""

    permission_classes = [AllowAny]
    queryset = Category.objects.all()
    serializer_class = s.CategorySerializer
    filterset_class = filters.CategoryFilter
    lookup_field = "slug"
    lookup_value_regex = filters.SLUG


@extend_schema(tags=["reference data"])
class AreaViewSet(CleanTextMixin, viewsets.ReadOnlyModelViewSet):
    """The wards the council serves. Public, like the council's own ward list."""

    permission_classes = [AllowAny]
    queryset = Area.objects.all()
    serializer_class = s.AreaSerializer
    filterset_class = filters.AreaFilter
    lookup_field = "code"
    lookup_value_regex = filters.CODE


# --- needs ---------------------------------------------------------------------------------


@extend_schema(tags=["needs"])
@extend_schema_view(
    create=extend_schema(
        summary="Ask for help",
        request=s.NeedCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.NeedSerializer, **IDEMPOTENCY_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change a need that has no helper yet",
        request=s.NeedUpdateSerializer,
        responses={200: s.NeedSerializer},
    ),
)
class NeedViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your requests for help: those you made and those made for you."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.NeedSerializer
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
        serializer = _validated(s.NeedCreateSerializer, request)
        need = need_submit(requested_by=request.user, **serializer.need_submit_kwargs())
        return self._answer(need, status.HTTP_201_CREATED)

    def partial_update(self, request, reference=None):
        need = self.get_object()
        serializer = s.NeedUpdateSerializer(
            need, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        need_update(need=need, actor=request.user, **serializer.need_update_kwargs())
        return self._answer(need)

    @extend_schema(
        summary="Withdraw a need (any live match is cancelled)",
        request=s.ReasonSerializer,
        responses={200: s.NeedSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference=None):
        need = self.get_object()
        reason = _validated(s.ReasonSerializer, request).validated_data["reason"]
        lifecycle.need_withdraw(need=need, actor=request.user, reason=reason)
        return self._answer(need)


# --- the provider's profile ----------------------------------------------------------------


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
    return s.ProviderProfileSerializer(profile, context={"request": request}).data


@extend_schema(tags=["provider"])
class ProviderMeView(CleanTextMixin, APIView):
    """Your helper profile: read it, apply (POST) or change it (PATCH)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Your helper profile", responses={200: s.ProviderProfileSerializer})
    def get(self, request):
        return Response(_profile_data(request))

    @extend_schema(
        summary="Offer help: apply to be a helper (the council then checks you)",
        request=s.ProviderApplySerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.ProviderProfileSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request):
        fields = s.ProviderApplySerializer.profile_fields(
            _validated(s.ProviderApplySerializer, request).validated_data
        )
        provider_apply(user=request.user, **fields)
        return Response(
            _profile_data(request),
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change your helper profile and weekly availability",
        request=s.ProviderUpdateSerializer,
        responses={200: s.ProviderProfileSerializer},
    )
    def patch(self, request):
        profile = _own_profile(request.user)
        fields = s.ProviderUpdateSerializer.profile_fields(
            _validated(s.ProviderUpdateSerializer, request, partial=True).validated_data
        )
        slots = fields.pop("availability", None)
        # One change: a refused availability must not leave the profile half-updated.
        with transaction.atomic():
            if fields:
                provider_update(profile=profile, **fields)
            if slots is not None:
                availability_replace(profile=profile, slots=slots)
        return Response(_profile_data(request))


# --- offers --------------------------------------------------------------------------------


@extend_schema(tags=["offers"])
@extend_schema_view(
    create=extend_schema(
        summary="Post a one-off offer (needs a helper profile)",
        request=s.OfferCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.OfferSerializer, **IDEMPOTENCY_RESPONSES},
    )
)
class OfferViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your one-off offers ("two extra portions on Thursday")."""

    serializer_class = s.OfferSerializer
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
        data = _validated(s.OfferCreateSerializer, request).validated_data
        offer = offer_create(provider=profile, **data)
        return Response(self.get_serializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw an open offer", request=None, responses={200: s.OfferSerializer}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        offer = self.get_object()
        _validated(NoBodySerializer, request)
        offer = offer_withdraw(offer=offer, actor=request.user)
        return Response(self.get_serializer(offer).data)


# --- matches -------------------------------------------------------------------------------


def _match_action(summary, body=None):
    return extend_schema(summary=summary, request=body, responses={200: s.MatchSerializer})


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
    serializer_class = s.MatchSerializer
    filterset_class = filters.MatchFilter

    model = Match

    def rows(self, user):
        mine = Match.objects.for_provider(user) | Match.objects.for_resident(user)
        return mine.select_related("need__category", "provider__user").prefetch_related(
            "need__slots"
        )

    def _act(self, function, body=NoBodySerializer, **kwargs):
        match = self.get_object()
        data = _validated(body, self.request).validated_data
        function(match=match, actor=self.request.user, **kwargs, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=match.pk)).data)

    @_match_action("Provider: accept the offer")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(lifecycle.match_accept)

    @_match_action("Provider: decline the offer", s.ReasonSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(lifecycle.match_decline, s.ReasonSerializer)

    @_match_action("Resident: confirm the provider who accepted")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._act(lifecycle.match_confirm)

    @_match_action("Resident: ask for someone else", s.ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="ask-for-someone-else")
    def ask_for_someone_else(self, request, pk=None):
        return self._act(lifecycle.match_ask_for_someone_else, s.ReasonSerializer)

    @_match_action(
        "Either side: cancel a live match (a reason is required)", s.RequiredReasonSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(lifecycle.match_cancel, s.RequiredReasonSerializer)

    @_match_action("Either side: mark the help as given")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(lifecycle.match_complete)


# --- notifications -------------------------------------------------------------------------


@extend_schema(tags=["notifications"])
class NotificationViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """What you should know or act on (also sent by email). Newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.NotificationSerializer
    filterset_class = filters.NotificationFilter

    model = Notification

    def rows(self, user):
        return Notification.objects.filter(user=user)

    @extend_schema(summary="Mark as read", request=None, responses={200: s.NotificationSerializer})
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


# --- ratings and concerns ------------------------------------------------------------------


@extend_schema(tags=["ratings"])
@extend_schema_view(
    create=extend_schema(
        summary="Rate the other side of a completed match (once)",
        request=s.RatingCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.RatingSerializer, **IDEMPOTENCY_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change your rating (for 7 days)",
        request=s.RatingEditSerializer,
        responses={200: s.RatingSerializer},
    ),
)
class RatingViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Ratings you gave."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.RatingSerializer
    filterset_class = filters.RatingFilter

    model = Rating

    def rows(self, user):
        return Rating.objects.filter(rater=user)

    @idempotent
    def create(self, request):
        data = _validated(s.RatingCreateSerializer, request).validated_data
        rating = trust.rating_give(actor=request.user, **data)
        return Response(self.get_serializer(rating).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        rating = self.get_object()
        data = _validated(s.RatingEditSerializer, request, partial=True).validated_data
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
        request=s.ConcernCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.ConcernSerializer, **IDEMPOTENCY_RESPONSES},
    )
)
class ConcernViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Concerns you raised. Safeguarding concerns are always urgent; if someone is in
    immediate danger, call 999 first."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ConcernSerializer
    filterset_class = filters.ConcernFilter

    model = Concern

    def rows(self, user):
        return Concern.objects.filter(raised_by=user)

    @idempotent
    def create(self, request):
        data = dict(_validated(s.ConcernCreateSerializer, request).validated_data)
        concern = safeguarding.concern_raise(raised_by=request.user, **data)
        return Response(self.get_serializer(concern).data, status=status.HTTP_201_CREATED)


# --- council staff -------------------------------------------------------------------------


class AccessLoggedMixin:
    """Each row a staff list or detail shows is recorded as looked at (an auditlog ACCESS
    entry: who and when, never the data), as the admin's change pages record it.

    The audit middleware ran before DRF read the token, so it knows only session users:
    its context (actor, address) is taken again here, now that the caller is known.
    `accessed_rows(obj)` names what one row discloses.
    """

    def accessed_rows(self, obj):
        return [obj]

    def record_access(self, objects):
        context = AuditlogMiddleware().get_extra_data(self.request)
        with set_extra_data(context_data=context):
            for obj in objects:
                for row in self.accessed_rows(obj):
                    accessed.send(sender=type(row), instance=row)

    def get_object(self):
        obj = super().get_object()
        self.record_access([obj])
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.record_access(page if page is not None else queryset)
        return page


@extend_schema(tags=["staff"])
class StaffNeedViewSet(AccessLoggedMixin, OwnRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Needs in the areas you work in (the same scoping as the admin)."""

    permission_classes = [IsCouncilStaff]
    serializer_class = s.StaffNeedSerializer
    filterset_class = filters.NeedFilter
    lookup_field = "reference"
    lookup_value_regex = filters.CODE

    model = Need

    def rows(self, user):
        needs = scoping.needs_for_staff(user).select_related(
            "category", "area", "programme", "requested_by", "resident"
        )
        return needs.prefetch_related("slots")


@extend_schema(tags=["staff"])
class StaffProviderViewSet(AccessLoggedMixin, OwnRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Providers who live in the areas you work in."""

    permission_classes = [IsCouncilStaff]
    serializer_class = s.StaffProviderSerializer
    filterset_class = filters.StaffProviderFilter

    model = ProviderProfile

    def rows(self, user):
        providers = scoping.providers_for_staff(user).select_related("user")
        return providers.prefetch_related("skills", "availability", "checks")

    def accessed_rows(self, profile):
        # The admin's provider page records the profile and each of its checks.
        return [profile, *profile.checks.all()]


@extend_schema(tags=["staff"])
class StaffMatchViewSet(OwnRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Matches for needs in the areas you work in."""

    permission_classes = [IsCouncilStaff]
    serializer_class = s.StaffMatchSerializer
    filterset_class = filters.StaffMatchFilter

    model = Match

    def rows(self, user):
        return scoping.matches_for_staff(user).select_related(
            "need__area", "need__category", "provider__user"
        )


@csrf_exempt  # it changes nothing, and a POST must get this 404, not the CSRF page
def not_found(request, *args, **kwargs):
    """A JSON 404 for any path under /api/v1/ that no endpoint serves."""
    return JsonResponse({"detail": "Not found."}, status=404)
