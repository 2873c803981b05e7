"""Forms for a person's own details: sign-up's names, "What should we call you?", "Your details".

They only parse and label; the rules are accounts.details', which the views call.
"""

from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import details
from accounts.constants import ContactMethod

FULL_NAME_HELP = "Your name as you would write it on a letter, for council staff."
KNOWN_AS_HELP = "This is the name the people you are matched with will see."


class NamesForm(forms.Form):
    """The GOV.UK names pattern: the full name in one field, then what to call the person."""

    full_name = forms.CharField(
        label=_("Full name"),
        help_text=FULL_NAME_HELP,
        max_length=details.NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": _("Enter your full name")},
    )
    known_as = forms.CharField(
        label=_("What should we call you?"),
        help_text=KNOWN_AS_HELP,
        max_length=details.KNOWN_AS_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "nickname",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-20",
            }
        ),
        error_messages={"required": _("Enter what we should call you")},
    )


class NamesSignupForm(SignupForm):
    """allauth's sign-up with the names first; the user is named as they are created."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = NamesForm.base_fields
        self.fields = {
            "full_name": names["full_name"],
            "known_as": names["known_as"],
            **self.fields,
        }

    def save(self, request):
        user = super().save(request)
        if user is not None:
            details.user_name_set(
                user=user,
                full_name=self.cleaned_data["full_name"],
                known_as=self.cleaned_data["known_as"],
            )
        return user


class YourDetailsForm(NamesForm):
    phone = forms.CharField(
        label=_("Phone number"),
        help_text=_("A UK landline or mobile number. Leave it empty if you would rather we email."),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "autocomplete": "tel",
                "class": "govuk-input govuk-input--width-20",
            }
        ),
    )
    contact_method = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you would like us to contact you")},
    )

    def clean(self):
        # The rules are the service's: parse here too, so every mistake shows at once.
        data = super().clean()
        try:
            data["phone"] = details.phone_parsed(data.get("phone", ""))
        except forms.ValidationError as error:
            self.add_error(None, error)
        return data
