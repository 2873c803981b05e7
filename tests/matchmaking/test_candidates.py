"""candidates.py: from needs and providers in the database to the engine's records."""

import dataclasses
import datetime
import math

import pytest
from django.db import connection
from django.utils import timezone

from accounts.constants import CheckKind, ProviderKind, ProviderStatus
from accounts.models import ProviderProfile
from matchmaking import candidates, scoring
from matchmaking.bench.city import CENTRE, build_city
from matchmaking.bench.naive import naive_rank_need
from matchmaking.candidates import (
    DEFAULT_MAX_DISTANCE_KM,
    FAIRNESS_WINDOW,
    MAX_TRAVEL_RADIUS_KM,
    NEARBY_KM,
    candidate_facts,
    need_facts,
    programme_weights,
    rank_need,
)
from matchmaking.models import Block
from services.models import Need, NeedSlot
from tests.factories import NeedFactory, ProgrammeFactory, StaffFactory, UserFactory, category
from tests.match_factories import MatchFactory
from tests.provider_factories import AvailabilityFactory, CheckFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
KM_PER_DEGREE = scoring.EARTH_RADIUS_KM * math.pi / 180
MEALS_CHECKS = (CheckKind.FOOD_HYGIENE, CheckKind.DBS_BASIC)


@pytest.fixture(autouse=True, params=["index", "query"])
def source(request, settings):
    """Every test here runs twice: providers read from the provider index, and by the query."""
    settings.PROVIDER_INDEX = request.param == "index"
    return request.param


def warm(need):
    """Build the provider index now (where it is used), so that a test counts one ranking's
    own queries."""
    candidate_facts(need, now=NOW)


@pytest.fixture
def verifier():
    return StaffFactory()


@pytest.fixture
def need():
    """A hot meal on a weekday three days from now, 12:00 to 13:00, outside any programme."""
    return NeedFactory(
        category=category("meals"), on_date=timezone.localdate() + datetime.timedelta(days=3)
    )


def cook(
    need,
    verifier,
    *,
    km_north=0.0,
    kind=ProviderKind.COOK,
    checks=MEALS_CHECKS,
    weekday=None,
    hours=(9, 18),
    skills=None,
    **fields,
):
    """A provider `km_north` of the need who passes every hard filter unless told otherwise."""
    provider = ProviderProfileFactory(
        active=True,
        kind=kind,
        skills=[need.category] if skills is None else skills,
        latitude=need.latitude + km_north / KM_PER_DEGREE,
        longitude=need.longitude,
        **{"travel_radius_km": 10, "capacity": 2, **fields},
    )
    for check in checks:
        CheckFactory(provider=provider, kind=check, verified=True, verified_by=verifier)
    if hours:
        AvailabilityFactory(
            provider=provider,
            weekday=need.on_date.weekday() if weekday is None else weekday,
            starts_at=datetime.time(hours[0]),
            ends_at=datetime.time(hours[1]),
        )
    return provider


def facts_by_id(need):
    return {c.provider_id: c for c in candidate_facts(need, now=NOW)}


# --- need_facts -----------------------------------------------------------------------------


def test_a_one_off_need_is_one_slot_on_its_date(need):
    facts = need_facts(need)
    assert facts.need_id == need.pk
    assert facts.resident_id == need.resident_id
    assert (facts.lat, facts.lon) == (need.latitude, need.longitude)
    assert facts.on_date == need.on_date
    assert facts.slots == ((need.on_date.weekday(), 12 * 60, 13 * 60),)
    assert facts.allowed_kinds == {"cook"}
    assert facts.required_checks == {"food_hygiene", "dbs_basic"}
    assert facts.max_distance_km == DEFAULT_MAX_DISTANCE_KM
    assert (facts.language, facts.preferred_language) == ("", "")


