"""Outcome surveys: consent, invitations, answers, withdrawal, and the one-time links.

Every way of answering (a resident's link, the step after Request help, a referrer with
the person present, staff on the phone) goes through `survey_answer`, so the checks are
the same everywhere: the survey is still open, the answers are in range, and answers
given for someone say how and by whom.

The link in an invitation carries the survey's number and a signature of it (Django's
signing with the secret key and a salt of its own). It needs no sign-in and proves only
that its holder may answer that one survey, once, before it expires: it signs nobody in
and opens no other page.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.emails import send_templated_email
from accounts.exceptions import TransitionError
from accounts.models import ProviderProfile
from matchmaking.constants import VisitStatus
from matchmaking.models import OutcomeSurvey, SurveyConsent, Visit
from matchmaking.models.outcomes import about_need
from matchmaking.notifications import notify
from matchmaking.outcomes.constants import AnsweredHow, SurveyWave
from matchmaking.outcomes.instruments import answer_errors

LINK_SALT = "matchmaking.outcomes.survey-link"
# How long an invitation's link works, and when the one reminder goes.
LINK_DAYS = 28
REMIND_AFTER = datetime.timedelta(days=7)
# Follow-ups are due this long after the first visit done (volunteers: after sign-up).
FOLLOW_UP_AFTER = {
    SurveyWave.MONTH_3: datetime.timedelta(days=91),
    SurveyWave.MONTH_6: datetime.timedelta(days=182),
}
VOLUNTEER_FOLLOW_UP_AFTER = datetime.timedelta(days=182)
# Someone first reached long after a wave was due is not asked it: their answers would
# not describe that wave (the 3-month survey is not sent at 6 months).
LATEST_INVITE = datetime.timedelta(days=60)


class SurveyLinkError(TransitionError):
    """A survey link that cannot be used; `reason` picks the page that explains why."""

    def __init__(self, message, *, reason):
        super().__init__(message)
        self.reason = reason


# --- links ------------------------------------------------------------------------------------


def _signature(pk):
    return signing.Signer(salt=LINK_SALT).signature(str(pk))


def survey_link(survey):
    """The path of the survey's one-time link (no sign-in needed)."""
    return reverse("surveys:answer", args=[survey.pk, _signature(survey.pk)])


def survey_from_link(*, pk, token, now=None):
    """The survey a link opens, or SurveyLinkError saying why it cannot be used.

    A forged or mistyped link, a link for another survey, an answered one (the link was
    used), a withdrawn one and an expired one are each refused with their own reason.
    """
    if not constant_time_compare(token, _signature(pk)):
        raise SurveyLinkError(_("This link is not right."), reason="invalid")
    survey = (
        OutcomeSurvey.objects.select_related("need", "respondent", "category").filter(pk=pk).first()
    )
    if survey is None:
        raise SurveyLinkError(_("This link is not right."), reason="invalid")
    survey_check_open(survey, now=now)
    return survey


def survey_check_open(survey, *, now=None):
    """SurveyLinkError unless the survey can still be answered."""
    now = now or timezone.now()
    if survey.answered_at is not None:
        raise SurveyLinkError(_("This survey has already been answered."), reason="used")
    if survey.withdrawn_at is not None:
        raise SurveyLinkError(_("This survey was withdrawn."), reason="withdrawn")
    if survey.expires_at <= now:
        raise SurveyLinkError(_("The time to answer this survey has passed."), reason="expired")


# --- people -----------------------------------------------------------------------------------


def survey_person(survey):
    """The account of the person a survey asks about, or None (a resident with no account)."""
    if survey.need_id is None:
        return survey.respondent
    return survey.need.resident


def is_for(survey, user):
    """Whether `user` is the person the survey asks about."""
    person = survey_person(survey)
    return person is not None and person.pk == user.pk


def consent_for(*, user=None, need=None):
    """The consent recorded for a person (by account, else by their request), or None."""
    if user is not None:
        found = SurveyConsent.objects.filter(user=user).first()
        if found is not None or need is None:
            return found
    return SurveyConsent.objects.filter(need=need).first() if need is not None else None


def survey_consent(survey):
    """The consent recorded for the person a survey asks about, or None."""
    return consent_for(**_consent_key(survey))


def _consent_key(survey):
    person = survey_person(survey)
    return {"user": person} if person is not None else {"need": survey.need}


@transaction.atomic
def consent_record(*, survey, agreed, how, recorded_by=None, now=None):
    """Record the person's answer to being surveyed; asked once, so a second answer is
    refused (TransitionError). Agreeing to nothing stores no survey answers."""
    if how != AnsweredHow.SELF and recorded_by is None:
        raise TransitionError(_("Say who recorded the consent."))
    key = _consent_key(survey)
    if consent_for(**key) is not None:
        raise TransitionError(_("Consent has already been recorded."))
    try:
        with transaction.atomic():
            return SurveyConsent.objects.create(
                **key,
                agreed=agreed,
                how=how,
                recorded_by=recorded_by,
                recorded_at=now or timezone.now(),
            )
    except IntegrityError as error:  # recorded at the same moment by another request
        raise TransitionError(_("Consent has already been recorded.")) from error


