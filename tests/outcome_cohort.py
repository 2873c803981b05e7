"""Residents who answered the baseline and the 3-month survey, in groups worked out by hand.

Programme "Meals", category meals, in three areas:

    North  7 residents   UCLA-3 before 8 7 9 6 8 7 9 (mean 7.714), after 5 6 5 6 4 5 7 (5.429)
    East   5 residents   UCLA-3 before 7 7 7 7 7, after 6 6 6 6 6
    South  4 residents   a group of 4: never shown, and East is withheld with it (4 + 5
                         would otherwise give South away as the total minus North)

Often or always lonely before: North 5 of 7, after 1 of 7. Every resident is called
"Zebedee Quartermain-<n>" with an email at quartermain.example, so a test can look for them.
"""

import datetime

from django.utils import timezone

from matchmaking.models import OutcomeSurvey
from matchmaking.outcomes.constants import AnsweredHow, SurveyWave
from tests.factories import AreaFactory, NeedFactory, ProgrammeFactory, UserFactory, category

NORTH = [(8, 5), (7, 6), (9, 5), (6, 6), (8, 4), (7, 5), (9, 7)]
NORTH_LONELY = [(True, False)] * 4 + [(True, True), (False, False), (False, False)]
EAST = [(7, 6)] * 5
SOUTH = [(9, 3), (9, 3), (8, 3), (9, 4)]
PLANTED_NAME = "Quartermain"


def ucla_items(score):
    """Three item answers (1–3 each) adding up to `score`."""
    first = min(3, score - 2)
    second = min(3, score - first - 1)
    return {
        "ucla_lack_companionship": first,
        "ucla_left_out": second,
        "ucla_isolated": score - first - second,
    }


def answered_survey(need, wave, *, ucla, lonely, when):
    return OutcomeSurvey.objects.create_for_need(
        need,
        wave=wave,
        invited_at=when - datetime.timedelta(days=2),
        expires_at=when + datetime.timedelta(days=28),
        answered_at=when,
        answered_how=AnsweredHow.SELF,
        lonely_how_often=1 if lonely else 4,
        ascof_social_contact=2 if lonely else 1,
        ons_life_satisfaction=5,
        **ucla_items(ucla),
    )


class Cohort:
    def __init__(self):
        now = timezone.now()
        self.programme = ProgrammeFactory(name="Meals")
        self.areas = {}
        self.residents = []
        meals = category("meals")
        groups = {
            "North": list(zip(NORTH, NORTH_LONELY, strict=True)),
            "East": [(pair, (False, False)) for pair in EAST],
            "South": [(pair, (True, True)) for pair in SOUTH],
        }
        for name, people in groups.items():
            area = AreaFactory(name=name)
            self.areas[name] = area
            self.programme.areas.add(area)
            for (before, after), (lonely_before, lonely_after) in people:
                number = len(self.residents) + 1
                resident = UserFactory(
                    first_name="Zebedee",
                    last_name=f"{PLANTED_NAME}-{number}",
                    email=f"zebedee{number}@quartermain.example",
                )
                self.residents.append(resident)
                need = NeedFactory(
                    programme=self.programme,
                    area=area,
                    category=meals,
                    requested_by=resident,
                    resident=resident,
                )
                answered_survey(
                    need,
                    SurveyWave.BASELINE,
                    ucla=before,
                    lonely=lonely_before,
                    when=now - datetime.timedelta(days=100),
                )
                answered_survey(
                    need,
                    SurveyWave.MONTH_3,
                    ucla=after,
                    lonely=lonely_after,
                    when=now - datetime.timedelta(days=5),
                )
