"""Reads of outcome surveys for commissioners: paired scores per person and response counts.

Only answered, not withdrawn surveys are read. A person counts once in a group: a
resident who asked for help twice in the same programme is paired on their earliest
request's baseline. Suppression of small groups is `matchmaking.outcomes.statistics`'s
job; these functions return every pair, and never names or contact details.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from matchmaking.models import OutcomeSurvey
from matchmaking.outcomes.constants import FOLLOW_UP_WAVES, SurveyWave
from matchmaking.outcomes.instruments import ITEMS, scores
from services.models import Need


@dataclass(frozen=True)
class SurveyPair:
    """One person's baseline and follow-up scores (see `instruments.scores` for the keys:
    ucla3, often_lonely, ascof_contact, life_satisfaction, worthwhile, happiness, anxiety)."""

    person: str  # an opaque key, stable within one call; never shown
    programme_id: int | None
    area_id: int | None
    category_id: int | None
    baseline: dict
    follow_up: dict
    follow_up_answered_at: datetime.datetime

    def measure(self, name: str) -> tuple[object, object] | None:
        """(baseline, follow-up) of one score, or None when either is missing."""
        before, after = self.baseline.get(name), self.follow_up.get(name)
        if before is None or after is None:
            return None
        return before, after


def _grouped(queryset, *, programme, area, category):
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if area is not None:
        queryset = queryset.filter(area=area)
    if category is not None:
        queryset = queryset.filter(category=category)
    return queryset


def _person_key(survey) -> str:
    if survey.need_id is None:
        return f"user-{survey.respondent_id}"
    resident_id = survey.need.resident_id if survey.need else None
    return f"user-{resident_id}" if resident_id else f"need-{survey.need_id}"


def _answers(survey) -> dict:
    return scores({code: getattr(survey, code) for code in ITEMS})


def outcome_pairs(
    *,
    programme=None,
    area=None,
    category=None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    follow_up_wave: str = SurveyWave.MONTH_3,
    volunteers: bool = False,
) -> list[SurveyPair]:
    """Each person's (baseline, follow-up) scores for a group and period.

    The group is the programme, area and category the survey was asked under (any that is
    None is not filtered on); the period is when the follow-up was answered. Residents pair
    BASELINE with `follow_up_wave` (MONTH_3 or MONTH_6) by request; with `volunteers=True`
    volunteers pair VOLUNTEER_START with VOLUNTEER_MONTH_6 (ONS4 only). Two queries.
    """
    if volunteers:
        first_wave, then_wave = SurveyWave.VOLUNTEER_START, SurveyWave.VOLUNTEER_MONTH_6
    else:
        if follow_up_wave not in FOLLOW_UP_WAVES:
            raise ValueError(f"not a follow-up wave: {follow_up_wave!r}")
        first_wave, then_wave = SurveyWave.BASELINE, follow_up_wave
    answered = OutcomeSurvey.objects.answered().select_related("need")
    follow_ups = _grouped(
        answered.filter(wave=then_wave), programme=programme, area=area, category=category
    )
    if since is not None:
        follow_ups = follow_ups.filter(answered_at__gte=since)
    if until is not None:
        follow_ups = follow_ups.filter(answered_at__lt=until)
    follow_ups = list(follow_ups.order_by("answered_at", "pk"))
    if volunteers:
        link = {"respondent_id__in": {s.respondent_id for s in follow_ups}, "need__isnull": True}
        baselines = answered.filter(wave=first_wave, **link)
        by_link = {s.respondent_id: s for s in baselines}
        link_of = lambda s: s.respondent_id  # noqa: E731
    else:
        baselines = answered.filter(wave=first_wave, need_id__in={s.need_id for s in follow_ups})
        by_link = {s.need_id: s for s in baselines}
        link_of = lambda s: s.need_id  # noqa: E731

    matched = [
        (by_link[link_of(follow_up)], follow_up)
        for follow_up in follow_ups
        if link_of(follow_up) in by_link
    ]
    # Earliest baseline first, so a person with several requests keeps their first.
    matched.sort(key=lambda pair: (pair[0].answered_at, pair[0].pk))
    pairs: dict[str, SurveyPair] = {}
    for baseline, follow_up in matched:
        key = _person_key(follow_up)
        if key in pairs:
            continue
        pairs[key] = SurveyPair(
            person=key,
            programme_id=follow_up.programme_id,
            area_id=follow_up.area_id,
            category_id=follow_up.category_id,
            baseline=_answers(baseline),
            follow_up=_answers(follow_up),
            follow_up_answered_at=follow_up.answered_at,
        )
    return list(pairs.values())


def paired_values(pairs: list[SurveyPair], measure: str) -> list[tuple[object, object]]:
    """(before, after) of one score for every pair that has both, as statistics.paired_change
    and statistics.shares_before_after take them."""
    return [values for pair in pairs if (values := pair.measure(measure)) is not None]


@dataclass(frozen=True)
class WaveResponses:
    """How many were asked at a wave and how many answered (withdrawn answers excluded)."""

    wave: str
    invited: int
    answered: int


def response_counts(
    *,
    programme=None,
    area=None,
    category=None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> list[WaveResponses]:
    """Invited and answered per resident wave, for a group and a period (by when invited).

    Everyone who finishes Request help is invited to the baseline, so its "invited" is the
    requests made in the period; follow-ups count the invitations sent. Two queries.
    """
    surveys = _grouped(
        OutcomeSurvey.objects.all(), programme=programme, area=area, category=category
    )
    if since is not None:
        surveys = surveys.filter(invited_at__gte=since)
    if until is not None:
        surveys = surveys.filter(invited_at__lt=until)
    counts = {
        row["wave"]: row
        for row in surveys.values("wave").annotate(
            invited=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False, withdrawn_at__isnull=True)),
        )
    }
    needs = _grouped(Need.objects.all(), programme=programme, area=area, category=category)
    if since is not None:
        needs = needs.filter(created_at__gte=since)
    if until is not None:
        needs = needs.filter(created_at__lt=until)
    baseline = counts.get(SurveyWave.BASELINE, {"answered": 0})
    rows = [WaveResponses(SurveyWave.BASELINE, needs.count(), baseline["answered"])]
    for wave in FOLLOW_UP_WAVES:
        row = counts.get(wave, {"invited": 0, "answered": 0})
        rows.append(WaveResponses(wave, row["invited"], row["answered"]))
    return rows