def consent_withdraw(*, user, now=None):
    """Stop all surveys for a person and erase every answer they gave; returns how many
    surveys' answers were erased. Someone never asked is recorded as having said no."""
    now = now or timezone.now()
    with transaction.atomic():
        consent, _created = SurveyConsent.objects.get_or_create(
            user=user, defaults={"agreed": False, "how": AnsweredHow.SELF, "recorded_by": user}
        )
        if consent.withdrawn_at is None:
            consent.withdrawn_at = now
            consent.save(update_fields=["withdrawn_at"])
        erased = 0
        for survey in OutcomeSurvey.objects.of_person(user).filter(withdrawn_at__isnull=True):
            survey_withdraw(survey=survey, actor=user, now=now)
            erased += 1
    return erased


# --- answering ---------------------------------------------------------------------------------


def survey_baseline(*, need):
    """The baseline survey of a request, made when first asked for (idempotent)."""
    survey, _created = OutcomeSurvey.objects.get_or_create(
        need=need,
        wave=SurveyWave.BASELINE,
        defaults={
            **about_need(need),
            "expires_at": timezone.now() + datetime.timedelta(days=LINK_DAYS),
        },
    )
    return survey


def baseline_to_answer(need):
    """The request's baseline survey to show: the one begun, or a new one not yet saved (it
    is saved only with answers). Once answered, SurveyLinkError("used")."""
    existing = OutcomeSurvey.objects.filter(need=need, wave=SurveyWave.BASELINE).first()
    if existing is not None and existing.answered_at is not None:
        raise SurveyLinkError(_("This survey has already been answered."), reason="used")
    return existing or OutcomeSurvey(need=need, wave=SurveyWave.BASELINE)


def _lock(survey):
    # of=self: the need is an outer join (volunteers have none), which PostgreSQL cannot lock.
    return (
        OutcomeSurvey.objects.select_for_update(of=("self",))
        .select_related("need")
        .get(pk=survey.pk)
    )


@transaction.atomic
def survey_answer(*, survey, answers, how=AnsweredHow.SELF, by=None, now=None):
    """Store a survey's answers once; returns the survey.

    `answers` maps item codes to whole numbers (None: skipped). Refused, with nothing
    stored, when an answer is outside its published range (ValueError naming the items),
    when the survey was already answered, withdrawn or expired (SurveyLinkError), when the
    person said no to surveys, or when answers for someone else do not say by whom.
    """
    now = now or timezone.now()
    if how != AnsweredHow.SELF and by is None:
        raise TransitionError(_("Answers given for someone must say who gave them."))
    errors = answer_errors(answers, survey.instruments)
    if errors:
        raise ValueError(errors)
    # Lock the survey: the same link sent twice at once (two tabs, a double tap) must
    # store one set of answers and refuse the other, not let the later overwrite.
    locked = _lock(survey)
    survey_check_open(locked, now=now)
    consent = consent_for(**_consent_key(locked))
    if consent is None or not consent.active:
        raise TransitionError(_("We can only keep answers from someone who agreed to them."))
    for item in locked.items:
        setattr(locked, item.code, answers.get(item.code))
    locked.answered_at = now
    locked.answered_how = how
    locked.answered_by = by
    locked.save()
    return locked


@transaction.atomic
def survey_withdraw(*, survey, actor, now=None):
    """Erase a survey's answers at the person's request; it is no longer counted."""
    locked = _lock(survey)
    if not (is_for(locked, actor) or locked.respondent_id == actor.pk):
        raise TransitionError(_("Only the person asked can withdraw these answers."))
    if locked.withdrawn_at is not None:
        return locked
    for code in (item.code for item in locked.items):
        setattr(locked, code, None)
    locked.withdrawn_at = now or timezone.now()
    locked.save()
    return locked


# --- invitations ------------------------------------------------------------------------------


def _invite_message(survey, *, reminder):
    # Lazy: notify() writes it in each person's own language.
    if reminder:
        return gettext_lazy(
            "A reminder: please tell us how you are now. It takes about 3 minutes and "
            "helps the council know whether this help works."
        )
    if survey.is_volunteer:
        return gettext_lazy(
            "Thank you for volunteering. Please answer 4 short questions about how you feel. "
            "It takes about a minute."
        )
    return gettext_lazy(
        "Please tell us how you are now that you have had help for a while. It takes about "
        "3 minutes and helps the council know whether this help works."
    )


