import django_filters
from django import forms

from services.constants import NeedStatus
from services.models import Category, Need


class NeedFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=NeedStatus.choices, empty_label="Any status")
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), empty_label="Any kind of help"
    )
    created_after = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="Asked on or after",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
    )

    class Meta:
        model = Need
        fields = ["status", "category", "created_after"]
