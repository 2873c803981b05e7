import django_filters
from django import forms

from services.constants import OfferStatus
from services.models import Offer


class OfferFilter(django_filters.FilterSet):
    """A provider's own offers, by status and date (the form renders in GOV.UK style)."""

    status = django_filters.ChoiceFilter(
        label="Status", choices=OfferStatus.choices, empty_label="Any status"
    )
    on_date = django_filters.DateFilter(
        label="On or after",
        lookup_expr="gte",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
    )

    class Meta:
        model = Offer
        fields = ["status", "on_date"]
