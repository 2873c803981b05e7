"""Several windows a day and dates away, through every ranking path.

The pure engine (scoring), the vectorised batch (scoring_batch), one need from the database
(candidates.rank_need), many at once (CandidateBatch) and the naive baseline must agree.
"""

import datetime

import pytest
from django.utils import timezone

from accounts.constants import CheckKind, ProviderKind
from accounts.models import TimeAway
from matchmaking import candidates, scoring
from matchmaking.bench.naive import naive_rank_need
from matchmaking.candidates import first_weekly_day, need_facts, rank_need
from matchmaking.scoring import components, exclusion, rank
from matchmaking.scoring_batch import CandidateIndex
from services.models import NeedSlot
from tests.factories import NeedFactory, StaffFactory, category
from tests.matchmaking.test_scoring import ON_DATE, make_cand, make_need
from tests.provider_factories import AvailabilityFactory, CheckFactory, ProviderProfileFactory

DAY = datetime.timedelta(days=1)
MORNING = (0, 8 * 60, 10 * 60)  # Monday 08:00-10:00
EVENING = (0, 17 * 60, 19 * 60)  # Monday 17:00-19:00


# --- The pure engine ------------------------------------------------------------------------


def test_a_second_window_on_the_day_makes_a_provider_fit():
    need = make_need(slots=(EVENING,))
    mornings_only = make_cand(availability=(MORNING,))
    both = make_cand(availability=(MORNING, EVENING))

    assert exclusion(need, mornings_only, 0.0).reason == "unavailable"
    assert exclusion(need, both, 0.0) is None
    assert components(need, both, 0.0)["availability"] == 1.0
    assert [s.provider_id for s in rank(need, [both]).ranked] == [both.provider_id]


def test_a_need_with_two_windows_a_day_is_fitted_by_all_of_them():
    need = make_need(slots=(MORNING, EVENING))

    assert components(need, make_cand(availability=(MORNING,)), 0.0)["availability"] == 0.5
    assert components(need, make_cand(availability=(EVENING,)), 0.0)["availability"] == 0.5
    both = make_cand(availability=(EVENING, MORNING))
    assert components(need, both, 0.0)["availability"] == 1.0


@pytest.mark.parametrize(
    ("first", "last", "excluded"),
    [
        (ON_DATE, ON_DATE, True),
        (ON_DATE - 3 * DAY, ON_DATE, True),  # the last day away is still away
        (ON_DATE, ON_DATE + 3 * DAY, True),  # so is the first
        (ON_DATE - 3 * DAY, ON_DATE - DAY, False),  # back the day before
        (ON_DATE + DAY, ON_DATE + 9 * DAY, False),  # leaves the day after
    ],
)
def test_a_provider_away_on_the_needs_date_is_excluded(first, last, excluded):
    need = make_need()
    cand = make_cand(away=((first, last),))

    result = exclusion(need, cand, 0.0)

    if excluded:
        assert result.reason == "away"
        assert f"Away from {first.isoformat()} to {last.isoformat()}" in result.detail
    else:
        assert result is None


def test_a_weekly_needs_first_day_decides_rather_than_today():
    cand = make_cand(away=((ON_DATE + 2 * DAY, ON_DATE + 4 * DAY),))

    assert exclusion(make_need(first_day=ON_DATE + 3 * DAY), cand, 0.0).reason == "away"
    assert exclusion(make_need(first_day=ON_DATE + 5 * DAY), cand, 0.0) is None


def test_the_batch_leaves_out_a_provider_away_even_when_they_score_best():
    need = make_need(slots=())
    # The nearest scores best but is away; the batch must still fill the limit with others.
    records = [
        make_cand(provider_id=1, lat=need.lat, away=((ON_DATE, ON_DATE),)),
        make_cand(provider_id=2, lat=need.lat + 0.005),
        make_cand(provider_id=3, lat=need.lat + 0.01),
    ]
    index = CandidateIndex(records, {pid: {"meals"} for pid in (1, 2, 3)})

    batch = index.top(need, "meals", limit=2)

    assert [s.provider_id for s in batch.ranked] == [2, 3]
    assert batch.ranked == rank(need, records, limit=2).ranked


def test_the_batch_fits_every_window_of_the_day():
    need = make_need(slots=(MORNING, EVENING))
    records = [
        make_cand(provider_id=1, availability=(MORNING,)),
        make_cand(provider_id=2, availability=(MORNING, EVENING)),
        make_cand(provider_id=3, availability=(EVENING,), lat=need.lat + 0.001),
    ]
    index = CandidateIndex(records, {pid: {"meals"} for pid in (1, 2, 3)})

    batch = index.top(need, "meals", limit=3)

    assert batch.ranked == rank(need, records, limit=3).ranked
    assert batch.ranked[0].provider_id == 2
    assert batch.ranked[0].components["availability"] == 1.0


# --- From the database ----------------------------------------------------------------------

NOW = timezone.now()
KM_PER_DEGREE = scoring.EARTH_RADIUS_KM * 3.141592653589793 / 180


@pytest.fixture
def verifier(db):
    return StaffFactory()


@pytest.fixture
def need(db):
    """A hot meal on a day three days from now, 12:00 to 13:00, outside any programme."""
    return NeedFactory(category=category("meals"), on_date=timezone.localdate() + 3 * DAY)


