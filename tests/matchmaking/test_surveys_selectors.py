"""What commissioners read: each person's paired scores and the response counts."""

import datetime

import pytest
from django.utils import timezone

from matchmaking.models import OutcomeSurvey, SurveyConsent
from matchmaking.outcomes import selectors, surveys
from matchmaking.outcomes.constants import AnsweredHow, SurveyWave
from tests.factories import NeedFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

BEFORE = {"lonely_how_often": 1, "ucla_lack_companionship": 3, "ucla_left_out": 3,
          "ucla_isolated": 2, "ons_happy": 3, "ascof_social_contact": 3}  # fmt: skip
AFTER = {"lonely_how_often": 3, "ucla_lack_companionship": 2, "ucla_left_out": 1,
         "ucla_isolated": 1, "ons_happy": 7, "ascof_social_contact": 1}  # fmt: skip


def _survey(need, wave, answers=None, *, withdrawn=False):
    survey = OutcomeSurvey.objects.create_for_need(
        need,
        wave=wave,
        expires_at=timezone.now() + datetime.timedelta(days=28),
    )
    if answers is not None:
        SurveyConsent.objects.get_or_create(
            user=need.resident, defaults={"agreed": True, "how": AnsweredHow.SELF}
        )
        surveys.survey_answer(survey=survey, answers=answers)
        if withdrawn:
            surveys.survey_withdraw(survey=survey, actor=need.resident)
    return survey


def test_a_person_is_paired_baseline_with_follow_up_scores():
    programme = ProgrammeFactory()
    need = NeedFactory(programme=programme)
    _survey(need, SurveyWave.BASELINE, BEFORE)
    _survey(need, SurveyWave.MONTH_3, AFTER)

    (pair,) = selectors.outcome_pairs(programme=programme)

    assert pair.baseline["ucla3"] == 8 and pair.follow_up["ucla3"] == 4
    assert pair.measure("often_lonely") == (True, False)
    assert pair.measure("ascof_contact") == (False, True)
    assert pair.measure("happiness") == (3, 7)
    assert pair.measure("anxiety") is None  # skipped both times
    assert selectors.paired_values([pair], "ucla3") == [(8, 4)]


def test_unpaired_withdrawn_and_other_programmes_are_left_out():
    programme = ProgrammeFactory()
    only_baseline = NeedFactory(programme=programme)
    _survey(only_baseline, SurveyWave.BASELINE, BEFORE)
    withdrawn = NeedFactory(programme=programme)
    _survey(withdrawn, SurveyWave.BASELINE, BEFORE)
    _survey(withdrawn, SurveyWave.MONTH_3, AFTER, withdrawn=True)
    elsewhere = NeedFactory(programme=ProgrammeFactory())
    _survey(elsewhere, SurveyWave.BASELINE, BEFORE)
    _survey(elsewhere, SurveyWave.MONTH_3, AFTER)

    assert selectors.outcome_pairs(programme=programme) == []
    assert len(selectors.outcome_pairs()) == 1


def test_a_person_with_two_requests_counts_once():
    programme = ProgrammeFactory()
    resident = UserFactory()
    for _ in range(2):
        need = NeedFactory(programme=programme, requested_by=resident, resident=resident)
        _survey(need, SurveyWave.BASELINE, BEFORE)
        _survey(need, SurveyWave.MONTH_3, AFTER)
    assert len(selectors.outcome_pairs(programme=programme)) == 1


def test_six_month_pairs_and_the_period_of_the_follow_up():
    need = NeedFactory()
    _survey(need, SurveyWave.BASELINE, BEFORE)
    _survey(need, SurveyWave.MONTH_6, AFTER)
    assert selectors.outcome_pairs(follow_up_wave=SurveyWave.MONTH_3) == []
    assert len(selectors.outcome_pairs(follow_up_wave=SurveyWave.MONTH_6)) == 1
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert selectors.outcome_pairs(follow_up_wave=SurveyWave.MONTH_6, since=tomorrow) == []


def test_response_counts_per_wave(django_assert_max_num_queries):
    programme = ProgrammeFactory()
    answered, waiting, _unasked = (NeedFactory(programme=programme) for _ in range(3))
    _survey(answered, SurveyWave.BASELINE, BEFORE)
    _survey(answered, SurveyWave.MONTH_3, AFTER)
    _survey(waiting, SurveyWave.MONTH_3)
    NeedFactory()  # another programme

    # One grouped count of the surveys, one count of the requests made.
    with django_assert_max_num_queries(2):
        rows = selectors.response_counts(programme=programme)

    assert [(r.wave, r.invited, r.answered) for r in rows] == [
        (SurveyWave.BASELINE, 3, 1),
        (SurveyWave.MONTH_3, 2, 1),
        (SurveyWave.MONTH_6, 0, 0),
    ]


def test_outcome_pairs_reads_in_two_queries(django_assert_max_num_queries):
    programme = ProgrammeFactory()
    for _ in range(6):
        need = NeedFactory(programme=programme)
        _survey(need, SurveyWave.BASELINE, BEFORE)
        _survey(need, SurveyWave.MONTH_3, AFTER)
    # The follow-ups (with their requests) and the matching baselines.
    with django_assert_max_num_queries(2):
        assert len(selectors.outcome_pairs(programme=programme)) == 6
