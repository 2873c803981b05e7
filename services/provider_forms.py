"""Forms for the provider's "Offer help" journey, profile edits and one-off offers.

Forms parse and check input a person can fix on the page; the write functions in
accounts.providers and services.offers re-check every rule. Each journey step form
can summarise itself for "Check your answers" (`summary`).
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.constants import LANGUAGES, ProviderKind, Weekday
from accounts.photos import process_photo
from services.forms import WeeklySlotsForm, time_input
from services.models import Category
from services.postcodes import PROVIDER_MESSAGES, postcode_in_council

LANGUAGE_NAMES = dict(LANGUAGES)
KIND_HINTS = {
    ProviderKind.CARER: "Personal care, a lift, shopping or company, for someone who needs "
    "a hand at home. Personal care needs an enhanced DBS check.",
    ProviderKind.COOK: "Cook an extra portion of your own meal for a neighbour, or share a "
    "cup of tea. You need a food hygiene certificate.",
    ProviderKind.PEER: "Support someone going through something you have been through "
    "yourself, such as caring for a parent or a new diagnosis.",
}


DISTANCE_ERRORS = {
    "invalid": _("Enter the distance as a number, like 2 or 2.5"),
    "min_value": _("The distance must be 0.5 km or more"),
    "max_value": _("The distance must be 50 km or less"),
    "max_digits": "The distance must be 50 km or less",
    "max_decimal_places": "Enter the distance to one decimal place, like 2.5",
    "max_whole_digits": "The distance must be 50 km or less",
}


def categories_for(kind):
    """The kinds of help this kind of provider may give (allowed_kinds is a JSON list)."""
    # JSON `contains` is not available on SQLite; there are only a handful of categories.
    return Category.objects.filter(pk__in=[c.pk for c in Category.objects.all() if c.allows(kind)])


class ChoicesWithHints:
    """Lets a template render one radios or checkboxes field with a hint under each option."""

    hinted_field = ""

    def hinted(self):
        return self[self.hinted_field]

    def hinted_options(self):
        hints = self.option_hints()
        return [(option, hints.get(str(option.data["value"]), "")) for option in self.hinted()]

    def option_hints(self):
        return {}


class PhotoField(forms.FileField):
    """A photo upload that yields a clean JPEG (accounts.photos) or a form error."""

    widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
    default_error_messages = {
        "invalid": _("The photo was not uploaded. Try again"),
        "empty": _("The selected photo is empty"),
        "missing": _("Select a photo to upload"),
        "max_length": _("The photo's file name is too long"),
        "contradiction": _("Upload a new photo or remove your photo, not both"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("A JPG, PNG or WebP image, smaller than 5 MB. We remove its location data."),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded or uploaded is initial:
            return None
        return process_photo(uploaded)


# --- The journey's steps --------------------------------------------------------------


class KindForm(ChoicesWithHints, forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of helper are you?"),
        choices=ProviderKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select what kind of helper you are"),
            "invalid_choice": _("Select what kind of helper you are"),
        },
    )

    hinted_field = "kind"

    def option_hints(self):
        return {str(kind): hint for kind, hint in KIND_HINTS.items()}

    def summary(self):
        return [(_("Kind of helper"), ProviderKind(self.cleaned_data["kind"]).label)]


class SkillsForm(ChoicesWithHints, forms.Form):
    skills = forms.ModelMultipleChoiceField(
        label=_("What can you help with?"),
        queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select all that apply."),
        error_messages={
            "required": _("Select at least one thing you can help with"),
            "invalid_choice": _("Select only things a helper like you can do"),
            "invalid_pk_value": "Select only things a helper like you can do",
        },
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = categories_for(kind)

    hinted_field = "skills"

    def option_hints(self):
        return {
            str(category.pk): " ".join(
                filter(
                    None,
                    [
                        category.description,
                        "The council will need: " + ", ".join(category.required_check_labels())
                        if category.required_checks
                        else "",
                    ],
                )
            )
            for category in self.fields["skills"].queryset
        }

    def summary(self):
        return [(_("Can help with"), "\n".join(c.name for c in self.cleaned_data["skills"]))]


class AvailabilityForm(WeeklySlotsForm):
    """When a provider can help each week; a day left empty is a day off."""

    missing_start = _("Enter the time you start on {day}")
    missing_end = _("Enter the time you finish on {day}")
    end_before_start = _("The end time on {day} must be after the start time")

    def summary(self):
        lines = [
            gettext("%(day)s, %(start)s to %(end)s")
            % {"day": Weekday(w).label, "start": f"{s:%H:%M}", "end": f"{e:%H:%M}"}
            for w, s, e in self.slots()
        ]
        return [(_("When you can help"), "\n".join(lines))]


def _date_input():
    return forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"})


class TimeAwayForm(forms.Form):
    """Dates a provider is away; accounts.providers.time_away_add checks the rest."""

    starts_on = forms.DateField(
        label=_("First day away"),
        widget=_date_input(),
        error_messages={
            "required": _("Enter the first day you are away"),
            "invalid": _("Enter a real date for the first day away"),
        },
    )
    ends_on = forms.DateField(
        label=_("Last day away"),
        widget=_date_input(),
        error_messages={
            "required": _("Enter the last day you are away"),
            "invalid": _("Enter a real date for the last day away"),
        },
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("For you and the council, for example “Visiting family”."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={"max_length": _("Keep the note to 200 characters or fewer")},
    )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day away must be on or after the first"))
        return data


class PostcodeMixin:
    def clean_home_postcode(self):
        return postcode_in_council(self.cleaned_data["home_postcode"], PROVIDER_MESSAGES)


class WhereForm(PostcodeMixin, forms.Form):
    home_postcode = forms.CharField(
        label=_("Your home postcode"),
        max_length=10,
        help_text=_("Residents see roughly how far away you are, never your address."),
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "postal-code"}
        ),
        error_messages={
            "required": _("Enter your home postcode"),
            "max_length": _("Enter a full postcode, like RV1 2AB"),
        },
    )
    travel_radius_km = forms.DecimalField(
        label=_("How far can you travel, in kilometres?"),
        min_value=0.5,
        max_value=50,
        max_digits=4,
        decimal_places=1,
        help_text=_("From 0.5 to 50. One kilometre is about a 12-minute walk."),
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "decimal"}
        ),
        error_messages={
            **DISTANCE_ERRORS,
            "required": _("Enter how far you can travel, in kilometres"),
        },
    )

    def summary(self):
        data = self.cleaned_data
        return [
            (_("Home postcode"), data["home_postcode"].code),
            (_("How far you can travel"), f"{data['travel_radius_km'].normalize():f} km"),
        ]


class PeopleForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("How many people could you help at the same time?"),
        min_value=1,
        max_value=20,
        help_text=_("From 1 to 20. You can change this later."),
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}
        ),
        error_messages={
            "required": _("Enter how many people you could help at the same time"),
            "invalid": _("Enter a whole number, like 2"),
            "min_value": _("You must be able to help at least 1 person"),
            "max_value": _("Enter 20 people or fewer"),
        },
    )
    languages = forms.MultipleChoiceField(
        label=_("Which languages do you speak?"),
        choices=LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select all that you could help someone in."),
        error_messages={
            "required": _("Select at least one language you speak"),
            "invalid_choice": _("Select languages from the list"),
        },
    )

    def summary(self):
        data = self.cleaned_data
        return [
            (_("People at the same time"), str(data["capacity"])),
            (_("Languages"), ", ".join(str(LANGUAGE_NAMES[code]) for code in data["languages"])),
        ]


class AboutForm(forms.Form):
    bio = forms.CharField(
        label=_("Tell residents a little about yourself"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example what you enjoy, your experience, and why you want to help. "
            "Do not include your address or phone number."
        ),
        error_messages={
            "required": _("Tell residents a little about yourself"),
            "max_length": _("Use 1,000 characters or fewer"),
        },
    )
    photo = PhotoField(label=_("A photo of you (optional)"), required=False)

    def __init__(self, *args, has_photo=False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_photo:
            self.fields["photo"].label = "Replace your photo (optional)"
            self.fields["remove_photo"] = forms.BooleanField(
                label=_("Remove the photo you added"), required=False
            )

    def summary(self):
        return [(_("About you"), self.cleaned_data["bio"])]


# --- Editing a profile -----------------------------------------------------------------


class ProfileForm(PostcodeMixin, ChoicesWithHints, forms.Form):
    skills = SkillsForm.base_fields["skills"]
    home_postcode = WhereForm.base_fields["home_postcode"]
    travel_radius_km = WhereForm.base_fields["travel_radius_km"]
    capacity = PeopleForm.base_fields["capacity"]
    languages = PeopleForm.base_fields["languages"]
    bio = AboutForm.base_fields["bio"]

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = categories_for(kind)

    hinted_field = "skills"
    option_hints = SkillsForm.option_hints


class PhotoForm(forms.Form):
    photo = PhotoField(label=_("Upload a photo of you"), required=False)

    def __init__(self, *args, has_photo=False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_photo:
            self.fields["remove_photo"] = forms.BooleanField(
                label=_("Remove my photo instead"), required=False
            )

    def clean(self):
        data = super().clean()
        if self.has_error("photo"):
            return data
        if data.get("photo") and data.get("remove_photo"):
            self.add_error("photo", _("Upload a new photo or remove your photo, not both"))
        elif not data.get("photo") and not data.get("remove_photo"):
            self.add_error("photo", _("Select a photo to upload"))
        return data


# --- One-off offers --------------------------------------------------------------------


class OfferForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What are you offering?"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Select what you are offering"),
            "invalid_choice": _("Select what you are offering"),
        },
    )
    description = forms.CharField(
        label=_("Describe your offer"),
        max_length=240,
        help_text=_(
            "For example: two extra portions of a vegetarian curry, or a trip to the garden centre."
        ),
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={
            "required": _("Describe your offer"),
            "max_length": _("Use 240 characters or fewer"),
        },
    )
    portions = forms.IntegerField(
        label=_("How many portions? (optional)"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=_("For meals only."),
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}
        ),
        error_messages={
            "invalid": _("Enter the number of portions as a whole number, like 2"),
            "min_value": _("Enter at least 1 portion"),
            "max_value": _("Enter 20 portions or fewer"),
        },
    )
    dietary_notes = forms.CharField(
        label=_("Dietary information (optional)"),
        max_length=240,
        required=False,
        help_text=_("For example: vegetarian, contains nuts, halal."),
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={"max_length": _("Use 240 characters or fewer")},
    )
    on_date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
        ),
        error_messages={
            "required": _("Enter the date of your offer"),
            "invalid": _("Enter a real date"),
        },
    )
    starts_at = forms.TimeField(
        label=_("From"),
        widget=time_input(),
        error_messages={
            "required": _("Enter the start time"),
            "invalid": _("Enter a real start time, like 17:30"),
        },
    )
    ends_at = forms.TimeField(
        label=_("To"),
        widget=time_input(),
        error_messages={
            "required": _("Enter the end time"),
            "invalid": _("Enter a real end time, like 19:00"),
        },
    )
    max_distance_km = forms.DecimalField(
        label=_("How far will you take it, in kilometres?"),
        min_value=0.5,
        max_value=50,
        max_digits=4,
        decimal_places=1,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "decimal"}
        ),
        error_messages={
            **DISTANCE_ERRORS,
            "required": _("Enter how far you will take it, in kilometres"),
        },
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = provider.skills.filter(
            pk__in=categories_for(provider.kind).values("pk")
        )

    def clean(self):
        data = super().clean()
        if data.get("on_date") and data["on_date"] < timezone.localdate():
            self.add_error("on_date", _("The date must be today or in the future"))
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end time must be after the start time"))
        return data
