"""Reference data, public: the kinds of help and the wards."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from matchmaking.api import filters
from matchmaking.api.serializers.reference import AreaSerializer, CategorySerializer
from matchmaking.api.views.common import CleanTextMixin
from services.models import Area, Category


@extend_schema(tags=["reference data"])
class CategoryViewSet(CleanTextMixin, viewsets.ReadOnlyModelViewSet):
    """The kinds of help, which provider kinds may give each and the checks they need.
    Public: partner apps build their forms from it."""

    permission_classes = [AllowAny]
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = filters.CategoryFilter
    lookup_field = "slug"
    lookup_value_regex = filters.SLUG


@extend_schema(tags=["reference data"])
class AreaViewSet(CleanTextMixin, viewsets.ReadOnlyModelViewSet):
    """The wards the council serves. Public, like the council's own ward list."""

    permission_classes = [AllowAny]
    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = filters.AreaFilter
    lookup_field = "code"
    lookup_value_regex = filters.CODE
