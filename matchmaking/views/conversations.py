"""A match's conversation on the web: read, write, report a message, share contact details.

Works without JavaScript: each form posts and the page comes back (post/redirect/get).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.exceptions import TransitionError
from matchmaking import conversations, lifecycle
from matchmaking.forms import ConcernForm
from matchmaking.models import Message
from matchmaking.models.conversations import MESSAGE_MAX_CHARS
from matchmaking.views.common import act, match_page, party_match


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Do not share bank details or passwords. Council staff may read this "
            "conversation if someone reports a concern."
        ),
        error_messages={
            "required": _("Write a message"),
            "max_length": f"Your message must be {MESSAGE_MAX_CHARS:,} characters or fewer",
        },
    )


class ShareForm(forms.Form):
    share = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes"
    )


@login_required
def conversation(request, pk):
    match = party_match(request, pk, "need__category", "need__requested_by", "need__resident")
    form = MessageForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            conversations.message_post(
                match=match, actor=request.user, body=form.cleaned_data["body"]
            )
        except TransitionError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Message sent."))
            return redirect("matchmaking:conversation", pk=match.pk)
    conversations.conversation_mark_read(match=match, user=request.user)
    side = conversations.side_of(match, request.user)
    other = lifecycle.other_side_of(match, request.user)
    return render(
        request,
        "matchmaking/conversation.html",
        {
            "match": match,
            "form": form,
            "messages_list": list(conversations.messages_of(match)),
            "other_name": (other.first_name if other else "") or "the other person",
            "writable": conversations.is_writable(match) and not conversations.is_blocked(match),
            "accepted": conversations.was_accepted(match),
            "closes_at": conversations.closes_at(match),
            "sharing_mine": conversations.contact_sharing(match).shares(side),
            "can_share": match.status == "active",
            "match_page": match_page(match, request.user),
        },
    )


@login_required
@require_POST
def conversation_share(request, pk):
    match = party_match(request, pk, "need__category", "need__requested_by", "need__resident")
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to share your contact details."))
    else:
        share = form.cleaned_data["share"]
        if act(
            request,
            lambda: conversations.contact_share_set(match=match, actor=request.user, share=share),
        ):
            messages.success(
                request,
                _("Your phone number and email are now shown to the other person.")
                if share
                else "Your phone number and email are no longer shown to the other person.",
            )
    return redirect("matchmaking:conversation", pk=match.pk)


@login_required
def message_report(request, pk, message_pk):
    match = party_match(request, pk, "need__category", "need__requested_by", "need__resident")
    message = get_object_or_404(
        Message.objects.select_related("sender").exclude(sender=request.user),
        conversation__match=match,
        pk=message_pk,
    )
    form = ConcernForm(request.POST if request.method == "POST" else None)
    if (
        form.is_bound
        and form.is_valid()
        and act(
            request,
            lambda: conversations.message_report(
                message=message, actor=request.user, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Thank you. We have received your report and will look at it."))
        return redirect("matchmaking:conversation", pk=match.pk)
    return render(
        request,
        "matchmaking/conversation_report.html",
        {"match": match, "message": message, "form": form},
    )
