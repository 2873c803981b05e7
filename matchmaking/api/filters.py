"""django-filter filter sets for every API list (status, category, area, dates)."""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from accounts.constants import ProviderKind, ProviderStatus
from accounts.models import ProviderProfile
from matchmaking.constants import ConcernKind, ConcernStatus, MatchStatus, VisitStatus
from matchmaking.models import Concern, Match, Notification, Rating, Visit
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
                message = _("Give a value, or leave this parameter out.")
            elif isinstance(filter_, filters.BooleanFilter) and any(
                str(value).lower() not in BOOLEANS for value in values
            ):
                message = _("Use true or false.")
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


# What each free-text parameter may hold, stated in the schema and enforced by the filter
# (a 400 otherwise), so that anything the schema allows is answered. Written to mean the
# same in ECMAScript (OpenAPI) and Python regular expressions; values are stripped first.
# SLUG and CODE are also the detail URLs' lookup patterns (views.py): anything else is a 404
# at routing, and the schema's path parameters say so.
SLUG = r"[-a-zA-Z0-9_]+"
CODE = r"[A-Za-z0-9_-]+"  # a ward code or a need reference
SLUG_PATTERN = f"^{SLUG}$"
CODE_PATTERN = f"^{CODE}$"
# No NUL (PostgreSQL cannot compare it) and something besides spaces: Python strips what
# str.isspace() calls a space, which is ECMAScript's \s plus \x1c-\x1f and \x85.
SEARCH_PATTERN = r"^[^\u0000]*[^\s\u0000\u001c-\u001f\u0085][^\u0000]*$"


def _text(pattern, max_length, label, message, **kwargs):
    """A CharFilter held to `pattern` and `max_length`, with the schema saying so."""
    text_filter = filters.CharFilter(
        label=label,
        max_length=max_length,
        validators=[RegexValidator(pattern, message)],
        **kwargs,
    )
    schema = {"type": "string", "pattern": pattern, "maxLength": max_length, "description": label}
    return extend_schema_field(schema)(text_filter)


def _category(field_name="category", distinct=False):
    # By slug; one that does not exist matches nothing (the schema cannot list them).
    return _text(
        SLUG_PATTERN,
        Category._meta.get_field("slug").max_length,
        "Kind of help (category slug)",
        _("Give a category slug: letters, digits, hyphens and underscores."),
        field_name=f"{field_name}__slug",
        distinct=distinct,
    )


def _area(field_name="area", **kwargs):
    if "method" not in kwargs:
        kwargs["field_name"] = f"{field_name}__code"
    return _text(
        CODE_PATTERN,
        Area._meta.get_field("code").max_length,
        kwargs.pop("label", "Area (ward code)"),
        _("Give a ward code: letters, digits, hyphens and underscores."),
        **kwargs,
    )


def _date(field_name, lookup_expr, label):
    return filters.DateFilter(field_name=field_name, lookup_expr=lookup_expr, label=label)


class CreatedFilterSet(StrictFilterSet):
    created_after = _date("created_at", "date__gte", "Created on or after (YYYY-MM-DD)")
    created_before = _date("created_at", "date__lte", "Created on or before (YYYY-MM-DD)")


class CategoryFilter(StrictFilterSet):
    kind = filters.ChoiceFilter(
        choices=ProviderKind.choices,
        method="filter_kind",
        label=_("Provider kind that may serve it"),
    )

    class Meta:
        model = Category
        fields = ["kind"]

    def filter_kind(self, queryset, name, value):
        # allowed_kinds is a JSON list (no `contains` on SQLite); there are a handful of rows.
        return queryset.filter(pk__in=[c.pk for c in queryset if c.allows(value)])


class AreaFilter(StrictFilterSet):
    name = _text(
        SEARCH_PATTERN,
        Area._meta.get_field("name").max_length,
        "Name contains",
        _("Give some text to look for."),
        lookup_expr="icontains",
    )

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
    need = _text(
        CODE_PATTERN,
        Need._meta.get_field("reference").max_length,
        "Need reference",
        _("Give a need reference, like KTH-7QX4PD."),
        field_name="need__reference",
    )

    class Meta:
        model = Match
        fields = ["status", "category", "area", "need"]


class MatchFilter(StaffMatchFilter):
    side = filters.ChoiceFilter(choices=SIDES, method="filter_side", label=_("Your side of it"))

    class Meta(StaffMatchFilter.Meta):
        fields = [*StaffMatchFilter.Meta.fields, "side"]

    def filter_side(self, queryset, name, value):
        user = self.request.user
        if value == "provider":
            return queryset.filter(provider__user=user)
        return queryset.filter(Q(need__requested_by=user) | Q(need__resident=user))


class NotificationFilter(CreatedFilterSet):
    unread = filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Only unread (true) or read (false)")
    )

    class Meta:
        model = Notification
        fields = ["unread"]


class RatingFilter(CreatedFilterSet):
    match = IdFilter(field_name="match_id", label=_("Match id"))

    class Meta:
        model = Rating
        fields = ["match"]


class ConcernFilter(CreatedFilterSet):
    status = filters.ChoiceFilter(choices=ConcernStatus.choices)
    kind = filters.ChoiceFilter(choices=ConcernKind.choices)
    match = IdFilter(field_name="match_id", label=_("Match id"))

    class Meta:
        model = Concern
        fields = ["status", "kind", "match"]


class StaffProviderFilter(CreatedFilterSet):
    status = filters.ChoiceFilter(choices=ProviderStatus.choices)
    kind = filters.ChoiceFilter(choices=ProviderKind.choices)
    category = _category("skills", distinct=True)
    area = _area(method="filter_area", label=_("Home area (ward code)"))

    class Meta:
        model = ProviderProfile
        fields = ["status", "kind", "category", "area"]

    def filter_area(self, queryset, name, value):
        codes = Postcode.objects.filter(area__code=value).order_by().values("code")
        return queryset.filter(home_postcode__in=codes)


class VisitFilter(StrictFilterSet):
    status = filters.ChoiceFilter(choices=VisitStatus.choices)
    on_or_after = _date("starts_at", "date__gte", "Starts on or after (YYYY-MM-DD)")
    on_or_before = _date("starts_at", "date__lte", "Starts on or before (YYYY-MM-DD)")

    class Meta:
        model = Visit
        fields = ["status"]
