"""Outcome surveys: links, answers, consent, on-behalf answers, follow-ups, withdrawal."""

import datetime
import io

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from matchmaking.constants import VisitStatus
from matchmaking.models import Notification, OutcomeSurvey, SurveyConsent, Visit
from matchmaking.outcomes import surveys
from matchmaking.outcomes.constants import AnsweredHow, SurveyWave
from matchmaking.scoping import grant_area
from tests.factories import AreaFactory, NeedFactory, StaffFactory, UserFactory
from tests.match_factories import MatchFactory
from tests.provider_factories import ProviderProfileFactory

pytestmark = pytest.mark.django_db

EVERY_ANSWER = {
    "lonely_how_often": "2",
    "ucla_lack_companionship": "2",
    "ucla_left_out": "1",
    "ucla_isolated": "3",
    "ons_life_satisfaction": "6",
    "ons_worthwhile": "7",
    "ons_happy": "5",
    "ons_anxious": "4",
    "ascof_social_contact": "2",
}


def _follow_up(*, need=None, invited_days_ago=0, expires_in_days=28, wave=SurveyWave.MONTH_3):
    need = need or NeedFactory()
    now = timezone.now()
    return OutcomeSurvey.objects.create_for_need(
        need,
        wave=wave,
        invited_at=now - datetime.timedelta(days=invited_days_ago),
        expires_at=now + datetime.timedelta(days=expires_in_days),
    )


def _agreed(survey):
    return SurveyConsent.objects.create(
        user=survey.need.resident, agreed=True, how=AnsweredHow.SELF
    )


def _stored(survey):
    survey.refresh_from_db()
    return survey.answers()


# --- the database keeps its own rules ---------------------------------------------------------


def test_database_refuses_an_answer_out_of_range():
    survey = _follow_up()
    survey.ons_happy = 11
    with pytest.raises(IntegrityError):
        survey.save()


def test_database_refuses_on_behalf_answers_without_who():
    survey = _follow_up()
    survey.answered_at = timezone.now()
    survey.answered_how = AnsweredHow.STAFF_PHONE
    with pytest.raises(IntegrityError):
        survey.save()


def test_database_refuses_withdrawn_answers_that_were_kept():
    survey = _follow_up()
    survey.withdrawn_at = timezone.now()
    survey.ons_happy = 5
    with pytest.raises(IntegrityError):
        survey.save()


def test_one_survey_per_request_and_wave():
    survey = _follow_up()
    with pytest.raises(IntegrityError):
        _follow_up(need=survey.need)


# --- the one-time link --------------------------------------------------------------------------


def test_link_opens_the_survey_without_sign_in_and_stores_the_answers(client):
    survey = _follow_up()
    url = surveys.survey_link(survey)
    page = client.get(url)
    assert page.status_code == 200
    assert "How often do you feel lonely?" in page.text
    assert "May we keep these answers?" in page.text  # consent: first time only

    response = client.post(url, {"consent": "yes", **EVERY_ANSWER})

    assert "Thank you" in response.text
    assert _stored(survey)["ucla_isolated"] == 3
    assert survey.answered_how == AnsweredHow.SELF
    assert SurveyConsent.objects.get(user=survey.need.resident).agreed
    assert "_auth_user_id" not in client.session  # the link signed nobody in


def test_consent_is_asked_once(client):
    first = _follow_up()
    client.post(surveys.survey_link(first), {"consent": "yes", **EVERY_ANSWER})
    second = _follow_up(need=first.need, wave=SurveyWave.MONTH_6)

    page = client.get(surveys.survey_link(second))

    assert "May we keep these answers?" not in page.text
    client.post(surveys.survey_link(second), EVERY_ANSWER)
    assert _stored(second)["ons_happy"] == 5
    assert SurveyConsent.objects.count() == 1


def test_saying_no_to_consent_stores_no_answers_and_stops_asking(client):
    survey = _follow_up()
    response = client.post(surveys.survey_link(survey), {"consent": "no", **EVERY_ANSWER})
    assert "We will not ask you again" in response.text
    assert all(value is None for value in _stored(survey).values())
    assert survey.answered_at is None
    assert not SurveyConsent.objects.get().agreed

    later = _follow_up(need=survey.need, wave=SurveyWave.MONTH_6)
    assert "You asked us not to survey you" in client.get(surveys.survey_link(later)).text


