from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.exceptions import TransitionError
from services.constants import NEED_EDITABLE, NEED_FINAL, Channel, Schedule
from services.filters import NeedFilter
from services.forms import (
    NeedChangeForm,
    OneOffForm,
    PreferencesForm,
    ReferralForm,
    WeeklyForm,
    WhatForm,
    WhenForm,
    WhereForm,
    WhoForm,
)
from services.journey import Journey, Step
from services.needs import need_submit, need_update
from services.pagination import ListPaginator
from services.selectors import needs_listed_for, needs_visible_to, slots_attach
from services.submit_once import submit_once, submit_token_field


def _for_someone_else(draft):
    return draft.get("who", {}).get("for_whom") == "someone_else"


def _schedule_is(value):
    return lambda draft: draft.get("when", {}).get("schedule") == value


REQUEST_HELP_STEPS = [
    Step("who", WhoForm, _("Who needs help?")),
    Step(
        "referral",
        ReferralForm,
        _("About you"),
        applies=_for_someone_else,
        hint=_("We need to know who is asking, how to reach you, and that the person agrees."),
    ),
    Step("what", WhatForm, _("What help is needed?")),
    Step("when", WhenForm, _("When is help needed?")),
    Step(
        "date", OneOffForm, _("Which day, and what time?"), applies=_schedule_is(Schedule.ONE_OFF)
    ),
    Step(
        "weekly",
        WeeklyForm,
        _("Which days, and what times?"),
        applies=_schedule_is(Schedule.WEEKLY),
        hint=_("Fill in the days help is needed each week. Leave the other days empty."),
        template="services/request_help/step_weekly.html",
    ),
    Step("where", WhereForm, _("Where is help needed?")),
    Step("preferences", PreferencesForm, _("Anything else a helper should know?")),
]


def request_help_journey(request):
    return Journey(
        session=request.session,
        key="request_help",
        steps=REQUEST_HELP_STEPS,
        url_name="needs:step",
        check_url_name="needs:check",
    )


@login_required
def request_help_start(request):
    return render(
        request, "services/request_help/start.html", {"first_step": REQUEST_HELP_STEPS[0]}
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_help_step(request, step):
    # A "change" link from check your answers returns there once the answer is saved.
    changing = request.GET.get("change") == "1"
    return request_help_journey(request).step_page(request, step, skip_answered=changing)


@login_required
@require_http_methods(["GET", "POST"])
def request_help_check(request):
    journey = request_help_journey(request)
    if request.method == "POST":
        # Before the answers are read: the first submission clears them, and a second
        # one goes to the request the first made.
        sent = submit_once(
            request, lambda: _request_help_send(request, journey), pending_url=reverse("needs:list")
        )
        if sent:
            return sent
    to_answer, validated = journey.validated()
    if to_answer is not None:
        return redirect(journey.url(to_answer))
    if request.method == "POST":
        return redirect("needs:check")  # refused: the messages say why

    sections = [
        {"step": step, "rows": form.summary(), "change_url": f"{journey.url(step)}?change=1"}
        for step, form in validated
    ]
    return render(
        request,
        "services/request_help/check.html",
        {"sections": sections, "submit_token": submit_token_field()},
    )


def _request_help_send(request, journey):
    """Submit the answers: the new request's page, or None if they were refused."""
    to_answer, validated = journey.validated()
    if to_answer is not None:
        return None
    fields = {}
    for _step, form in validated:
        fields.update(form.need_fields())
    referral = _for_someone_else(journey.draft)
    try:
        need = need_submit(
            requested_by=request.user,
            channel=Channel.REFERRAL if referral else Channel.SELF,
            **fields,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    journey.clear()
    return reverse("needs:submitted", args=[need.reference])


@login_required
def request_help_submitted(request, reference):
    need = get_object_or_404(needs_visible_to(request.user), reference=reference)
    return render(request, "services/request_help/submitted.html", {"need": need})


@login_required
def need_list(request):
    # The page's weekly slots in one query for all of them (slots_attach) rather than
    # through prefetch_related, which builds a filtered queryset for each need.
    needs = needs_listed_for(request.user).prefetch_related(None)
    # Built only when asked for: the form shows from a cache (the template's {% cache %}), and
    # without a filter chosen the list is the person's needs as they are.
    filterset = SimpleLazyObject(lambda: NeedFilter(request.GET, queryset=needs))
    chosen = any(request.GET.get(name) for name in NeedFilter.base_filters)
    page = ListPaginator(filterset.qs if chosen else needs, 20).get_page(request.GET.get("page"))
    page.object_list = slots_attach(page.object_list)
    return render(request, "services/needs/list.html", {"filter": filterset, "page": page})


def _own_need(request, reference):
    return get_object_or_404(
        needs_visible_to(request.user).select_related("category", "area", "programme"),
        reference=reference,
    )


@login_required
def need_detail(request, reference):
    need = _own_need(request, reference)
    return render(
        request,
        "services/needs/detail.html",
        {
            "need": need,
            "editable": need.status in NEED_EDITABLE,
            "withdrawable": need.status not in NEED_FINAL,
            "latest_match": need.matches.select_related("provider__user").first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_change(request, reference):
    need = _own_need(request, reference)
    if need.status not in NEED_EDITABLE:
        messages.error(request, _("This request can no longer be changed."))
        return redirect("needs:detail", reference=need.reference)
    one_off = need.schedule == Schedule.ONE_OFF
    if request.method == "POST":
        form = NeedChangeForm(request.POST)
        when = OneOffForm(request.POST, prefix="when") if one_off else None
        if form.is_valid() and (when is None or when.is_valid()):
            changes = {**form.cleaned_data, **(when.cleaned_data if when else {})}
            try:
                need_update(need=need, actor=request.user, **changes)
            except (TransitionError, ValidationError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, _("Your changes have been saved."))
            return redirect("needs:detail", reference=need.reference)
    else:
        form = NeedChangeForm(
            initial={name: getattr(need, name) for name in NeedChangeForm.base_fields}
        )
        when = (
            OneOffForm(
                prefix="when",
                initial={
                    "on_date": need.on_date,
                    "starts_at": need.starts_at,
                    "ends_at": need.ends_at,
                },
            )
            if one_off
            else None
        )
    return render(request, "services/needs/change.html", {"need": need, "form": form, "when": when})