def cook(need, verifier, *, km_north, windows):
    """A cook `km_north` of the need who passes every filter but, perhaps, time and dates."""
    provider = ProviderProfileFactory(
        active=True,
        kind=ProviderKind.COOK,
        skills=[need.category],
        latitude=need.latitude + km_north / KM_PER_DEGREE,
        longitude=need.longitude,
        travel_radius_km=10,
        capacity=2,
    )
    for kind in (CheckKind.FOOD_HYGIENE, CheckKind.DBS_BASIC):
        CheckFactory(provider=provider, kind=kind, verified=True, verified_by=verifier)
    for weekday, start, end in windows:
        AvailabilityFactory(
            provider=provider,
            weekday=weekday,
            starts_at=datetime.time(*start),
            ends_at=datetime.time(*end),
        )
    return provider


def ranked_ids(ranking):
    return [s.provider_id for s in ranking.ranked]


def every_path(need):
    """rank_need, CandidateBatch and the naive baseline: asserted equal, returned once."""
    one = rank_need(need, now=NOW)
    batch = candidates.CandidateBatch([need], now=NOW).rank(need, limit=50)
    naive = naive_rank_need(need, now=NOW)
    assert one.ranked == naive.ranked == batch.ranked
    return one


@pytest.mark.django_db
def test_a_second_window_makes_a_distant_provider_fit_on_every_path(need, verifier):
    day = need.on_date.weekday()
    # 3 km away: beyond NEARBY_KM, so SQL itself must read both windows to keep them.
    morning_only = cook(need, verifier, km_north=3, windows=[(day, (8,), (10,))])
    two_windows = cook(
        need, verifier, km_north=3.5, windows=[(day, (8,), (10,)), (day, (11, 30), (14,))]
    )

    ranking = every_path(need)

    assert ranked_ids(ranking) == [two_windows.pk]
    assert morning_only.pk not in {e.provider_id for e in ranking.excluded}  # dropped in SQL
    assert ranking.ranked[0].components["availability"] == 1.0


@pytest.mark.django_db
def test_a_provider_away_on_the_date_is_excluded_with_a_reason_on_every_path(need, verifier):
    day = need.on_date.weekday()
    away = cook(need, verifier, km_north=0.2, windows=[(day, (9,), (18,))])
    back_before = cook(need, verifier, km_north=0.4, windows=[(day, (9,), (18,))])
    leaves_after = cook(need, verifier, km_north=0.6, windows=[(day, (9,), (18,))])
    TimeAway.objects.create(provider=away, starts_on=need.on_date - DAY, ends_on=need.on_date)
    TimeAway.objects.create(
        provider=back_before, starts_on=need.on_date - 9 * DAY, ends_on=need.on_date - DAY
    )
    TimeAway.objects.create(
        provider=leaves_after, starts_on=need.on_date + DAY, ends_on=need.on_date + 9 * DAY
    )

    ranking = every_path(need)

    assert ranked_ids(ranking) == [back_before.pk, leaves_after.pk]
    reasons = {e.provider_id: e.reason for e in rank_need(need, now=NOW).excluded}
    assert reasons == {away.pk: "away"}


def test_a_weekly_needs_first_day_is_the_next_day_it_asks_for():
    monday = datetime.date(2026, 11, 30)
    assert first_weekly_day([(0, 600, 660)], monday) == monday
    assert first_weekly_day([(2, 600, 660), (4, 600, 660)], monday) == monday + 2 * DAY
    assert first_weekly_day([(6, 600, 660)], monday + DAY) == monday + 6 * DAY


@pytest.mark.django_db
def test_a_weekly_need_leaves_out_providers_away_on_its_first_day(verifier):
    today = timezone.localdate(NOW)
    first = today + 2 * DAY
    need = NeedFactory(
        category=category("meals"), schedule="weekly", on_date=None, starts_at=None, ends_at=None
    )
    NeedSlot.objects.create(
        need=need, weekday=first.weekday(), starts_at=datetime.time(12), ends_at=datetime.time(13)
    )
    windows = [(first.weekday(), (9,), (18,))]
    away_then = cook(need, verifier, km_north=0.2, windows=windows)
    away_until_the_day_before = cook(need, verifier, km_north=0.4, windows=windows)
    TimeAway.objects.create(provider=away_then, starts_on=first, ends_on=first + 7 * DAY)
    TimeAway.objects.create(
        provider=away_until_the_day_before, starts_on=today, ends_on=first - DAY
    )

    assert need_facts(need, now=NOW).first_day == first
    ranking = every_path(need)

    assert ranked_ids(ranking) == [away_until_the_day_before.pk]
    assert [(e.provider_id, e.reason) for e in ranking.excluded] == [(away_then.pk, "away")]


@pytest.mark.django_db
def test_dates_away_do_not_change_how_many_queries_rank_need_makes(
    need, verifier, django_assert_max_num_queries
):
    day = need.on_date.weekday()
    for km in (0.2, 0.4, 3):
        provider = cook(need, verifier, km_north=km, windows=[(day, (9,), (18,))])
        TimeAway.objects.create(provider=provider, starts_on=need.on_date, ends_on=need.on_date)
    rank_need(need, now=NOW)  # reads the providers' facts into the provider index
    # Category and programme, the index's stamp, what changes with every offer of those found,
    # the resident's history: dates away are in the index.
    with django_assert_max_num_queries(4):
        rank_need(need, now=NOW)