def test_link_used_twice_shows_a_clear_page_and_changes_nothing(client):
    survey = _follow_up()
    url = surveys.survey_link(survey)
    client.post(url, {"consent": "yes", **EVERY_ANSWER})

    again = client.post(url, {**EVERY_ANSWER, "ons_happy": "0"})

    assert again.status_code == 410
    assert "This survey has already been answered" in again.text
    assert _stored(survey)["ons_happy"] == 5


def test_expired_link_shows_a_clear_page_and_stores_nothing(client):
    survey = _follow_up(invited_days_ago=30, expires_in_days=-2)
    response = client.post(surveys.survey_link(survey), {"consent": "yes", **EVERY_ANSWER})
    assert response.status_code == 410
    assert "This survey link has expired" in response.text
    assert not SurveyConsent.objects.exists()
    assert _stored(survey)["ons_happy"] is None


def test_a_link_for_another_survey_opens_nothing(client):
    mine, theirs = _follow_up(), _follow_up()
    my_token = surveys.survey_link(mine).rstrip("/").rsplit("/", 1)[1]
    url = reverse("surveys:answer", args=[theirs.pk, my_token])

    response = client.post(url, {"consent": "yes", **EVERY_ANSWER})

    assert response.status_code == 404
    assert "This survey link does not work" in response.text
    assert _stored(theirs)["ons_happy"] is None


def test_a_forged_token_opens_nothing(client):
    survey = _follow_up()
    response = client.get(reverse("surveys:answer", args=[survey.pk, "made-up"]))
    assert response.status_code == 404


def test_signed_in_as_someone_else_the_link_stores_nothing(client):
    survey = _follow_up()
    client.force_login(UserFactory())
    response = client.post(surveys.survey_link(survey), {"consent": "yes", **EVERY_ANSWER})
    assert response.status_code == 403
    assert "This survey is for someone else" in response.text
    assert _stored(survey)["ons_happy"] is None


def test_signed_in_as_the_person_the_link_works(client):
    survey = _follow_up()
    client.force_login(survey.need.resident)
    client.post(surveys.survey_link(survey), {"consent": "yes", **EVERY_ANSWER})
    assert _stored(survey)["ons_happy"] == 5


@pytest.mark.parametrize(
    ("field", "value"), [("ons_happy", "11"), ("ucla_left_out", "0"), ("lonely_how_often", "x")]
)
def test_out_of_range_answer_is_refused_with_a_message(client, field, value):
    survey = _follow_up()
    response = client.post(surveys.survey_link(survey), {**EVERY_ANSWER, field: value})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Select one of the answers shown for this question" in response.text
    assert survey.answers() == _stored(survey)
    assert survey.answered_at is None
    assert not SurveyConsent.objects.exists()


def test_an_empty_survey_is_refused(client):
    survey = _follow_up()
    response = client.post(surveys.survey_link(survey), {"consent": "yes"})
    assert "Answer at least one question" in response.text
    assert not SurveyConsent.objects.exists()


def test_questions_can_be_skipped(client):
    survey = _follow_up()
    client.post(surveys.survey_link(survey), {"consent": "yes", "ons_happy": "9"})
    answers = _stored(survey)
    assert answers["ons_happy"] == 9
    assert answers["ucla_left_out"] is None
    assert survey.answered_at is not None


def test_service_refuses_out_of_range_answers_and_stores_nothing():
    survey = _follow_up()
    _agreed(survey)
    with pytest.raises(ValueError):
        surveys.survey_answer(survey=survey, answers={"ons_happy": 11, "ons_anxious": 3})
    assert _stored(survey)["ons_anxious"] is None


def test_service_refuses_answers_without_consent():
    survey = _follow_up()
    with pytest.raises(surveys.TransitionError):
        surveys.survey_answer(survey=survey, answers={"ons_happy": 5})
    assert survey.answered_at is None


def test_service_refuses_on_behalf_answers_that_do_not_say_who():
    survey = _follow_up()
    _agreed(survey)
    with pytest.raises(surveys.TransitionError):
        surveys.survey_answer(
            survey=survey, answers={"ons_happy": 5}, how=AnsweredHow.REFERRER_PRESENT
        )


# --- the baseline after Request help ------------------------------------------------------------