def test_a_weekly_need_is_its_slots_and_checks_must_be_valid_today():
    programme = ProgrammeFactory(max_distance_km=6)
    need = NeedFactory(
        category=category("companionship"),
        programme=programme,
        schedule="weekly",
        on_date=None,
        starts_at=None,
        ends_at=None,
    )
    NeedSlot.objects.create(
        need=need, weekday=4, starts_at=datetime.time(14), ends_at=datetime.time(15, 30)
    )
    NeedSlot.objects.create(
        need=need, weekday=1, starts_at=datetime.time(9, 15), ends_at=datetime.time(10)
    )
    facts = need_facts(need, now=NOW)
    assert facts.slots == ((1, 555, 600), (4, 840, 930))
    assert facts.on_date == timezone.localdate(NOW)
    assert facts.allowed_kinds == {"carer", "peer", "cook"}
    assert facts.max_distance_km == 6


@pytest.mark.parametrize(
    ("language", "required", "expected"),
    [("pl", True, ("pl", "")), ("pl", False, ("", "pl")), ("", False, ("", ""))],
)
def test_a_required_language_is_a_filter_otherwise_a_preference(language, required, expected):
    need = NeedFactory(language=language, language_required=required)
    facts = need_facts(need)
    assert (facts.language, facts.preferred_language) == expected


def test_the_resident_is_the_requester_when_they_have_no_account():
    need = NeedFactory(resident=None)
    assert need_facts(need).resident_id == need.requested_by_id


def test_need_facts_reads_category_and_programme_in_one_query_at_most(
    need, django_assert_num_queries
):
    plain = Need.objects.get(pk=need.pk)
    fetched = Need.objects.select_related("category", "programme").get(pk=need.pk)
    with django_assert_num_queries(1):
        need_facts(plain)
    with django_assert_num_queries(0):  # a one-off need whose relations are fetched already
        need_facts(fetched)


# --- weights --------------------------------------------------------------------------------


def test_programme_weights_are_merged_over_the_defaults():
    weights = programme_weights(ProgrammeFactory(weights={"proximity": 4, "fairness": 0}))
    assert weights.proximity == 4.0 and weights.fairness == 0.0
    assert weights.trust == scoring.DEFAULT_WEIGHTS.trust
    assert programme_weights(ProgrammeFactory(weights={})) == scoring.DEFAULT_WEIGHTS
    assert programme_weights(None) == scoring.DEFAULT_WEIGHTS


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"proximty": 2}, "Unknown scoring weight 'proximty'"),
        ({"trust": "high"}, "must be a number"),
        ({"trust": True}, "must be a number"),
        ({"trust": -1}, "zero or more"),
        (["proximity"], "mapping"),
    ],
)
def test_bad_programme_weights_are_refused_not_ignored(weights, message):
    with pytest.raises(ValueError, match=message):
        programme_weights(ProgrammeFactory(weights=weights))


def test_rank_need_scores_with_the_programmes_weights(verifier):
    programme = ProgrammeFactory(max_distance_km=10, weights={"proximity": 7})
    need = NeedFactory(category=category("meals"), programme=programme)
    cook(need, verifier)
    [scored] = rank_need(need, now=NOW).ranked
    assert scored.explanation["components"]["proximity"]["weight"] == 7.0
    explicit = rank_need(need, now=NOW, weights=scoring.DEFAULT_WEIGHTS).ranked[0]
    assert explicit.explanation["components"]["proximity"]["weight"] == 2.0


def test_rank_need_reads_the_programme_the_same_whether_fetched_or_not(verifier):
    programme = ProgrammeFactory(max_distance_km=10, weights={"proximity": 7, "fairness": 0})
    need = NeedFactory(category=category("meals"), programme=programme)
    cook(need, verifier)
    plain = rank_need(Need.objects.get(pk=need.pk), now=NOW)  # read with one statement
    fetched = rank_need(
        Need.objects.select_related("category", "programme").get(pk=need.pk), now=NOW
    )
    assert plain == fetched
    [scored] = plain.ranked
    assert scored.explanation["components"]["proximity"]["weight"] == 7.0
    assert scored.explanation["components"]["fairness"]["weight"] == 0.0