def _tell(survey, *, reminder=False):
    message = _invite_message(survey, reminder=reminder)
    link = survey_link(survey)
    person = survey_person(survey)
    if person is not None:
        notify(users=[person], message=message, url=link)
        return
    email = survey.need.email if survey.need_id else ""
    if email:
        send_templated_email(
            to=[email],
            template="matchmaking/email/notification",
            context={
                "name": survey.need.contact_name,
                "message": message,
                "link": f"{settings.SITE_URL}{link}",
            },
        )


def _reachable(need):
    return need.resident_id is not None or bool(need.email)


def _declined(consent):
    return consent is not None and not consent.active


def survey_invite(*, wave, need=None, volunteer=None, now=None):
    """Create one invitation and tell the person (in the app and by email); None when it
    exists already (another run made it) or the person said no to surveys."""
    now = now or timezone.now()
    if need is not None:
        consent = consent_for(user=need.resident, need=need)
    else:
        consent = consent_for(user=volunteer)
    if _declined(consent):
        return None
    expires_at = now + datetime.timedelta(days=LINK_DAYS)
    invitation = {"wave": wave, "invited_at": now, "expires_at": expires_at}
    try:
        with transaction.atomic():
            if need is not None:
                survey = OutcomeSurvey.objects.create_for_need(need, **invitation)
            else:
                survey = OutcomeSurvey.objects.create(respondent=volunteer, **invitation)
            _tell(survey)
    except IntegrityError:  # the unique (need, wave): already invited
        return None
    return survey


def _due_follow_ups(now):
    """(need, wave) for every follow-up now due and not yet sent."""
    first_done = (
        Visit.objects.filter(status=VisitStatus.DONE)
        .values("match__need")
        .annotate(first=Min("starts_at"))
        .values_list("match__need", "first")
    )
    due = []
    for wave, after in FOLLOW_UP_AFTER.items():
        window = Q(first__lte=now - after, first__gt=now - after - LATEST_INVITE)
        need_ids = {need_id for need_id, _first in first_done.filter(window)}
        sent = set(
            OutcomeSurvey.objects.filter(wave=wave, need_id__in=need_ids).values_list(
                "need_id", flat=True
            )
        )
        due.extend((need_id, wave) for need_id in need_ids - sent)
    return due


def surveys_send(*, now=None):
    """Send every survey invitation now due and each reminder once; returns
    (invitations, reminders). Safe to run twice at once: an invitation is a row whose
    unique constraint lets only one run create it, and a reminder is claimed by an
    update that only one run can make."""
    from services.models import Need

    now = now or timezone.now()
    invited = 0
    due = _due_follow_ups(now)
    needs = Need.objects.select_related("resident", "programme", "area", "category").in_bulk(
        {need_id for need_id, _wave in due}
    )
    for need_id, wave in due:
        need = needs[need_id]
        if _reachable(need) and survey_invite(wave=wave, need=need, now=now):
            invited += 1
    invited += _volunteers_invite(now)
    return invited, _reminders_send(now)


def _volunteers_invite(now):
    invited = 0
    asked = OutcomeSurvey.objects.filter(need__isnull=True)
    starting = ProviderProfile.objects.filter(created_at__gt=now - LATEST_INVITE).exclude(
        user__in=asked.filter(wave=SurveyWave.VOLUNTEER_START).values("respondent")
    )
    due_at_six = ProviderProfile.objects.filter(
        created_at__lte=now - VOLUNTEER_FOLLOW_UP_AFTER,
        created_at__gt=now - VOLUNTEER_FOLLOW_UP_AFTER - LATEST_INVITE,
    ).exclude(user__in=asked.filter(wave=SurveyWave.VOLUNTEER_MONTH_6).values("respondent"))
    for wave, providers in (
        (SurveyWave.VOLUNTEER_START, starting),
        (SurveyWave.VOLUNTEER_MONTH_6, due_at_six),
    ):
        for profile in providers.select_related("user"):
            if survey_invite(wave=wave, volunteer=profile.user, now=now):
                invited += 1
    return invited


def _reminders_send(now):
    waiting = OutcomeSurvey.objects.filter(
        answered_at__isnull=True,
        withdrawn_at__isnull=True,
        reminded_at__isnull=True,
        invited_at__lte=now - REMIND_AFTER,
        expires_at__gt=now,
    ).exclude(wave=SurveyWave.BASELINE)
    reminded = 0
    for survey in waiting.select_related("need__resident", "respondent"):
        with transaction.atomic():
            # The update is the claim: a second run finds reminded_at set and sends nothing.
            claimed = OutcomeSurvey.objects.filter(pk=survey.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed:
                _tell(survey, reminder=True)
                reminded += 1
    return reminded