def test_confirmation_page_offers_the_optional_baseline(client):
    need = NeedFactory()
    client.force_login(need.requested_by)
    page = client.get(reverse("needs:submitted", args=[need.reference]))
    assert reverse("surveys:baseline", args=[need.reference]) in page.text
    assert "Skip" in page.text


def test_resident_answers_the_baseline_for_themselves(client):
    need = NeedFactory()
    client.force_login(need.resident)
    url = reverse("surveys:baseline", args=[need.reference])
    assert client.get(url).status_code == 200
    client.post(url, {"consent": "yes", **EVERY_ANSWER})
    survey = OutcomeSurvey.objects.get(need=need, wave=SurveyWave.BASELINE)
    assert survey.answered_how == AnsweredHow.SELF
    assert survey.answered_by is None
    assert survey.programme_id == need.programme_id
    assert survey.category_id == need.category_id


def test_skipping_the_baseline_stores_nothing(client):
    need = NeedFactory()
    client.force_login(need.resident)
    client.get(reverse("surveys:baseline", args=[need.reference]))
    assert not OutcomeSurvey.objects.exists()


def test_referrer_answers_only_with_the_person_present_and_it_is_recorded(client):
    referrer = UserFactory()
    need = NeedFactory(requested_by=referrer, resident=None, channel="referral", consent="given")
    client.force_login(referrer)
    url = reverse("surveys:baseline", args=[need.reference])

    refused = client.post(url, {"consent": "yes", **EVERY_ANSWER})
    assert "Confirm the person is with you" in refused.text
    assert not OutcomeSurvey.objects.filter(answered_at__isnull=False).exists()

    client.post(url, {"consent": "yes", "person_present": "on", **EVERY_ANSWER})
    survey = OutcomeSurvey.objects.get(need=need)
    assert survey.answered_how == AnsweredHow.REFERRER_PRESENT
    assert survey.answered_by == referrer
    consent = SurveyConsent.objects.get(need=need)
    assert (consent.how, consent.recorded_by) == (AnsweredHow.REFERRER_PRESENT, referrer)


def test_baseline_of_someone_elses_request_is_not_found(client):
    need = NeedFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("surveys:baseline", args=[need.reference])).status_code == 404


def test_baseline_answered_twice_changes_nothing(client):
    need = NeedFactory()
    client.force_login(need.resident)
    url = reverse("surveys:baseline", args=[need.reference])
    client.post(url, {"consent": "yes", **EVERY_ANSWER})
    again = client.post(url, {**EVERY_ANSWER, "ons_happy": "0"})
    assert again.status_code == 410
    assert OutcomeSurvey.objects.get().ons_happy == 5


def _staff_of(area):
    staff = StaffFactory()
    grant_area(staff, area)
    return staff


def test_staff_record_the_baseline_on_the_phone_as_such(client):
    need = NeedFactory()
    staff = _staff_of(need.area)
    client.force_login(staff)
    url = reverse("surveys:by_phone", args=[need.reference])

    refused = client.post(url, {"consent": "yes", **EVERY_ANSWER})
    assert "Confirm the person is giving the answers" in refused.text

    client.post(url, {"consent": "yes", "person_present": "on", **EVERY_ANSWER})
    survey = OutcomeSurvey.objects.get(need=need)
    assert (survey.answered_how, survey.answered_by) == (AnsweredHow.STAFF_PHONE, staff)
    assert SurveyConsent.objects.get(user=need.resident).how == AnsweredHow.STAFF_PHONE


def test_staff_of_another_area_and_residents_cannot_record_by_phone(client):
    need = NeedFactory()
    url = reverse("surveys:by_phone", args=[need.reference])
    client.force_login(_staff_of(AreaFactory()))
    assert client.get(url).status_code == 404
    client.force_login(need.resident)
    assert client.get(url).status_code == 404


# --- follow-ups and reminders --------------------------------------------------------------------


def _first_visit_done(days_ago):
    match = MatchFactory(active=True)
    start = timezone.now() - datetime.timedelta(days=days_ago)
    Visit.objects.create(
        match=match,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        status=VisitStatus.DONE,
    )
    return match.need