# --- queries --------------------------------------------------------------------------------


def weekly_need_in_a_programme():
    need = NeedFactory(
        category=category("companionship"),
        programme=ProgrammeFactory(max_distance_km=10),
        schedule="weekly",
        on_date=None,
        starts_at=None,
        ends_at=None,
        latitude=CENTRE[0],
        longitude=CENTRE[1],
    )
    for weekday in (0, 2, 4):
        NeedSlot.objects.create(
            need=need, weekday=weekday, starts_at=datetime.time(10), ends_at=datetime.time(16)
        )
    return Need.objects.get(pk=need.pk)  # nothing cached: the worst case


@pytest.mark.parametrize("size", [3, 60])
def test_the_number_of_queries_does_not_grow_with_the_city(
    size, source, django_assert_max_num_queries
):
    need = weekly_need_in_a_programme()
    # A crowded city around the need, with history (matches of every kind) for the figures.
    build_city(providers=size, needs=2, seed=size, radius_km=1.5)
    returned = len(candidate_facts(Need.objects.get(pk=need.pk), now=NOW))
    assert returned >= size // 3  # so an N+1 would show

    # 1 the need's category, programme and weekly slots, 2 the providers with their facts and
    # their availability in the need's slots, 3 the resident's history and blocks. With the
    # provider index, 2 is the index's stamp, then what changes with every offer of those found.
    with django_assert_max_num_queries(4 if source == "index" else 3):
        ranking = rank_need(need, now=NOW)
    assert len(ranking.ranked) + len(ranking.excluded) == returned


def test_a_weekly_need_fetched_with_its_slots_costs_no_query_of_its_own(
    source, django_assert_num_queries
):
    need = weekly_need_in_a_programme()
    build_city(providers=30, needs=2, seed=3, radius_km=1.5)
    plain = rank_need(Need.objects.get(pk=need.pk), now=NOW)
    assert plain.ranked or plain.excluded
    fetched = (
        Need.objects.select_related("category", "programme")
        .prefetch_related("slots")
        .get(pk=need.pk)
    )
    # The providers (the stamp, then what changes of those found), the history and blocks.
    with django_assert_num_queries(3 if source == "index" else 2):
        assert rank_need(fetched, now=NOW) == plain


def test_with_no_candidate_the_history_is_not_read(need, django_assert_num_queries):
    plain = Need.objects.get(pk=need.pk)
    warm(need)
    # Category and programme, then the empty provider query (or the index's stamp).
    with django_assert_num_queries(2):
        assert candidate_facts(plain, now=NOW) == []
    with django_assert_num_queries(2):
        assert rank_need(plain, now=NOW).ranked == []


# --- what SQL filters out, and what it leaves to the engine ----------------------------------


def test_sql_drops_the_far_inactive_wrong_kind_and_unskilled(need, verifier):
    kept = cook(need, verifier)
    cook(need, verifier, km_north=DEFAULT_MAX_DISTANCE_KM + 5)  # outside the search box
    cook(need, verifier, status=ProviderStatus.APPLIED)
    cook(need, verifier, status=ProviderStatus.SUSPENDED)
    cook(need, verifier, kind=ProviderKind.CARER)  # meals are for home cooks
    cook(need, verifier, skills=[category("companionship")])
    assert set(facts_by_id(need)) == {kept.pk}


def test_beyond_nearby_sql_also_drops_those_out_of_reach_or_unavailable(need, verifier):
    in_reach = cook(need, verifier, km_north=3, travel_radius_km=4)
    cook(need, verifier, km_north=3, travel_radius_km=2)  # beyond their own radius
    cook(need, verifier, km_north=3, hours=(14, 18))  # not free at lunchtime
    cook(need, verifier, km_north=3, hours=None)  # no availability at all
    far_out = cook(need, verifier, km_north=5.5, travel_radius_km=8)
    assert set(facts_by_id(need)) == {in_reach.pk, far_out.pk}

    need.programme = ProgrammeFactory(max_distance_km=5)  # within their radius, not the programme's
    need.save()
    assert set(facts_by_id(need)) == {in_reach.pk}


