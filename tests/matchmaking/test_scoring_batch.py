"""The vectorised batch ranking gives the engine's own ranking (pure: no database)."""

import ast
import dataclasses
import datetime
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking import scoring, scoring_batch
from matchmaking.scoring import distance_km, rank
from matchmaking.scoring_batch import CandidateIndex
from tests.matchmaking.test_scoring import (
    ON_DATE,
    PROPERTY,
    candidates,
    make_cand,
    make_need,
    needs,
    weights_strategy,
)

CATEGORIES = ("meals", "company")
DAY = datetime.timedelta(days=1)
# A city is up to 40 providers: fewer examples than the engine's own properties, each bigger.
PROPERTY_CITIES = settings(PROPERTY, max_examples=100)


@st.composite
def cities(draw):
    """Needs and the providers around them, each with skills and some shared history."""
    # A weekly need's first day may differ from on_date (the day checks must be valid).
    first_days = st.one_of(st.none(), st.integers(0, 6).map(lambda d: ON_DATE + DAY * d))
    need_list = [
        dataclasses.replace(need, need_id=i + 1, first_day=draw(first_days))
        for i, need in enumerate(draw(st.lists(needs(), min_size=1, max_size=3)))
    ]
    records, skills = [], {}
    count = draw(st.integers(0, 40))
    for provider_id in range(1, count + 1):
        near = need_list[draw(st.integers(0, len(need_list) - 1))]
        record = draw(candidates(near, provider_id=provider_id))
        if draw(st.integers(0, 7)) == 0:
            # Exactly on the limit: the engine decides the floating-point borderline.
            reach = distance_km(near.lat, near.lon, record.lat, record.lon)
            record = record._replace(radius_km=reach)
        if draw(st.integers(0, 3)) == 0:
            # Dates away around the needs' days: some cover them, some end or start beside.
            starts = [
                ON_DATE + DAY * draw(st.integers(-3, 8)) for _ in range(draw(st.integers(1, 2)))
            ]
            away = tuple((first, first + DAY * draw(st.integers(0, 3))) for first in starts)
            record = record._replace(away=away)
        records.append(
            record._replace(completed_with_resident=0, declined_this_need=False, blocked=False)
        )
        skills[provider_id] = set(draw(st.sets(st.sampled_from(CATEGORIES), max_size=2)))
    ids = st.integers(1, max(count, 1))
    per_need = [
        {
            "category": draw(st.sampled_from(CATEGORIES)),
            "completed": draw(st.dictionaries(ids, st.integers(1, 4), max_size=5)),
            "declined": draw(st.sets(ids, max_size=3)),
            "blocked": draw(st.sets(ids, max_size=3)),
        }
        for _ in need_list
    ]
    return need_list, records, skills, per_need


def engine_view(need, records, skills, category, completed, declined, blocked, weights, limit):
    """scoring.rank over every provider with the skill: what the batch path must reproduce."""
    records = [
        r._replace(
            completed_with_resident=completed.get(r.provider_id, 0),
            declined_this_need=r.provider_id in declined,
            blocked=r.provider_id in blocked,
        )
        for r in sorted(records, key=lambda r: r.provider_id)
        if category in skills[r.provider_id]
    ]
    return rank(need, records, weights, limit=limit)


@PROPERTY_CITIES
@given(city=cities(), weights=weights_strategy, limit=st.integers(1, 12))
def test_batch_ranking_is_the_engines_on_generated_cities(city, weights, limit):
    need_list, records, skills, per_need = city
    index = CandidateIndex(records, skills)
    for need, extra in zip(need_list, per_need, strict=True):
        batch = index.top(need, extra["category"], weights, limit=limit, **_facts(extra))
        engine = engine_view(need, records, skills, weights=weights, limit=limit, **extra)
        # Same providers, order, scores, components and explanations, to the last bit.
        assert batch.ranked == engine.ranked
        if not engine.ranked:
            engine_full = any(e.reason == "no_capacity" for e in engine.excluded)
            batch_full = any(e.reason == "no_capacity" for e in batch.excluded)
            assert batch_full == engine_full


