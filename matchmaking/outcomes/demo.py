"""Demo outcome surveys: enough residents answering before help and 3 months on that the
commissioners' dashboard shows a change with its interval (the demo command calls this).

The residents are synthetic (`outcomes<n>@<demo domain>`), their requests already done, so
they add nothing to anyone's lists; the answers move a little towards less lonely, with
noise, and some people did not answer the follow-up (a response rate below 100%).
"""

import datetime

from django.utils import timezone

from accounts.models import User
from matchmaking.models import OutcomeSurvey, SurveyConsent
from matchmaking.outcomes import surveys
from matchmaking.outcomes.constants import AnsweredHow, SurveyWave
from matchmaking.outcomes.instruments import RESIDENT_INSTRUMENTS, items_of
from services.constants import Channel, NeedStatus, Schedule
from services.models import Need

RESIDENTS = 40  # 40 asked; about 34 answer the follow-up: over 30 pairs
CATEGORIES = ("meals", "companionship", "shopping")


def _answers(rng, *, lonely):
    """One plausible set of answers; `lonely` in [0, 1] leans every item lonelier."""

    def pick(low, high, lean):
        value = round(low + (high - low) * min(1, max(0, rng.gauss(lean, 0.2))))
        return max(low, min(high, value))

    answers = {}
    for item in items_of(RESIDENT_INSTRUMENTS):
        if item.code == "lonely_how_often":
            answers[item.code] = pick(1, 5, 1 - lonely)  # 1 is often/always
        elif item.code.startswith("ucla_"):
            answers[item.code] = pick(1, 3, lonely)
        elif item.code == "ons_anxious":
            answers[item.code] = pick(0, 10, lonely * 0.8)
        elif item.code.startswith("ons_"):
            answers[item.code] = pick(0, 10, 1 - lonely * 0.8)
        else:  # ASCOF: 1 is "as much contact as I want"
            answers[item.code] = pick(1, 4, lonely)
    return answers


def _survey(need, wave, *, invited_at):
    return OutcomeSurvey.objects.create_for_need(
        need,
        wave=wave,
        invited_at=invited_at,
        expires_at=invited_at + datetime.timedelta(days=surveys.LINK_DAYS),
    )


def demo_outcomes(*, rng, programme, postcodes, domain, password):
    """Residents with baseline and 3-month answers in `programme`; returns the pairs made."""
    now = timezone.now()
    pairs = 0
    for n in range(1, RESIDENTS + 1):
        email = f"outcomes{n}@{domain}"
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(email=email, password=password, first_name=f"Resident {n}")
        postcode = rng.choice(postcodes)
        asked_at = now - datetime.timedelta(days=rng.randint(100, 118))
        need = Need.objects.create(
            requested_by=user,
            resident=user,
            channel=Channel.SELF,
            category_id=_category_id(CATEGORIES[n % len(CATEGORIES)]),
            programme=programme,
            area=postcode.area,
            details="Help at home.",
            schedule=Schedule.WEEKLY,
            postcode=postcode.code,
            latitude=postcode.latitude,
            longitude=postcode.longitude,
            contact_name=f"Resident {n}",
            address=f"{n} Mill Lane",
            status=NeedStatus.FULFILLED,
        )
        Need.objects.filter(pk=need.pk).update(created_at=asked_at)
        SurveyConsent.objects.create(
            user=user, agreed=True, how=AnsweredHow.SELF, recorded_at=asked_at
        )
        lonely = rng.uniform(0.45, 0.95)
        baseline = _survey(need, SurveyWave.BASELINE, invited_at=asked_at)
        surveys.survey_answer(survey=baseline, answers=_answers(rng, lonely=lonely), now=asked_at)
        invited = asked_at + datetime.timedelta(days=91)
        follow_up = _survey(need, SurveyWave.MONTH_3, invited_at=invited)
        if rng.random() < 0.85:
            better = max(0.0, lonely - rng.uniform(-0.1, 0.45))
            surveys.survey_answer(
                survey=follow_up,
                answers=_answers(rng, lonely=better),
                now=invited + datetime.timedelta(days=rng.randint(0, 6)),
            )
            pairs += 1
    return pairs


def _category_id(slug):
    from services.models import Category

    return Category.objects.only("pk").get(slug=slug).pk