def test_provider_query_is_the_query_rank_need_reads_its_candidates_with(need, verifier):
    # bench scoring times provider_query alone as ranking's floor: it must be the same query.
    kept = [cook(need, verifier), cook(need, verifier, km_north=3, travel_radius_km=4)]
    cook(need, verifier, km_north=3, hours=(14, 18))  # dropped by SQL: not free at lunchtime
    cook(need, verifier, status=ProviderStatus.SUSPENDED)
    sql, params = candidates.provider_query(need, now=NOW)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    assert sorted(row[0] for row in rows) == sorted(facts_by_id(need)) == sorted(p.pk for p in kept)


def test_everyone_nearby_reaches_the_engine_with_a_reason(need, verifier):
    too_far = cook(need, verifier, km_north=NEARBY_KM * 0.8, travel_radius_km=0.5)
    busy = cook(need, verifier, km_north=NEARBY_KM * 0.5, hours=(14, 18))
    unchecked = cook(need, verifier, checks=[CheckKind.DBS_BASIC])
    expired = cook(need, verifier)
    expired.checks.filter(kind=CheckKind.FOOD_HYGIENE).update(
        expires_at=need.on_date - datetime.timedelta(days=1)
    )
    full = cook(need, verifier, capacity=1)
    MatchFactory(provider=full, accepted=True)
    ok = cook(need, verifier)

    ranking = rank_need(need, now=NOW)
    reasons = {e.provider_id: e.reason for e in ranking.excluded}
    assert reasons == {
        too_far.pk: "too_far",
        busy.pk: "unavailable",
        unchecked.pk: "check_missing",
        expired.pk: "check_expired",
        full.pk: "no_capacity",
    }
    assert [s.provider_id for s in ranking.ranked] == [ok.pk]


def test_a_programme_reaching_less_than_nearby_still_bounds_who_is_read(need, verifier):
    # Round the corner means within NEARBY_KM and within the programme's search box: a
    # provider between the two is neither read nor listed, free or not.
    need.programme = ProgrammeFactory(max_distance_km=0.5)
    need.save()
    inside_busy = cook(need, verifier, km_north=0.3, hours=(14, 18))
    inside_free = cook(need, verifier, km_north=0.3)
    cook(need, verifier, km_north=0.8, hours=(14, 18))
    cook(need, verifier, km_north=0.8)

    ranking = rank_need(need, now=NOW)
    assert {e.provider_id: e.reason for e in ranking.excluded} == {inside_busy.pk: "unavailable"}
    assert [s.provider_id for s in ranking.ranked] == [inside_free.pk]


def test_checks_and_capacity_are_left_to_the_engine_beyond_nearby_too(need, verifier):
    unchecked = cook(need, verifier, km_north=4, checks=[])
    full = cook(need, verifier, km_north=4, capacity=1)
    MatchFactory(provider=full, offered=True)
    reasons = {e.provider_id: e.reason for e in rank_need(need, now=NOW).excluded}
    assert reasons == {unchecked.pk: "check_missing", full.pk: "no_capacity"}