@PROPERTY_CITIES
@given(city=cities(), weights=weights_strategy, limit=st.integers(1, 12))
def test_numpy_scores_give_the_engines_ranking_on_generated_cities(city, weights, limit):
    # What a batch allocation's graph is built from: where top_scores answers at all, the
    # same providers in the same order as the engine, each score within 1e-12 of its own.
    need_list, records, skills, per_need = city
    index = CandidateIndex(records, skills)
    for need, extra in zip(need_list, per_need, strict=True):
        edges = index.top_scores(need, extra["category"], weights, limit=limit, **_facts(extra))
        engine = engine_view(need, records, skills, weights=weights, limit=limit, **extra)
        if edges is None:
            continue
        assert [pid for pid, _ in edges] == [s.provider_id for s in engine.ranked]
        for (_, score), scored in zip(edges, engine.ranked, strict=True):
            assert score == pytest.approx(scored.score, rel=0, abs=1e-12)


@PROPERTY_CITIES
@given(city=cities(), weights=weights_strategy, limit=st.integers(1, 12))
def test_a_full_cache_of_windows_ranks_as_the_engine_does(city, weights, limit):
    # Past its budget the index works availability out per need: the same answers.
    need_list, records, skills, per_need = city
    index = CandidateIndex(records, skills)
    index.window_cache_bytes = 0
    for need, extra in zip(need_list, per_need, strict=True):
        batch = index.top(need, extra["category"], weights, limit=limit, **_facts(extra))
        engine = engine_view(need, records, skills, weights=weights, limit=limit, **extra)
        assert batch.ranked == engine.ranked
        edges = index.top_scores(need, extra["category"], weights, limit=limit, **_facts(extra))
        if edges is not None:
            assert [pid for pid, _ in edges] == [s.provider_id for s in engine.ranked]
    assert not index._window_cache or not records  # an empty index caches empty arrays


def test_numpy_scores_leave_ties_to_the_engine():
    need = make_need(slots=())
    records = [make_cand(provider_id=pid) for pid in (9, 3, 7, 5)]  # identical but for the id
    index = CandidateIndex(records, {pid: {"meals"} for pid in (3, 5, 7, 9)})
    assert index.top_scores(need, "meals", limit=2) is None
    assert [s.provider_id for s in index.top(need, "meals", limit=2).ranked] == [3, 5]


def test_numpy_scores_answer_for_most_needs_in_a_spread_out_city():
    # Distinct distances, distinct scores: no tie, no border, so no engine call is needed.
    need = make_need(slots=(), max_distance_km=50)
    records = [make_cand(provider_id=pid, lat=51.5 + pid / 1000) for pid in range(1, 501)]
    index = CandidateIndex(records, {pid: {"meals"} for pid in range(1, 501)})
    edges = index.top_scores(need, "meals", limit=10)
    ranking = index.top(need, "meals", limit=10)
    assert [pid for pid, _ in edges] == [s.provider_id for s in ranking.ranked]


def test_numpy_scores_leave_a_need_nobody_can_serve_to_the_engine():
    need = make_need()
    full = make_cand(provider_id=1, capacity=2, live_matches=2)
    assert CandidateIndex([full], {1: {"meals"}}).top_scores(need, "meals", limit=5) is None


def test_a_county_wider_than_a_band_of_longitude_ranks_as_the_engine_does():
    # Providers spread over 4 degrees of longitude (several of _served's bands), needs on and
    # between the bands' edges: the box reads one or two bands, and misses nobody.
    import random

    rng = random.Random(7)
    records = [
        make_cand(
            provider_id=pid,
            lat=51.5 + rng.uniform(-0.1, 0.1),
            lon=rng.uniform(-2.0, 2.0),
            radius_km=rng.uniform(2, 15),
            live_matches=rng.randint(0, 3),
            rating_sum=rng.uniform(0, 20),
            rating_count=rng.randint(0, 5),
        )
        for pid in range(1, 601)
    ]
    skills = {pid: {"meals"} for pid in range(1, 601)}
    index = CandidateIndex(records, skills)
    assert index.band_degrees is not None and 4.0 / index.band_degrees > 4
    for lon in (-1.9, -0.5, 0.0, 0.2, index.band_degrees, 1.7, 2.0):
        need = make_need(lon=lon, slots=(), max_distance_km=12)
        engine = engine_view(
            need, records, skills, "meals", {}, set(), set(), scoring.DEFAULT_WEIGHTS, 10
        )
        assert engine.ranked, lon
        assert index.top(need, "meals", limit=10).ranked == engine.ranked
        edges = index.top_scores(need, "meals", limit=10)
        if edges is not None:
            assert [pid for pid, _ in edges] == [r.provider_id for r in engine.ranked]


