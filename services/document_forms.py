"""The provider's certificate upload: the file, and for a DBS certificate what the DBS Update
Service needs. accounts.documents decides what the file is and re-checks every rule."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.constants import DbsLevel, DbsWorkforce, DocumentKind
from accounts.documents import MAX_BYTES, document_clean

DBS_NUMBER_ERROR = "Enter the certificate number as it is on the certificate: 12 digits"


class DocumentField(forms.FileField):
    """A certificate upload that yields (bytes, content type) or a form error."""

    widget = forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
    default_error_messages = {
        "invalid": _("The file was not uploaded. Try again"),
        "empty": _("The selected file is empty"),
        "missing": _("Select a file to upload"),
        "required": _("Select a file to upload"),
        "max_length": _("The file's name is too long"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"A PDF, JPG or PNG, smaller than {MAX_BYTES // (1024 * 1024)} MB. "
            "A clear photo of the certificate is fine.",
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        # Checked here for the message on the field; document_upload checks it again.
        document_clean(uploaded)
        return uploaded


class DocumentForm(forms.Form):
    file = DocumentField(label=_("Upload the certificate"))

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == DocumentKind.DBS_CERTIFICATE:
            self.fields.update(
                {
                    "certificate_number": forms.CharField(
                        label=_("Certificate number"),
                        help_text=_("12 digits, at the top right of the certificate"),
                        max_length=20,
                        strip=True,
                        error_messages={"required": _("Enter the certificate number")},
                        widget=forms.TextInput(
                            attrs={
                                "class": "govuk-input govuk-input--width-20",
                                "inputmode": "numeric",
                                "autocomplete": "off",
                            }
                        ),
                    ),
                    "level": forms.ChoiceField(
                        label=_("Level of check"),
                        choices=DbsLevel.choices,
                        widget=forms.RadioSelect,
                        error_messages={"required": _("Select the level of check")},
                    ),
                    "workforce": forms.ChoiceField(
                        label=_("Workforce"),
                        help_text=_("Printed on the certificate under 'Employment details'"),
                        choices=DbsWorkforce.choices,
                        widget=forms.RadioSelect,
                        error_messages={"required": _("Select the workforce on the certificate")},
                    ),
                    "update_service": forms.BooleanField(
                        label=_("I subscribe to the DBS Update Service"), required=False
                    ),
                    "status_check_consent": forms.BooleanField(
                        label=_("The council may check my certificate's status online"),
                        required=False,
                    ),
                }
            )
            # The file last: the details are read off the certificate before it is chosen.
            self.order_fields(
                [
                    "certificate_number",
                    "level",
                    "workforce",
                    "update_service",
                    "status_check_consent",
                    "file",
                ]
            )

    def clean_certificate_number(self):
        # People copy the number with spaces ("0012 3456 7890"): they are not part of it.
        number = "".join(self.cleaned_data["certificate_number"].split())
        if not re.fullmatch(r"[0-9]{12}", number):
            raise forms.ValidationError(DBS_NUMBER_ERROR)
        return number

    def clean(self):
        data = super().clean()
        if data.get("status_check_consent") and not data.get("update_service"):
            self.add_error(
                "status_check_consent",
                _("Status checks need a subscription to the Update Service: tick both or neither"),
            )
        return data

    def dbs_details(self):
        if self.kind != DocumentKind.DBS_CERTIFICATE:
            return None
        names = (
            "certificate_number",
            "level",
            "workforce",
            "update_service",
            "status_check_consent",
        )
        return {name: self.cleaned_data[name] for name in names}


def in_a_sentence(label):
    """'Food hygiene certificate' → 'food hygiene certificate'; 'DBS certificate' stays."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]
