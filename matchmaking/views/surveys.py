"""Outcome survey pages: the one-time link, the baseline after Request help, staff on the
phone, and the person's own list of answers (to withdraw them).

Every page calls `matchmaking.outcomes.surveys`; no rule lives here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import TransitionError
from accounts.two_factor import lacks_two_factor
from matchmaking.models import OutcomeSurvey
from matchmaking.outcomes import surveys
from matchmaking.outcomes.constants import AnsweredHow
from matchmaking.outcomes.forms import SurveyForm
from matchmaking.scoping import needs_for_staff
from services.selectors import needs_visible_to

LINK_PROBLEM_STATUS = {
    "invalid": 404,
    "used": 410,
    "withdrawn": 410,
    "expired": 410,
    "someone_else": 403,
}


def _link_problem(request, reason):
    return render(
        request,
        "matchmaking/surveys/link_problem.html",
        {"reason": reason},
        status=LINK_PROBLEM_STATUS[reason],
    )


def _save(form, *, survey, how, by=None):
    """Record consent (when asked) and the answers together: both or neither. A baseline
    not yet begun is made now, so a page only looked at leaves no row behind."""
    with transaction.atomic():
        if survey.pk is None:
            survey = surveys.survey_baseline(need=survey.need)
        if "consent" in form.fields:
            surveys.consent_record(survey=survey, agreed=not form.declined, how=how, recorded_by=by)
        if not form.declined:
            surveys.survey_answer(survey=survey, answers=form.answers(), how=how, by=by)


def _survey_page(request, *, survey, template_context, how, by=None, on_behalf=None):
    """The survey form for `survey`: shown, or saved then the thank-you page."""
    consent = surveys.survey_consent(survey)
    if consent is not None and not consent.active:
        return render(request, "matchmaking/surveys/declined.html", status=200)
    form = SurveyForm(
        request.POST or None,
        instruments=survey.instruments,
        ask_consent=consent is None,
        on_behalf=on_behalf,
        by_staff=how == AnsweredHow.STAFF_PHONE,
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save(form, survey=survey, how=how, by=by)
        except surveys.SurveyLinkError as error:
            return _link_problem(request, error.reason)
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "matchmaking/surveys/thanks.html", {"declined": form.declined})
    return render(
        request,
        "matchmaking/surveys/answer.html",
        {"form": form, "survey": survey, **template_context},
    )


@require_http_methods(["GET", "POST"])
def survey_answer(request, pk, token):
    """The one-time link: no sign-in needed, and it opens this survey only."""
    try:
        survey = surveys.survey_from_link(pk=pk, token=token)
    except surveys.SurveyLinkError as error:
        return _link_problem(request, error.reason)
    if request.user.is_authenticated and not surveys.is_for(survey, request.user):
        # Someone else is signed in on this browser: answers would be theirs to give.
        return _link_problem(request, "someone_else")
    return _survey_page(request, survey=survey, template_context={}, how=AnsweredHow.SELF)


@login_required
@require_http_methods(["GET", "POST"])
def survey_baseline(request, reference):
    """The optional step after Request help: the person, or their referrer with them there."""
    need = get_object_or_404(
        needs_visible_to(request.user).select_related("resident", "programme", "area"),
        reference=reference,
    )
    try:
        survey = surveys.baseline_to_answer(need)
    except surveys.SurveyLinkError as error:
        return _link_problem(request, error.reason)
    if need.resident_id == request.user.pk:
        how, on_behalf, by = AnsweredHow.SELF, None, None
    else:
        how, on_behalf, by = AnsweredHow.REFERRER_PRESENT, need.contact_name, request.user
    return _survey_page(
        request,
        survey=survey,
        template_context={"need": need, "baseline": True},
        how=how,
        by=by,
        on_behalf=on_behalf,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_by_phone(request, reference):
    """Council staff read the baseline questions to the person on the phone."""
    if not request.user.is_staff:
        raise Http404
    if lacks_two_factor(request.user):  # the same rule as the admin's
        return redirect("mfa_activate_totp")
    need = get_object_or_404(
        needs_for_staff(request.user).select_related("resident", "programme", "area"),
        reference=reference,
    )
    try:
        survey = surveys.baseline_to_answer(need)
    except surveys.SurveyLinkError as error:
        return _link_problem(request, error.reason)
    return _survey_page(
        request,
        survey=survey,
        template_context={"need": need, "baseline": True, "by_phone": True},
        how=AnsweredHow.STAFF_PHONE,
        by=request.user,
    )


@login_required
def your_surveys(request):
    """The surveys a person answered, each of which they can withdraw."""
    answered = (
        OutcomeSurvey.objects.of_person(request.user)
        .filter(answered_at__isnull=False)
        .select_related("need__category")
        .order_by("-answered_at")
    )
    consent = surveys.consent_for(user=request.user)
    return render(
        request,
        "matchmaking/surveys/yours.html",
        {"surveys": answered, "asked": consent is None or consent.active},
    )


@login_required
@require_POST
def survey_withdraw(request, pk):
    survey = get_object_or_404(OutcomeSurvey.objects.of_person(request.user), pk=pk)
    surveys.survey_withdraw(survey=survey, actor=request.user)
    messages.success(request, _("Your answers were withdrawn and deleted."))
    return redirect("surveys:yours")


@login_required
@require_POST
def surveys_stop(request):
    """No more surveys: consent withdrawn, and every answer the person gave deleted."""
    surveys.consent_withdraw(user=request.user)
    messages.success(request, _("We will not ask you again, and all your answers were deleted."))
    return redirect("surveys:yours")