def test_candidate_facts_carry_the_profile(need, verifier):
    provider = cook(
        need,
        verifier,
        km_north=2,
        languages=["en", "pl"],
        rating_count=4,
        rating_sum=18,
        offers_received=6,
        offers_accepted=5,
        matches_completed=4,
    )
    never = provider.checks.get(kind=CheckKind.DBS_BASIC)
    never.expires_at = None
    never.save()
    CheckFactory(provider=provider, kind=CheckKind.IDENTITY, verified=True, verified_by=verifier)
    facts = facts_by_id(need)[provider.pk]
    assert (facts.kind, facts.is_active, facts.radius_km, facts.capacity) == ("cook", True, 10, 2)
    assert facts.lat == pytest.approx(provider.latitude)
    assert facts.languages == {"en", "pl"}
    assert (facts.rating_count, facts.rating_sum) == (4, 18.0)
    assert (facts.offers_received, facts.offers_accepted, facts.matches_completed) == (6, 5, 4)
    # Only the checks the category requires; None means verified and never expiring.
    assert facts.checks == {
        "dbs_basic": None,
        "food_hygiene": provider.checks.get(kind=CheckKind.FOOD_HYGIENE).expires_at,
    }
    assert facts.availability == ((need.on_date.weekday(), 9 * 60, 18 * 60),)


def test_only_availability_overlapping_the_need_is_read(need, verifier):
    provider = cook(need, verifier)
    weekday = need.on_date.weekday()
    AvailabilityFactory(provider=provider, weekday=(weekday + 1) % 7)
    AvailabilityFactory(
        provider=provider, weekday=weekday, starts_at=datetime.time(7), ends_at=datetime.time(12)
    )
    AvailabilityFactory(
        provider=provider,
        weekday=weekday,
        starts_at=datetime.time(12, 59),
        ends_at=datetime.time(14),
    )
    assert sorted(facts_by_id(need)[provider.pk].availability) == [
        (weekday, 9 * 60, 18 * 60),
        (weekday, 779, 840),
    ]


def test_pending_and_rejected_checks_count_as_missing(need, verifier):
    provider = cook(need, verifier, checks=[CheckKind.DBS_BASIC])
    CheckFactory(provider=provider, kind=CheckKind.FOOD_HYGIENE)  # pending
    assert facts_by_id(need)[provider.pk].checks == {
        "dbs_basic": provider.checks.get(kind=CheckKind.DBS_BASIC).expires_at
    }


# --- annotations ----------------------------------------------------------------------------


def test_live_matches_count_what_holds_a_place(need, verifier):
    provider = cook(need, verifier, capacity=5)
    for state in ("offered", "accepted", "active"):
        MatchFactory(provider=provider, **{state: True})
    for state in ("completed", "declined", "expired", "cancelled"):
        MatchFactory(provider=provider, **{state: True})
    MatchFactory(provider=provider)  # proposed: not sent, holds no place yet
    assert facts_by_id(need)[provider.pk].live_matches == 3


def test_recent_offers_count_offers_in_the_fairness_window(need, verifier):
    provider = cook(need, verifier)
    MatchFactory(provider=provider, declined=True, offered_at=NOW - datetime.timedelta(days=1))
    MatchFactory(provider=provider, completed=True, offered_at=NOW - datetime.timedelta(days=6))
    MatchFactory(provider=provider, offered=True, offered_at=NOW)
    MatchFactory(provider=provider, expired=True, offered_at=NOW - FAIRNESS_WINDOW)
    MatchFactory(provider=provider, completed=True, offered_at=NOW - datetime.timedelta(days=30))
    MatchFactory(provider=provider)  # never offered
    assert facts_by_id(need)[provider.pk].recent_offers == 3


def test_continuity_counts_completed_matches_with_the_same_resident(need, verifier):
    provider = cook(need, verifier)
    stranger = cook(need, verifier)
    resident = need.resident
    for _ in range(2):
        MatchFactory(provider=provider, completed=True, need=NeedFactory(requested_by=resident))
    MatchFactory(provider=provider, active=True, need=NeedFactory(requested_by=resident))
    MatchFactory(provider=stranger, completed=True)  # someone else's need
    facts = facts_by_id(need)
    assert facts[provider.pk].completed_with_resident == 2
    assert facts[stranger.pk].completed_with_resident == 0