def test_three_months_after_the_first_visit_done_the_resident_is_invited_once(
    django_capture_on_commit_callbacks,
):
    need = _first_visit_done(days_ago=92)
    _first_visit_done(days_ago=30)  # not yet due

    with django_capture_on_commit_callbacks(execute=True):
        surveys.surveys_send()

    survey = OutcomeSurvey.objects.get(wave=SurveyWave.MONTH_3)
    assert survey.need == need
    link = surveys.survey_link(survey)
    assert Notification.objects.get(user=need.resident).url == link
    (email,) = [m for m in mail.outbox if m.to == [need.resident.email]]
    assert link in email.body
    assert surveys.surveys_send() == (0, 0)  # a second run sends nothing


def test_six_months_after_the_first_visit_done_the_six_month_survey_goes():
    _first_visit_done(days_ago=183)
    surveys.surveys_send()
    residents = OutcomeSurvey.objects.filter(need__isnull=False)
    assert list(residents.values_list("wave", flat=True)) == [SurveyWave.MONTH_6]


def test_someone_who_said_no_is_not_invited():
    need = _first_visit_done(days_ago=92)
    SurveyConsent.objects.create(user=need.resident, agreed=False, how=AnsweredHow.SELF)
    surveys.surveys_send()
    assert not OutcomeSurvey.objects.filter(need__isnull=False).exists()


def test_one_reminder_a_week_later_and_never_a_second(django_capture_on_commit_callbacks):
    survey = _follow_up(invited_days_ago=8)
    _follow_up(invited_days_ago=2)  # too soon for a reminder
    answered = _follow_up(invited_days_ago=8)
    _agreed(answered)
    surveys.survey_answer(survey=answered, answers={"ons_happy": 5})

    with django_capture_on_commit_callbacks(execute=True):
        assert surveys.surveys_send() == (0, 1)
    assert Notification.objects.filter(user=survey.need.resident).count() == 1
    assert surveys.surveys_send() == (0, 0)


def test_volunteers_are_asked_ons4_at_sign_up_and_at_six_months(client):
    newcomer = ProviderProfileFactory()
    veteran = ProviderProfileFactory()
    type(veteran).objects.filter(pk=veteran.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=190)
    )

    surveys.surveys_send()

    waves = dict(OutcomeSurvey.objects.values_list("respondent", "wave"))
    assert waves == {
        newcomer.user_id: SurveyWave.VOLUNTEER_START,
        veteran.user_id: SurveyWave.VOLUNTEER_MONTH_6,
    }
    page = client.get(surveys.survey_link(OutcomeSurvey.objects.get(respondent=newcomer.user)))
    assert "Overall, how happy did you feel yesterday?" in page.text
    assert "How often do you feel lonely?" not in page.text


# --- withdrawing answers ------------------------------------------------------------------------


def _answered():
    survey = _follow_up()
    _agreed(survey)
    return surveys.survey_answer(survey=survey, answers={"ons_happy": 5, "ucla_left_out": 2})


def test_the_person_withdraws_their_answers_from_their_account(client):
    survey = _answered()
    client.force_login(survey.need.resident)
    assert "Answered on" in client.get(reverse("surveys:yours")).text

    client.post(reverse("surveys:withdraw", args=[survey.pk]))

    survey.refresh_from_db()
    assert survey.withdrawn_at is not None
    assert all(value is None for value in survey.answers().values())
    assert not OutcomeSurvey.objects.answered().exists()


def test_another_person_cannot_withdraw_them(client):
    survey = _answered()
    client.force_login(UserFactory())
    response = client.post(reverse("surveys:withdraw", args=[survey.pk]))
    assert response.status_code == 404
    survey.refresh_from_db()
    assert survey.withdrawn_at is None


