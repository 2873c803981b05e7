"""The survey form, built from the instruments so each question reads as published."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matchmaking.outcomes.instruments import items_of

CONSENT_YES = "yes"
CONSENT_NO = "no"


def _choices(item):
    if item.options:
        return [(option.value, gettext(option.label)) for option in item.options]
    ends = {item.low: gettext(item.scale_low), item.high: gettext(item.scale_high)}
    return [
        (value, f"{value} – {ends[value]}" if value in ends else str(value))
        for value in range(item.low, item.high + 1)
    ]


class SurveyForm(forms.Form):
    """One optional radio question per item (people may skip any), at least one answered.

    With `ask_consent` the form first asks, once, whether the person agrees; "no" stores
    no answers. With `on_behalf` (a referrer answering) it asks them to confirm the
    person is with them and giving the answers.
    """

    def __init__(
        self, *args, instruments, ask_consent=False, on_behalf=None, by_staff=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.items = items_of(instruments)
        if ask_consent:
            self.fields["consent"] = forms.ChoiceField(
                label=_("May we keep these answers?"),
                help_text=_(
                    "The council uses them, without names, to find out whether this help "
                    "makes people less lonely. You can withdraw them at any time from your "
                    "account, and saying no changes nothing about the help you get."
                ),
                choices=[
                    (CONSENT_YES, _("Yes, keep my answers")),
                    (CONSENT_NO, _("No, do not ask me these questions")),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Select yes if we may keep the answers")},
            )
        if on_behalf:
            self.fields["person_present"] = forms.BooleanField(
                label=_("%(name)s is with me now and is giving these answers themselves")
                % {"name": on_behalf},
                error_messages={
                    "required": _(
                        "Confirm the person is with you and giving the answers, or skip "
                        "the questions"
                    )
                },
            )
        if by_staff:
            self.fields["person_present"] = forms.BooleanField(
                label=_("The person is on the phone and is giving these answers themselves"),
                error_messages={"required": _("Confirm the person is giving the answers")},
            )
        introductions = {
            instrument.items[0].code: instrument.introduction
            for instrument in instruments
            if instrument.introduction
        }
        for item in items_of(instruments):
            self.fields[item.code] = forms.TypedChoiceField(
                label=gettext(item.question),
                help_text=gettext(introductions[item.code]) if item.code in introductions else "",
                choices=_choices(item),
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("Select one of the answers shown for this question")
                },
            )

    @property
    def declined(self):
        return self.cleaned_data.get("consent") == CONSENT_NO

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("consent") == CONSENT_NO:
            return cleaned
        if all(cleaned.get(item.code) is None for item in self.items):
            raise forms.ValidationError(
                _("Answer at least one question, or leave this page to skip the survey")
            )
        return cleaned

    def answers(self):
        return {item.code: self.cleaned_data.get(item.code) for item in self.items}