def test_continuity_follows_the_resident_not_whoever_referred_them(verifier):
    gp = UserFactory()
    rose, tom = UserFactory(), UserFactory()
    need = NeedFactory(category=category("meals"), requested_by=gp, resident=rose)
    provider = cook(need, verifier)
    MatchFactory(provider=provider, completed=True, need=NeedFactory(requested_by=gp, resident=tom))
    MatchFactory(provider=provider, completed=True, need=NeedFactory(requested_by=rose))
    assert facts_by_id(need)[provider.pk].completed_with_resident == 1

    # Without an account, the requester stands for the resident.
    anonymous = NeedFactory(category=category("meals"), requested_by=gp, resident=None)
    MatchFactory(
        provider=provider, completed=True, need=NeedFactory(requested_by=gp, resident=None)
    )
    assert facts_by_id(anonymous)[provider.pk].completed_with_resident == 1


def test_declined_or_expired_for_this_need_only(need, verifier):
    declined = cook(need, verifier)
    expired = cook(need, verifier)
    elsewhere = cook(need, verifier)
    MatchFactory(provider=declined, need=need, declined=True)
    MatchFactory(provider=expired, need=need, expired=True)
    MatchFactory(provider=elsewhere, declined=True, need=NeedFactory(requested_by=need.resident))
    facts = facts_by_id(need)
    assert facts[declined.pk].declined_this_need
    assert facts[expired.pk].declined_this_need
    assert not facts[elsewhere.pk].declined_this_need
    reasons = {e.provider_id: e.reason for e in rank_need(need, now=NOW).excluded}
    assert reasons == {declined.pk: "declined", expired.pk: "declined"}


def test_a_block_by_the_resident_or_the_requester_excludes_the_pair(verifier):
    daughter, mother = UserFactory(), UserFactory()
    need = NeedFactory(category=category("meals"), requested_by=daughter, resident=mother)
    by_mother = cook(need, verifier)
    by_daughter = cook(need, verifier)
    by_someone_else = cook(need, verifier)
    Block.objects.create(resident=mother, provider=by_mother)
    Block.objects.create(resident=daughter, provider=by_daughter)
    Block.objects.create(resident=UserFactory(), provider=by_someone_else)
    reasons = {e.provider_id: e.reason for e in rank_need(need, now=NOW).excluded}
    assert reasons == {by_mother.pk: "blocked", by_daughter.pk: "blocked"}


# --- the search box -------------------------------------------------------------------------


def test_the_search_radius_is_the_programmes_within_bounds():
    facts = scoring.NeedFacts(
        need_id=1,
        resident_id=1,
        lat=51.5,
        lon=0.0,
        on_date=datetime.date(2026, 1, 1),
        slots=(),
        allowed_kinds=frozenset(),
        required_checks=frozenset(),
    )
    assert candidates.search_radius_km(facts) == DEFAULT_MAX_DISTANCE_KM
    for programme_max, expected in ((6, 6), (80, MAX_TRAVEL_RADIUS_KM)):
        programme = dataclasses.replace(facts, max_distance_km=programme_max)
        assert candidates.search_radius_km(programme) == expected


def test_max_travel_radius_matches_the_model():
    field = ProviderProfile._meta.get_field("travel_radius_km")
    assert max(v.limit_value for v in field.validators if hasattr(v, "limit_value")) == (
        MAX_TRAVEL_RADIUS_KM
    )


def test_a_provider_just_inside_their_radius_is_kept(need, verifier):
    # Flat-earth distance in SQL must never cut someone the engine keeps: put a provider
    # north-east of the need, a hair inside their radius, at the box's widest longitude spread.
    radius = 7.0
    dlat = radius * 0.6 / KM_PER_DEGREE
    dlon = radius * 0.8 / (KM_PER_DEGREE * math.cos(math.radians(need.latitude)))
    provider = cook(need, verifier, travel_radius_km=radius)
    ProviderProfile.objects.filter(pk=provider.pk).update(
        latitude=need.latitude + dlat * 0.999, longitude=need.longitude + dlon * 0.999
    )
    [scored] = rank_need(need, now=NOW).ranked
    assert scored.provider_id == provider.pk
    assert radius * 0.99 < scored.distance_km <= radius


