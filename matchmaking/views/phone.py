"""Text messages: choose email, texts or both, and confirm the phone number (the GOV.UK
"confirm a phone number" pattern: check your phone, enter the code, not received a text?)."""

import phonenumbers
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.exceptions import TransitionError
from matchmaking import texts
from matchmaking.constants import NotifyBy
from matchmaking.models import TextNumber
from matchmaking.views.common import act


class TextPreferenceForm(forms.Form):
    notify_by = forms.ChoiceField(
        label=_("How would you like us to tell you about your requests and matches?"),
        choices=NotifyBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you would like to be told")},
    )
    phone = forms.CharField(
        label=_("UK mobile number"),
        help_text=_("Only needed for text messages. We will send a code to confirm it."),
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "tel",
                "type": "tel",
                "class": "govuk-input govuk-input--width-20",
            }
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("notify_by") in (NotifyBy.TEXT, NotifyBy.BOTH) and not data.get("phone"):
            self.add_error("phone", _("Enter a UK mobile number, like 07700 900 982"))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Text message code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-5",
            }
        ),
        error_messages={"required": _("Enter the code from the text message")},
    )


def _shown(phone):
    """The number as people write it (07700 900982), never in E.164."""
    try:
        number = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _current_choice(user, text_number):
    if text_number is None or user.contact_method != "text":
        return NotifyBy.EMAIL
    return NotifyBy.BOTH if text_number.email_too else NotifyBy.TEXT


@login_required
@require_http_methods(["GET", "POST"])
def text_messages(request):
    text_number = TextNumber.objects.filter(user=request.user).first()
    initial = {
        "notify_by": _current_choice(request.user, text_number),
        "phone": _shown(text_number.phone) if text_number else "",
    }
    form = TextPreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        result = {}

        def choose():
            result["number"] = texts.text_preference_set(user=request.user, **form.cleaned_data)

        if act(request, choose):
            number = result["number"]
            if number is not None and number.confirmed_at is None:
                return redirect("matchmaking:text_messages_confirm")
            messages.success(request, _("We have saved how you would like to be told."))
            return redirect("matchmaking:text_messages")
    context = {
        "form": form,
        "text_number": text_number,
        "phone_shown": _shown(text_number.phone) if text_number else "",
        "available": texts.texts_available(),
    }
    return render(request, "matchmaking/text_messages.html", context)


def _waiting_number(user):
    return TextNumber.objects.filter(user=user, confirmed_at__isnull=True).first()


@login_required
@require_http_methods(["GET", "POST"])
def text_messages_confirm(request):
    """Check your phone: enter the code we sent."""
    text_number = _waiting_number(request.user)
    if text_number is None:
        return redirect("matchmaking:text_messages")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            texts.phone_code_check(user=request.user, code=form.cleaned_data["code"])
        except TransitionError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("Your phone number is confirmed. We will text you."))
            return redirect("matchmaking:text_messages")
    context = {"form": form, "phone_shown": _shown(text_number.phone)}
    return render(request, "matchmaking/text_messages_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def text_messages_resend(request):
    """Not received a text? Send a new code, or change the number."""
    text_number = _waiting_number(request.user)
    if text_number is None:
        return redirect("matchmaking:text_messages")
    resent = request.method == "POST" and act(
        request, lambda: texts.phone_code_resend(user=request.user)
    )
    if resent:
        messages.success(request, _("We have sent a new code."))
        return redirect("matchmaking:text_messages_confirm")
    context = {"phone_shown": _shown(text_number.phone)}
    return render(request, "matchmaking/text_messages_resend.html", context)
