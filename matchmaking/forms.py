"""GOV.UK Design System markup for every Django form, allauth's included.

The renderer's bound field adds the GOV.UK class for each widget type and the
error modifier, so templates render `{{ form }}` and never repeat the markup.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from matchmaking.constants import ConcernKind

WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "radioselect": "govuk-radios__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}
ERROR_MODIFIERS = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


class GovukBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = widget.attrs.get("class") or WIDGET_CLASSES.get(self.widget_type, "govuk-input")
        if self.errors:
            # Inputs with their own width class still get the error border.
            base = next((name for name in ERROR_MODIFIERS if name in css.split()), None)
            if base:
                css = f"{css} {ERROR_MODIFIERS[base]}"
        attrs["class"] = css
        described_by = []
        if self.help_text:
            described_by.append(f"{self.auto_id}_helptext")
        if self.errors:
            described_by.append(f"{self.auto_id}_error")
        if described_by and self.widget_type not in ("radioselect", "checkboxselectmultiple"):
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs


class GovukFormRenderer(TemplatesSetting):
    bound_field_class = GovukBoundField


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=240,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Give a reason"),
            "max_length": _("Use 240 characters or fewer"),
        },
    )


class OptionalReasonForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=240,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Use 240 characters or fewer")},
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How was it?"),
        choices=[
            (5, "5 – Excellent"),
            (4, "4 – Good"),
            (3, "3 – All right"),
            (2, "2 – Poor"),
            (1, "1 – Very poor"),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to say? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Other residents may see this. Do not include addresses or health details."),
        error_messages={"max_length": _("Use 1,000 characters or fewer")},
    )


class ConcernForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is the concern about?"),
        choices=ConcernKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the concern is about")},
    )
    urgent = forms.BooleanField(
        label=_("This is urgent: someone may be at risk now"),
        required=False,
        help_text=_("If someone is in immediate danger, call 999 first."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Tell us what happened"),
            "max_length": _("Use 4,000 characters or fewer"),
        },
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to confirm")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct"))
        return password