def _facts(extra):
    return {key: extra[key] for key in ("completed", "declined", "blocked")}


def test_ties_at_the_cut_are_broken_by_provider_id_as_the_engine_does():
    need = make_need(slots=())
    records = [make_cand(provider_id=pid) for pid in (9, 3, 7, 5)]  # identical but for the id
    index = CandidateIndex(records, {pid: {"meals"} for pid in (3, 5, 7, 9)})
    ranking = index.top(need, "meals", limit=2)
    assert [s.provider_id for s in ranking.ranked] == [3, 5]


def test_a_provider_exactly_on_their_radius_is_ranked():
    need = make_need()
    far = make_cand(provider_id=1, lat=need.lat + 0.03)
    far = far._replace(radius_km=distance_km(need.lat, need.lon, far.lat, far.lon))
    index = CandidateIndex([far], {1: {"meals"}})
    assert [s.provider_id for s in index.top(need, "meals", limit=5).ranked] == [1]


def test_a_need_whose_candidates_are_all_full_says_so():
    need = make_need()
    full = make_cand(provider_id=1, capacity=2, live_matches=2)
    ranking = CandidateIndex([full], {1: {"meals"}}).top(need, "meals", limit=5)
    assert ranking.ranked == []
    assert [e.reason for e in ranking.excluded] == ["no_capacity"]


def test_only_a_handful_reach_the_engine(monkeypatch):
    # The point of the index: the engine scores the head, not the city.
    need = make_need(slots=(), max_distance_km=50)
    records = [make_cand(provider_id=pid, lat=51.5 + pid / 1000) for pid in range(1, 501)]
    index = CandidateIndex(records, {pid: {"meals"} for pid in range(1, 501)})
    seen = []
    real_rank = scoring.rank

    def counting_rank(need, cands, *args, **kwargs):
        cands = list(cands)
        seen.append(len(cands))
        return real_rank(need, cands, *args, **kwargs)

    monkeypatch.setattr(scoring, "rank", counting_rank)
    ranking = index.top(need, "meals", limit=10)
    assert [s.provider_id for s in ranking.ranked] == list(range(1, 11))
    assert seen == [10]


def test_top_rejects_a_limit_below_one():
    with pytest.raises(ValueError, match="limit must be 1 or more"):
        CandidateIndex([], {}).top(make_need(), "meals", limit=0)


def test_batch_module_imports_only_numpy_and_the_engine():
    tree = ast.parse(Path(scoring_batch.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            imported.add(node.module)
    roots = {name.split(".")[0] for name in imported}
    assert roots <= sys.stdlib_module_names | {"numpy", "matchmaking"}
    assert {name for name in imported if name.startswith("matchmaking")} == {
        "matchmaking",
        "matchmaking.scoring",
    }


def test_checks_expiring_on_the_day_still_count():
    need = make_need(on_date=datetime.date(2026, 5, 1))
    record = make_cand(provider_id=1, checks={"dbs_basic": datetime.date(2026, 5, 1)})
    index = CandidateIndex([record], {1: {"meals"}})
    assert len(index.top(need, "meals", limit=3).ranked) == 1


def test_each_providers_windows_are_merged_as_the_engine_merges_them():
    # Overlapping, touching, nested and repeated windows on several days, for many providers.
    import random

    rng = random.Random(3)
    records = []
    for pid in range(1, 301):
        slots = []
        for _ in range(rng.randint(0, 6)):
            start = rng.randrange(0, 1440, 30)
            slots.append((rng.randint(0, 6), start, rng.randint(start + 1, 1440)))
        records.append(make_cand(provider_id=pid, availability=tuple(slots)))
    index = CandidateIndex(records, {pid: {"meals"} for pid in range(1, 301)})
    for position, record in enumerate(index.records):
        merged = scoring._by_weekday(record.availability)
        for weekday in range(7):
            ptr, starts, ends = index.availability[weekday]
            got = list(
                zip(
                    starts[ptr[position] : ptr[position + 1]].tolist(),
                    ends[ptr[position] : ptr[position + 1]].tolist(),
                    strict=True,
                )
            )
            assert got == merged.get(weekday, []), (record.provider_id, weekday)
