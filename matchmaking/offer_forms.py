"""The form for a resident's wish to hear of providers' one-off offers near home.

It only parses and labels; the rules are matchmaking.offer_proposals', which the view calls.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import Category
from services.postcodes import postcode_in_council


class OfferAlertsForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label=_("Which offers would you like to hear about?"),
        queryset=Category.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Select all that apply. Select none to stop hearing about offers."),
        error_messages={"invalid_choice": _("Select only the kinds of help listed")},
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "class": "govuk-input govuk-input--width-10"}
        ),
    )
    address = forms.CharField(
        label=_("Address"),
        help_text=_("A helper sees it only once you have both said yes."),
        max_length=400,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "autocomplete": "street-address", "class": "govuk-textarea"}
        ),
    )
    dietary_needs = forms.CharField(
        label=_("Anything you cannot eat (optional)"),
        max_length=240,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("categories"):
            if not data.get("postcode", "").strip():
                self.add_error("postcode", _("Enter your postcode"))
            else:
                try:
                    data["postcode"] = postcode_in_council(data["postcode"])
                except forms.ValidationError as error:
                    self.add_error("postcode", error)
            if not data.get("address", "").strip():
                self.add_error("address", _("Enter your address"))
        return data
