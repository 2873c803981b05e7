"""The same survey answered twice at once, on PostgreSQL: without the lock both "succeed"
(the later overwrites the earlier); with it one is stored and the other refused."""

import datetime
import time

import pytest
from django.utils import timezone

from matchmaking.models import OutcomeSurvey, SurveyConsent
from matchmaking.outcomes import surveys
from matchmaking.outcomes.constants import AnsweredHow, SurveyWave
from tests.factories import NeedFactory
from tests.matchmaking.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABS = 8


def _open_survey():
    need = NeedFactory()
    SurveyConsent.objects.create(user=need.resident, agreed=True, how=AnsweredHow.SELF)
    return OutcomeSurvey.objects.create(
        need=need,
        respondent=need.resident,
        wave=SurveyWave.MONTH_3,
        expires_at=timezone.now() + datetime.timedelta(days=28),
    )


def _answer(survey):
    return lambda happy: surveys.survey_answer(survey=survey, answers={"ons_happy": happy})


@pytest.fixture
def without_the_lock(monkeypatch):
    original_check = surveys.survey_check_open

    def slow_check(survey, *, now=None):
        original_check(survey, now=now)
        time.sleep(0.3)  # widen the window between the check and the write

    monkeypatch.setattr(
        surveys,
        "_lock",
        lambda survey: OutcomeSurvey.objects.select_related("need").get(pk=survey.pk),
    )
    monkeypatch.setattr(surveys, "survey_check_open", slow_check)


def test_answers_sent_at_once_race_without_the_lock(without_the_lock):
    survey = _open_survey()
    outcomes = race(_answer(survey), range(TABS))
    assert outcomes.count("ok") > 1  # the race: several "stored" answers to one survey


def test_the_lock_stores_one_set_of_answers_and_refuses_the_rest():
    survey = _open_survey()
    outcomes = race(_answer(survey), range(TABS))
    assert outcomes.count("ok") == 1
    assert outcomes.count("This survey has already been answered.") == TABS - 1