def test_signed_out_cannot_withdraw(client):
    survey = _answered()
    response = client.post(reverse("surveys:withdraw", args=[survey.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response.url
    survey.refresh_from_db()
    assert survey.withdrawn_at is None


def test_your_answers_are_listed_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    first = _answered()
    resident = first.need.resident
    for wave in (SurveyWave.MONTH_6, SurveyWave.BASELINE):
        survey = _follow_up(need=first.need, wave=wave)
        surveys.survey_answer(survey=survey, answers={"ons_happy": 6})
    client.force_login(resident)
    # Session, user, navigation facts, the person's consent, and the surveys with their
    # requests: one query however many surveys there are.
    with django_assert_max_num_queries(5):
        page = client.get(reverse("surveys:yours"))
    assert page.text.count("Answered on") == 3


def test_your_data_links_to_your_answers_and_the_download_has_them(client):
    from matchmaking.privacy import personal_data

    survey = _answered()
    client.force_login(survey.need.resident)
    assert reverse("surveys:yours") in client.get(reverse("matchmaking:your_data")).text
    data = personal_data(survey.need.resident)
    assert [s["ons_happy"] for s in data["outcome_surveys"]] == [5]
    assert data["survey_consent"][0]["agreed"] is True


def test_staff_see_the_requests_surveys_and_the_phone_link_in_the_admin(client):
    survey = _answered()
    need = survey.need
    client.force_login(_staff_of(need.area))
    page = client.get(reverse("admin:services_need_change", args=[need.pk]))
    assert page.status_code == 200
    assert "3 months after help started: answered" in page.text
    assert reverse("surveys:by_phone", args=[need.reference]) in page.text


def test_stopping_the_surveys_deletes_every_answer_and_stops_invitations(client):
    survey = _answered()
    resident = survey.need.resident
    waiting = _follow_up(need=survey.need, wave=SurveyWave.MONTH_6)
    client.force_login(resident)

    client.post(reverse("surveys:stop"))

    survey.refresh_from_db()
    assert survey.withdrawn_at is not None and survey.ons_happy is None
    assert not SurveyConsent.objects.get(user=resident).active
    assert "You asked us not to survey you" in client.get(reverse("surveys:yours")).text
    client.logout()
    page = client.get(surveys.survey_link(waiting))
    assert page.status_code == 410
    assert "This survey was withdrawn" in page.text
    assert (
        surveys.survey_invite(wave=SurveyWave.MONTH_3, need=NeedFactory(resident=resident)) is None
    )


def test_stopping_before_ever_being_asked_is_recorded_as_no(client):
    resident = UserFactory()
    client.force_login(resident)
    client.post(reverse("surveys:stop"))
    assert not SurveyConsent.objects.get(user=resident).active


def test_looking_at_the_baseline_page_leaves_no_survey_behind(client):
    need = NeedFactory()
    client.force_login(need.resident)
    client.post(reverse("surveys:baseline", args=[need.reference]), {"consent": "yes"})
    assert not OutcomeSurvey.objects.exists()  # refused: nothing answered, nothing made


def test_the_send_surveys_command_sends_what_is_due(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    _first_visit_done(days_ago=92)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_surveys", stdout=io.StringIO())
    assert OutcomeSurvey.objects.filter(wave=SurveyWave.MONTH_3).count() == 1


def test_a_resident_without_an_account_is_invited_by_email_only(
    django_capture_on_commit_callbacks,
):
    match = MatchFactory(active=True)
    need = match.need
    type(need).objects.filter(pk=need.pk).update(
        resident=None, channel="referral", consent="given", email="dora@example.org"
    )
    start = timezone.now() - datetime.timedelta(days=92)
    Visit.objects.create(
        match=match, starts_at=start, ends_at=start + datetime.timedelta(hours=1), status="done"
    )
    with django_capture_on_commit_callbacks(execute=True):
        surveys.surveys_send()
    survey = OutcomeSurvey.objects.get(wave=SurveyWave.MONTH_3)
    (email,) = [m for m in mail.outbox if m.to == ["dora@example.org"]]
    assert surveys.survey_link(survey) in email.body
    assert not Notification.objects.filter(url=surveys.survey_link(survey)).exists()


def test_a_resident_nobody_can_reach_is_not_invited():
    match = MatchFactory(active=True)
    type(match.need).objects.filter(pk=match.need_id).update(
        resident=None, channel="referral", consent="given", email=""
    )
    start = timezone.now() - datetime.timedelta(days=92)
    Visit.objects.create(
        match=match, starts_at=start, ends_at=start + datetime.timedelta(hours=1), status="done"
    )
    surveys.surveys_send()
    assert not OutcomeSurvey.objects.filter(need__isnull=False).exists()


def test_staff_without_two_factor_are_sent_to_set_it_up_first(client):
    need = NeedFactory()
    staff = StaffFactory(two_factor=False)
    grant_area(staff, need.area)
    client.force_login(staff)
    response = client.get(reverse("surveys:by_phone", args=[need.reference]))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_the_0_to_10_answers_name_their_ends(client):
    page = client.get(surveys.survey_link(_follow_up())).text
    assert "0 – not at all anxious" in page
    assert "10 – completely" in page
