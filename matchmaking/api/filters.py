"""django-filter filter sets for every API list (status, category, area, dates)."""

from django import forms
from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from accounts.constants import ProviderKind, ProviderStatus
from accounts.models import ProviderProfile
from matchmaking.constants import ConcernKind, ConcernStatus, MatchStatus
from matchmaking.models import Concern, Match, Notification, Rating
from services.constants import NeedStatus, OfferStatus, Schedule, Urgency
from services.models import Area, Category, Need, Offer, Postcode

BOOLEANS = ("true", "false")


class StrictFilterSet(filters.FilterSet):
    """A filter given without a value, or a yes/no that is neither true nor false, is a 400
    naming it (django-filter would quietly not filter)."""

    def is_valid(self):
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            if any(str(value).strip() == "" for value in values):
                message = "Give a value, or leave this parameter out."
            elif isinstance(filter_, filters.BooleanFilter) and any(
                str(value).lower() not in BOOLEANS for value in values
            ):
                message = "Use true or false."
            else:
                continue
            if name not in self.form.errors:
                self.form.add_error(name, message)
            valid = False
        return valid


MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A row id: a whole number (django-filter's NumberFilter takes decimals)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _category(field_name="category", distinct=False):
    # By slug; one that does not exist matches nothing (the schema cannot list them).
    return filters.CharFilter(
        field_name=f"{field_name}__slug", label="Kind of help (category slug)", distinct=distinct
    )


def _area(field_name="area"):
    return filters.CharFilter(field_name=f"{field_name}__code", label="Area (ward code)")


def _date(field_name, lookup_expr, label):
    return filters.DateFilter(field_name=field_name, lookup_expr=lookup_expr, label=label)


class CreatedFilterSet(StrictFilterSet):
    created_after = _date("created_at", "date__gte", "Created on or after (YYYY-MM-DD)")
    created_before = _date("created_at", "date__lte", "Created on or before (YYYY-MM-DD)")


class CategoryFilter(StrictFilterSet):
    kind = filters.ChoiceFilter(
        choices=ProviderKind.choices, method="filter_kind", label="Provider kind that may serve it"
    )

    class Meta:
        model = Category
        fields = ["kind"]

    def filter_kind(self, queryset, name, value):
        # allowed_kinds is a JSON list (no `contains` on SQLite); there are a handful of rows.
        return queryset.filter(pk__in=[c.pk for c in queryset if c.allows(value)])


class AreaFilter(StrictFilterSet):
    name = filters.CharFilter(lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Area
        fields = ["name"]


class NeedFilter(CreatedFilterSet):
    status = filters.ChoiceFilter(choices=NeedStatus.choices)
    category = _category()
    area = _area()
    schedule = filters.ChoiceFilter(choices=Schedule.choices)
    urgency = filters.ChoiceFilter(choices=Urgency.choices)

    class Meta:
        model = Need
        fields = ["status", "category", "area", "schedule", "urgency"]


class OfferFilter(CreatedFilterSet):
    status = filters.ChoiceFilter(choices=OfferStatus.choices)
    category = _category()
    on_or_after = _date("on_date", "gte", "On or after (YYYY-MM-DD)")
    on_or_before = _date("on_date", "lte", "On or before (YYYY-MM-DD)")

    class Meta:
        model = Offer
        fields = ["status", "category"]


SIDES = [("provider", "You are the provider"), ("resident", "You asked for the help")]


class StaffMatchFilter(CreatedFilterSet):
    status = filters.ChoiceFilter(choices=MatchStatus.choices)
    category = _category("need__category")
    area = _area("need__area")
    need = filters.CharFilter(field_name="need__reference", label="Need reference")

    class Meta:
        model = Match
        fields = ["status", "category", "area", "need"]


class MatchFilter(StaffMatchFilter):
    side = filters.ChoiceFilter(choices=SIDES, method="filter_side", label="Your side of it")

    class Meta(StaffMatchFilter.Meta):
        fields = [*StaffMatchFilter.Meta.fields, "side"]

    def filter_side(self, queryset, name, value):
        user = self.request.user
        if value == "provider":
            return queryset.filter(provider__user=user)
        return queryset.filter(Q(need__requested_by=user) | Q(need__resident=user))


class NotificationFilter(CreatedFilterSet):
    unread = filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="Only unread (true) or read (false)"
    )

    class Meta:
        model = Notification
        fields = ["unread"]


class RatingFilter(CreatedFilterSet):
    match = IdFilter(field_name="match_id", label="Match id")

    class Meta:
        model = Rating
        fields = ["match"]


class ConcernFilter(CreatedFilterSet):
    status = filters.ChoiceFilter(choices=ConcernStatus.choices)
    kind = filters.ChoiceFilter(choices=ConcernKind.choices)
    match = IdFilter(field_name="match_id", label="Match id")

    class Meta:
        model = Concern
        fields = ["status", "kind", "match"]


class StaffProviderFilter(CreatedFilterSet):
    status = filters.ChoiceFilter(choices=ProviderStatus.choices)
    kind = filters.ChoiceFilter(choices=ProviderKind.choices)
    category = _category("skills", distinct=True)
    area = filters.CharFilter(method="filter_area", label="Home area (ward code)")

    class Meta:
        model = ProviderProfile
        fields = ["status", "kind", "category", "area"]

    def filter_area(self, queryset, name, value):
        codes = Postcode.objects.filter(area__code=value).order_by().values("code")
        return queryset.filter(home_postcode__in=codes)
