"""Forms for the resident's "Request help" journey: one question (or one topic) per page.

Each step form can summarise itself for "Check your answers" (`summary`) and say which
Need fields it supplies (`need_fields`), so the journey and the submit function stay generic.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.constants import LANGUAGES, Weekday
from accounts.windows import clash_message, window_clash
from services.constants import Consent, ReferrerRole, Schedule, Urgency
from services.models import Category
from services.postcodes import postcode_in_council

LANGUAGE_NAMES = dict(LANGUAGES)
FAR_FUTURE_DAYS = 365


def time_input():
    return forms.TimeInput(
        format="%H:%M", attrs={"type": "time", "class": "govuk-input govuk-input--width-5"}
    )


def _yes(value):
    return _("Yes") if value else _("No")


class WhoForm(forms.Form):
    for_whom = forms.ChoiceField(
        label=_("Who needs help?"),
        choices=[
            ("me", _("Me")),
            ("someone_else", _("Someone else – I am asking on their behalf")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select who needs help")},
    )

    def summary(self):
        return [
            (
                _("Who needs help"),
                dict(self.fields["for_whom"].choices)[self.cleaned_data["for_whom"]],
            )
        ]

    def need_fields(self):
        return {}


def check_best_interest(form):
    data = form.cleaned_data
    if data.get("consent") == Consent.BEST_INTEREST:
        if not data.get("best_interest_reason", "").strip():
            form.add_error(
                "best_interest_reason", _("Explain why they cannot agree to this request")
            )
        if not data.get("best_interest_decided_by", "").strip():
            form.add_error(
                "best_interest_decided_by",
                _("Enter who decided this request is in their best interest"),
            )


class ReferralForm(forms.Form):
    referrer_name = forms.CharField(
        label=_("Your full name"),
        max_length=120,
        error_messages={"required": _("Enter your full name")},
    )
    referrer_role = forms.ChoiceField(
        label=_("How do you know them?"),
        choices=ReferrerRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you know them")},
    )
    referrer_organisation = forms.CharField(
        label=_("Organisation (if any)"),
        max_length=120,
        required=False,
        help_text=_("For example the GP practice, charity or team you work for."),
    )
    referrer_phone = forms.CharField(label=_("Your phone number"), max_length=32, required=False)
    referrer_email = forms.EmailField(
        label=_("Your email address"),
        required=False,
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com")
        },
    )
    consent = forms.ChoiceField(
        label=_("Have they agreed to you asking for help for them?"),
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether they agreed to this request")},
    )
    best_interest_reason = forms.CharField(
        label=_("If they cannot agree: why not?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, they lack capacity to make this decision."),
    )
    best_interest_decided_by = forms.CharField(
        label=_("If they cannot agree: who decided it is in their best interest?"),
        max_length=120,
        required=False,
        help_text=_("Name and role, for example their social worker or lasting power of attorney."),
    )

    def clean(self):
        data = super().clean()
        if (
            not data.get("referrer_phone")
            and not data.get("referrer_email")
            and not self.has_error("referrer_email")
        ):
            self.add_error(
                "referrer_phone", _("Enter a phone number or an email address we can reach you on")
            )
        check_best_interest(self)
        return data

    def summary(self):
        d = self.cleaned_data
        rows = [
            (_("Your name"), d["referrer_name"]),
            (_("How you know them"), ReferrerRole(d["referrer_role"]).label),
        ]
        if d["referrer_organisation"]:
            rows.append((_("Organisation"), d["referrer_organisation"]))
        rows.append(
            (
                _("How to reach you"),
                ", ".join(filter(None, [d["referrer_phone"], d["referrer_email"]])),
            )
        )
        rows.append((_("Consent"), Consent(d["consent"]).label))
        if d["consent"] == Consent.BEST_INTEREST:
            rows.append((_("Why they cannot agree"), d["best_interest_reason"]))
            rows.append((_("Decided by"), d["best_interest_decided_by"]))
        return rows

    def need_fields(self):
        d = dict(self.cleaned_data)
        if d["consent"] == Consent.GIVEN:
            d["best_interest_reason"] = d["best_interest_decided_by"] = ""
        return d


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Seeded names are in the catalogue (services.category_names); others show as typed.
        return gettext(obj.name)


class WhatForm(forms.Form):
    category = CategoryChoiceField(
        label=_("What help is needed?"),
        queryset=Category.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Select the kind of help needed"),
            "invalid_choice": _("Select the kind of help needed"),
        },
    )
    details = forms.CharField(
        label=_("Tell us a little more"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: a hot lunch, no pork; help getting washed and dressed."),
        error_messages={
            "required": _("Tell us a little more about the help needed"),
            "max_length": _("Use 2,000 characters or fewer"),
        },
    )

    def summary(self):
        return [
            (_("Help needed"), gettext(self.cleaned_data["category"].name)),
            (_("Details"), self.cleaned_data["details"]),
        ]

    def need_fields(self):
        return dict(self.cleaned_data)


class WhenForm(forms.Form):
    schedule = forms.ChoiceField(
        label=_("How often is help needed?"),
        choices=Schedule.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how often help is needed")},
    )
    urgency = forms.ChoiceField(
        label=_("How soon is help needed?"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.ROUTINE,
        error_messages={"required": _("Select how soon help is needed")},
    )

    def summary(self):
        d = self.cleaned_data
        return [
            (_("How often"), Schedule(d["schedule"]).label),
            (_("How soon"), Urgency(d["urgency"]).label),
        ]

    def need_fields(self):
        return dict(self.cleaned_data)


def check_time_window(form, start_field, end_field):
    start, end = form.cleaned_data.get(start_field), form.cleaned_data.get(end_field)
    if start and end and end <= start:
        form.add_error(end_field, _("The end time must be after the start time"))


def check_required_language(form):
    if form.cleaned_data.get("language_required") and not form.cleaned_data.get("language"):
        form.add_error("language", _("Select the language the helper must speak"))


class OneOffForm(forms.Form):
    on_date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
        error_messages={
            "required": _("Enter the date help is needed"),
            "invalid": _("Enter a real date"),
        },
    )
    starts_at = forms.TimeField(
        label=_("From"),
        widget=time_input(),
        error_messages={
            "required": _("Enter the start time"),
            "invalid": _("Enter a real time, like 09:30"),
        },
    )
    ends_at = forms.TimeField(
        label=_("To"),
        widget=time_input(),
        error_messages={
            "required": _("Enter the end time"),
            "invalid": _("Enter a real time, like 11:00"),
        },
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if data.get("on_date"):
            if data["on_date"] < today:
                self.add_error("on_date", _("The date must be today or in the future"))
            elif data["on_date"] > today + datetime.timedelta(days=FAR_FUTURE_DAYS):
                self.add_error("on_date", _("The date must be within the next year"))
        check_time_window(self, "starts_at", "ends_at")
        return data

    def summary(self):
        d = self.cleaned_data
        return [
            (
                _("When"),
                gettext("%(date)s, %(start)s to %(end)s")
                % {
                    "date": date_format(d["on_date"], "l j F Y"),
                    "start": f"{d['starts_at']:%H:%M}",
                    "end": f"{d['ends_at']:%H:%M}",
                },
            )
        ]

    def need_fields(self):
        return dict(self.cleaned_data)


class WeeklySlotsForm(forms.Form):
    """From/to pairs of times per weekday, several a day; a day left empty has no window.

    Used for a weekly need and for a provider's availability; subclasses reword the
    messages for the person filling it in. The first window of a day is `<day>_from` and
    `<day>_to`, the n-th `<day>_from_<n>` and `<day>_to_<n>`. A form offers one more window
    per day than the most any day has filled (at least two, at most WINDOWS_PER_DAY), so a
    third window is one save away and no script is needed.
    """

    WINDOWS_PER_DAY = 4

    missing_start = _("Enter both times for {day}, or neither")
    missing_end = _("Enter both times for {day}, or neither")
    end_before_start = _("The end time must be after the start time")
    none_given = _("Enter the times for at least one day")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.windows = min(self.WINDOWS_PER_DAY, max(2, self._most_filled() + 1))
        for day in Weekday:
            errors = {
                "invalid": gettext("Enter a real time for %(day)s, like 09:30") % {"day": day.label}
            }
            for number in range(1, self.windows + 1):
                for part in ("from", "to"):
                    label = (
                        gettext("%(day)s from") if part == "from" else gettext("%(day)s to")
                    ) % {"day": day.label}
                    if number > 1:
                        label = gettext("%(label)s, time %(number)s") % {
                            "label": label,
                            "number": number,
                        }
                    self.fields[self.field_name(day, part, number)] = forms.TimeField(
                        label=label,
                        required=False,
                        widget=time_input(),
                        error_messages=errors,
                    )

    @staticmethod
    def field_name(day, part, number=1):
        name = f"{Weekday(day).name.lower()}_{part}"
        return name if number == 1 else f"{name}_{number}"

    def _most_filled(self):
        """The highest window number any day has a time in (typed, or the initial values)."""
        source = self.data if self.is_bound else self.initial
        most = 0
        for number in range(1, self.WINDOWS_PER_DAY + 1):
            for day in Weekday:
                names = [self.field_name(day, part, number) for part in ("from", "to")]
                if self.is_bound:
                    names = [self.add_prefix(name) for name in names]
                if any(source.get(name) not in (None, "") for name in names):
                    most = number
        return most

    def _pairs(self, day):
        return [
            (number, self.field_name(day, "from", number), self.field_name(day, "to", number))
            for number in range(1, self.windows + 1)
        ]

    def clean(self):
        data = super().clean()
        for day in Weekday:
            windows = []
            for _number, start_field, end_field in self._pairs(day):
                if self.has_error(start_field) or self.has_error(end_field):
                    continue
                start, end = data.get(start_field), data.get(end_field)
                if start and not end:
                    self.add_error(end_field, self.missing_end.format(day=day.label))
                elif end and not start:
                    self.add_error(start_field, self.missing_start.format(day=day.label))
                elif start and end and end <= start:
                    self.add_error(end_field, self.end_before_start.format(day=day.label))
                elif start and end:
                    windows.append((day.value, start, end, start_field))
            if clash := window_clash(windows):
                # On the later window's start: that is the one to change or join up.
                self.add_error(clash[1][3], clash_message(*clash))
        if not self.errors and not self.slots():
            raise forms.ValidationError(self.none_given)
        return data

    def slots(self):
        """(weekday, start, end) of every window filled in, by day and time."""
        d = self.cleaned_data
        return sorted(
            (day.value, d[start_field], d[end_field])
            for day in Weekday
            for _number, start_field, end_field in self._pairs(day)
            if d.get(start_field) and d.get(end_field)
        )

    @classmethod
    def initial_from(cls, slots):
        """Initial values showing stored windows (anything with weekday, starts_at, ends_at)."""
        initial, counts = {}, {}
        for slot in sorted(slots, key=lambda s: (s.weekday, s.starts_at)):
            number = counts[slot.weekday] = counts.get(slot.weekday, 0) + 1
            if number > cls.WINDOWS_PER_DAY:
                continue
            initial[cls.field_name(slot.weekday, "from", number)] = slot.starts_at.strftime("%H:%M")
            initial[cls.field_name(slot.weekday, "to", number)] = slot.ends_at.strftime("%H:%M")
        return initial

    def days(self):
        """Per weekday: its label, the windows to show, and the spare ones to offer folded.

        A window is (number, (from field, to field)). The first window of a day is always
        shown; later ones are shown once they hold a time or an error.
        """
        days = []
        for day in Weekday:
            shown, spare = [], []
            for number, start_field, end_field in self._pairs(day):
                fields = (self[start_field], self[end_field])
                used = any(field.value() not in (None, "") or field.errors for field in fields)
                (shown if number == 1 or used else spare).append((number, fields))
            days.append({"label": day.label, "shown": shown, "spare": spare})
        return days


class WeeklyForm(WeeklySlotsForm):
    """When a weekly need wants help."""

    def summary(self):
        return [
            (
                _("When"),
                "; ".join(
                    gettext("%(day)s %(start)s to %(end)s")
                    % {"day": Weekday(w).label, "start": f"{s:%H:%M}", "end": f"{e:%H:%M}"}
                    for w, s, e in self.slots()
                ),
            )
        ]

    def need_fields(self):
        return {"slots": self.slots()}


class WhereForm(forms.Form):
    contact_name = forms.CharField(
        label=_("Full name of the person who needs help"),
        max_length=120,
        error_messages={"required": _("Enter the full name of the person who needs help")},
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "postal-code"}
        ),
        error_messages={
            "required": _("Enter a postcode"),
            "max_length": _("We do not recognise that postcode. Check it and try again"),
        },
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("A helper sees this only once you have both agreed to the match."),
        error_messages={"required": _("Enter the address where help is needed")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-20",
                "autocomplete": "tel",
                "type": "tel",
            }
        ),
        help_text=_("Shared with the helper only once you have both agreed to the match."),
    )
    email = forms.EmailField(
        label=_("Email address of the person who needs help (optional)"),
        required=False,
        help_text=_("We use it to tell them about the request."),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com")
        },
    )

    def clean_postcode(self):
        return postcode_in_council(self.cleaned_data["postcode"])

    def summary(self):
        d = self.cleaned_data
        rows = [
            (_("Name"), d["contact_name"]),
            (_("Address"), f"{d['address']}\n{d['postcode'].code}"),
            (_("Phone number"), d["phone"] or _("Not given")),
        ]
        if d["email"]:
            rows.append((_("Their email address"), d["email"]))
        return rows

    def need_fields(self):
        return dict(self.cleaned_data)


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[("", _("No preference")), *LANGUAGES],
        required=False,
    )
    language_required = forms.BooleanField(
        label=_("Only someone who speaks this language can help"), required=False
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs (optional)"),
        max_length=240,
        required=False,
        help_text=_("For example: vegetarian, halal, soft food, diabetic."),
    )
    notes_for_provider = forms.CharField(
        label=_("Anything a helper should know (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: hard of hearing, a dog in the house, ring the bell twice."),
    )

    def clean(self):
        data = super().clean()
        check_required_language(self)
        return data

    def summary(self):
        d = self.cleaned_data
        language = LANGUAGE_NAMES.get(d["language"], _("No preference"))
        if d["language_required"]:
            language = gettext("%(language)s (required)") % {"language": language}
        return [
            (_("Language"), language),
            (_("Dietary needs"), d["dietary_needs"] or _("None given")),
            (_("For the helper"), d["notes_for_provider"] or _("Nothing")),
        ]

    def need_fields(self):
        return dict(self.cleaned_data)


class NeedChangeForm(forms.Form):
    """One page to change a need that has no helper yet."""

    details = WhatForm.base_fields["details"]
    urgency = WhenForm.base_fields["urgency"]
    contact_name = WhereForm.base_fields["contact_name"]
    address = WhereForm.base_fields["address"]
    phone = WhereForm.base_fields["phone"]
    email = WhereForm.base_fields["email"]
    language = PreferencesForm.base_fields["language"]
    language_required = PreferencesForm.base_fields["language_required"]
    dietary_needs = PreferencesForm.base_fields["dietary_needs"]
    notes_for_provider = PreferencesForm.base_fields["notes_for_provider"]

    def clean(self):
        data = super().clean()
        check_required_language(self)
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing the request? (optional)"),
        max_length=240,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PhoneConsentForm(forms.Form):
    """Staff taking a request by phone record consent the same way a referrer does."""

    consent = ReferralForm.base_fields["consent"]
    best_interest_reason = ReferralForm.base_fields["best_interest_reason"]
    best_interest_decided_by = ReferralForm.base_fields["best_interest_decided_by"]

    def clean(self):
        data = super().clean()
        check_best_interest(self)
        return data

    def need_fields(self):
        return dict(self.cleaned_data)