# --- the same answer as screening everybody -------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rank_need_agrees_with_the_naive_implementation(seed):
    city = build_city(providers=40, needs=20, seed=seed, radius_km=3)
    compared = 0
    for need in Need.objects.filter(pk__in=city.needs):
        fast = rank_need(need, now=NOW)
        naive = naive_rank_need(need, now=NOW)
        assert [(s.provider_id, s.score) for s in fast.ranked] == [
            (s.provider_id, s.score) for s in naive.ranked
        ]
        # What SQL leaves to the engine is excluded for the same reason both ways.
        naive_reasons = {e.provider_id: e.reason for e in naive.excluded}
        assert {e.provider_id: e.reason for e in fast.excluded}.items() <= naive_reasons.items()
        compared += len(fast.ranked)
    assert compared >= 20  # the comparison is not vacuous


# --- many needs at once: the batch allocation's candidate index -----------------------------


def open_needs(ids):
    return list(
        Need.objects.filter(pk__in=ids)
        .select_related("category", "programme")
        .prefetch_related("slots")
        .order_by("pk")
    )


@pytest.mark.parametrize(("seed", "limit"), [(1, 30), (2, 5), (3, 1)])
def test_the_batch_ranks_every_need_as_rank_need_does(seed, limit):
    city = build_city(providers=150, needs=40, seed=seed, radius_km=3)
    needs = open_needs(city.needs)
    batch = candidates.CandidateBatch(needs, now=NOW)
    compared = 0
    for need in needs:
        one = rank_need(need, now=NOW, limit=limit)
        many = batch.rank(need, limit=limit)
        # The same Scored records: providers, order, scores, components and explanations.
        assert many.ranked == one.ranked
        if not one.ranked:
            assert any(e.reason == "no_capacity" for e in many.excluded) == any(
                e.reason == "no_capacity" for e in one.excluded
            )
        for scored in one.ranked:
            assert batch.explanation(need.pk, scored.provider_id) == scored.explanation
        compared += len(one.ranked)
    assert compared >= 30  # not vacuous


def test_the_batch_reads_history_blocks_and_declines_as_rank_need_does(verifier):
    daughter, mother = UserFactory(), UserFactory()
    need = NeedFactory(category=category("meals"), requested_by=daughter, resident=mother)
    familiar, blocked, declined, plain = (cook(need, verifier) for _ in range(4))
    MatchFactory(provider=familiar, completed=True, need=NeedFactory(requested_by=mother))
    Block.objects.create(resident=daughter, provider=blocked)
    MatchFactory(provider=declined, need=need, declined=True)
    MatchFactory(provider=plain, offered=True)  # holds a place, a recent offer
    [need] = open_needs([need.pk])
    ranking = candidates.CandidateBatch([need], now=NOW).rank(need, limit=10)
    assert ranking.ranked == rank_need(need, now=NOW, limit=10).ranked
    assert {s.provider_id for s in ranking.ranked} == {familiar.pk, plain.pk}


@pytest.mark.parametrize("size", [3, 60])
def test_the_batch_reads_a_scope_in_a_fixed_number_of_queries(size, django_assert_max_num_queries):
    city = build_city(providers=size, needs=size, seed=size, radius_km=1.5)
    needs = open_needs(city.needs)
    # Providers, live matches, recent offers, skills, checks, availability, dates away, blocks,
    # completed matches, declines: ten, whatever the size; ranking then reads nothing.
    with django_assert_max_num_queries(10):
        batch = candidates.CandidateBatch(needs, now=NOW)
        for need in needs:
            batch.rank(need, limit=30)
