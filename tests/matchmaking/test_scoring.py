"""The scoring engine: pure functions, so no database and no Django here."""

import ast
import dataclasses
import datetime
import json
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking import scoring
from matchmaking.scoring import (
    COMPONENTS,
    DEFAULT_PRIORS,
    DEFAULT_WEIGHTS,
    EARTH_RADIUS_KM,
    EXCLUSION_REASONS,
    CandidateFacts,
    NeedFacts,
    Priors,
    Weights,
    bounding_box,
    components,
    distance_km,
    exclusion,
    rank,
    trust_score,
    validate_weights,
)

ON_DATE = datetime.date(2026, 5, 1)
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # along a meridian

# Fixed seed and no example database: the same examples on every run and every machine.
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def make_need(**overrides) -> NeedFacts:
    base = NeedFacts(
        need_id=1,
        resident_id=7,
        lat=51.5,
        lon=-0.12,
        on_date=ON_DATE,
        slots=((0, 600, 720),),  # Monday 10:00-12:00
        allowed_kinds=frozenset({"carer", "cook"}),
        required_checks=frozenset({"dbs_basic"}),
    )
    return dataclasses.replace(base, **overrides)


def make_cand(**overrides) -> CandidateFacts:
    base = CandidateFacts(
        provider_id=10,
        kind="carer",
        is_active=True,
        lat=51.5,
        lon=-0.12,
        radius_km=5.0,
        capacity=3,
        live_matches=1,
        checks={"dbs_basic": datetime.date(2027, 1, 1)},
        availability=((0, 540, 780),),  # Monday 09:00-13:00
        languages=frozenset({"en"}),
    )
    return base._replace(**overrides)


def north_of(need: NeedFacts, km: float) -> dict:
    """lat/lon overrides placing a candidate `km` due north of the need."""
    return {"lat": need.lat + km / KM_PER_DEGREE, "lon": need.lon}


# --- Geometry -----------------------------------------------------------------------------------


def test_distance_london_paris():
    # Charing Cross to Notre-Dame is about 343.5 km on the mean-radius sphere.
    assert distance_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.56, abs=0.05)


def test_distance_one_degree_of_latitude_and_symmetry():
    assert distance_km(51.0, 0.0, 52.0, 0.0) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180)
    assert distance_km(51.0, 0.0, 51.0, 0.0) == 0.0
    assert distance_km(51.5, -0.1, 53.4, -2.2) == distance_km(53.4, -2.2, 51.5, -0.1)


def destination(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    phi1, lam1, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    delta = km / EARTH_RADIUS_KM
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    lon2 = (math.degrees(lam2) + 540) % 360 - 180
    return math.degrees(phi2), lon2


def inside(box, lat, lon) -> bool:
    min_lat, max_lat, min_lon, max_lon = box
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


def test_bounding_box_contains_points_on_the_edge():
    lat, lon, km = 51.5, -0.12, 10.0
    box = bounding_box(lat, lon, km)
    for bearing in (0, 90, 180, 270):
        assert inside(box, *destination(lat, lon, bearing, km))
    # The eastmost point of the circle is north of due east, at longitude
    # lon + asin(sin(r) / cos(lat)), wider than the naive r / cos(lat).
    r = km / EARTH_RADIUS_KM
    tangent_lat = math.degrees(math.asin(math.sin(math.radians(lat)) / math.cos(r)))
    tangent_lon = lon + math.degrees(math.asin(math.sin(r) / math.cos(math.radians(lat))))
    assert distance_km(lat, lon, tangent_lat, tangent_lon) == pytest.approx(km)
    assert tangent_lon > lon + math.degrees(r) / math.cos(math.radians(lat))
    assert inside(box, tangent_lat, tangent_lon)
    assert box[3] - tangent_lon < 1e-6  # and the box is tight there
    # North/south half-height is exactly km along a meridian.
    assert box[1] - lat == pytest.approx(km / KM_PER_DEGREE)


def test_bounding_box_spans_all_longitudes_near_pole_or_antimeridian():
    assert bounding_box(89.99, 10.0, 5.0)[2:] == (-180.0, 180.0)
    assert bounding_box(0.0, 179.99, 5.0)[2:] == (-180.0, 180.0)
    assert bounding_box(89.99, 10.0, 5.0)[1] == 90.0
    with pytest.raises(ValueError):
        bounding_box(51.5, 0.0, -1.0)


@PROPERTY
@given(
    lat=st.floats(-85, 85),
    lon=st.floats(-180, 180),
    km=st.floats(0, 2000),
    bearing=st.floats(0, 360),
    share=st.floats(0, 1),
)
def test_bounding_box_contains_every_point_within_km(lat, lon, km, bearing, share):
    point = destination(lat, lon, bearing, km * share)
    assert distance_km(lat, lon, *point) <= km + 1e-6
    assert inside(bounding_box(lat, lon, km), *point)


# --- Components, each by hand -------------------------------------------------------------------


def test_proximity_halves_at_the_half_distance():
    need, cand = make_need(), make_cand()
    assert components(need, cand, 0.0)["proximity"] == 1.0
    assert components(need, cand, 2.0)["proximity"] == pytest.approx(3.0 / (3.0 + 2.0))
    assert components(need, cand, 3.0)["proximity"] == pytest.approx(0.5)
    priors = Priors(proximity_half_km=1.5)
    assert components(need, cand, 3.0, priors=priors)["proximity"] == pytest.approx(1.5 / 4.5)


def test_proximity_from_coordinates_in_rank():
    need = make_need()
    cand = make_cand(**north_of(need, 2.0))
    scored = rank(need, [cand]).ranked[0]
    assert scored.distance_km == pytest.approx(2.0)
    assert scored.components["proximity"] == pytest.approx(3.0 / (3.0 + 2.0))


def test_trust_is_a_bayesian_average():
    assert trust_score(0.0, 0) == 4.0  # no ratings: the prior mean
    assert trust_score(5.0, 1) == pytest.approx((4.0 * 5 + 5.0) / (5 + 1))
    assert trust_score(30.0, 10) == pytest.approx((4.0 * 5 + 30.0) / (5 + 10))
    c = components(make_need(), make_cand(rating_sum=30.0, rating_count=10), 0.0)
    assert c["trust"] == pytest.approx(((20.0 + 30.0) / 15 - 1) / 4)
    assert components(make_need(), make_cand(), 0.0)["trust"] == pytest.approx((4.0 - 1) / 4)


def test_one_five_star_rating_scores_below_fifty_averaging_four_point_eight():
    one_five = components(make_need(), make_cand(rating_sum=5.0, rating_count=1), 0.0)
    fifty = components(make_need(), make_cand(rating_sum=50 * 4.8, rating_count=50), 0.0)
    assert trust_score(5.0, 1) == pytest.approx(25 / 6)  # 4.17
    assert trust_score(240.0, 50) == pytest.approx(260 / 55)  # 4.73
    assert one_five["trust"] < fifty["trust"]


def test_reliability_counts_settled_steps_with_a_prior():
    # 10 offers, 8 accepted, 6 completed, 1 still live: 10 + 8 - 1 = 17 settled steps,
    # 8 + 6 = 14 went well; the prior adds 0.8 * 5 = 4 good steps out of 5.
    cand = make_cand(offers_received=10, offers_accepted=8, matches_completed=6, live_matches=1)
    assert components(make_need(), cand, 0.0)["reliability"] == pytest.approx((4 + 14) / (5 + 17))
    # No history: the prior mean.
    no_history = make_cand(live_matches=0)
    assert components(make_need(), no_history, 0.0)["reliability"] == pytest.approx(0.8)
    # A live match is not yet a failure: one offer out, unanswered, changes nothing.
    pending = make_cand(offers_received=1, live_matches=1)
    assert components(make_need(), pending, 0.0)["reliability"] == pytest.approx(0.8)
    # Inconsistent counts are clipped rather than leaving [0, 1].
    odd = make_cand(offers_received=0, offers_accepted=0, matches_completed=50, live_matches=0)
    assert components(make_need(), odd, 0.0)["reliability"] == 1.0


def test_availability_is_the_share_of_needed_minutes_covered():
    need = make_need(slots=((0, 600, 720), (2, 600, 660)))  # 120 + 60 = 180 minutes
    cand = make_cand(
        # Monday: 09:00-10:30 and 10:20-11:40 overlap; their union covers 10:00-11:40 = 100 min.
        # Wednesday: all day covers the 60 min. Friday is not needed.
        availability=((0, 540, 630), (0, 620, 700), (2, 0, 1440), (4, 600, 720)),
    )
    assert components(need, cand, 0.0)["availability"] == pytest.approx((100 + 60) / 180)


def test_availability_counts_overlapping_need_slots_once():
    need = make_need(slots=((0, 600, 700), (0, 650, 720)))  # union 10:00-12:00 = 120 min
    cand = make_cand(availability=((0, 600, 660),))
    assert components(need, cand, 0.0)["availability"] == pytest.approx(60 / 120)


def test_availability_without_a_schedule_is_full():
    cand = make_cand(availability=())
    assert components(make_need(slots=()), cand, 0.0)["availability"] == 1.0


@pytest.mark.parametrize(("completed", "expected"), [(0, 0.0), (1, 0.5), (2, 1.0), (5, 1.0)])
def test_continuity_saturates_at_two_completed_matches(completed, expected):
    cand = make_cand(completed_with_resident=completed)
    assert components(make_need(), cand, 0.0)["continuity"] == expected


@pytest.mark.parametrize(
    ("preferred", "spoken", "expected"),
    [("", {"en"}, 1.0), ("pl", {"en", "pl"}, 1.0), ("pl", {"en"}, 0.0)],
)
def test_language_preference(preferred, spoken, expected):
    need = make_need(preferred_language=preferred)
    cand = make_cand(languages=frozenset(spoken))
    assert components(need, cand, 0.0)["language"] == expected


def test_load_is_the_share_of_capacity_free():
    assert components(make_need(), make_cand(capacity=4, live_matches=1), 0.0)[
        "load"
    ] == pytest.approx((4 - 1) / 4)
    assert components(make_need(), make_cand(capacity=0, live_matches=0), 0.0)["load"] == 0.0


@pytest.mark.parametrize(("recent", "expected"), [(0, 1.0), (3, 0.5), (6, 3 / (3 + 6))])
def test_fairness_halves_at_three_recent_offers(recent, expected):
    cand = make_cand(recent_offers=recent)
    assert components(make_need(), cand, 0.0)["fairness"] == pytest.approx(expected)


# --- Score ----------------------------------------------------------------------------------------


def test_weighted_mean_with_custom_weights():
    weights = Weights(
        proximity=3,
        trust=1,
        reliability=0,
        availability=0,
        continuity=0,
        language=0,
        load=0,
        fairness=1,
    )
    # Same spot (proximity 1), no ratings (trust (4 - 1) / 4), 3 recent offers (fairness 0.5).
    cand = make_cand(recent_offers=3)
    scored = rank(make_need(), [cand], weights).ranked[0]
    assert scored.score == pytest.approx((3 * 1.0 + 1 * 0.75 + 1 * 0.5) / (3 + 1 + 1))


def test_default_weights_score_and_explanation():
    need = make_need(preferred_language="pl")
    cand = make_cand(
        **north_of(need, 1.0),
        rating_sum=45.0,
        rating_count=10,
        offers_received=4,
        offers_accepted=4,
        matches_completed=3,
        live_matches=1,
        completed_with_resident=1,
        recent_offers=1,
        availability=((0, 600, 660),),
    )
    expected = {
        "proximity": 3 / (3 + 1),
        "trust": ((20 + 45) / 15 - 1) / 4,
        "reliability": (4 + 4 + 3) / (5 + 4 + 4 - 1),
        "availability": 60 / 120,
        "continuity": 1 / 2,
        "language": 0.0,
        "load": 2 / 3,
        "fairness": 3 / 4,
    }
    weights = DEFAULT_WEIGHTS.as_dict()
    score = sum(weights[n] * expected[n] for n in COMPONENTS) / sum(weights.values())

    scored = rank(need, [cand]).ranked[0]

    assert scored.components == pytest.approx(expected)
    assert scored.score == pytest.approx(score)
    explanation = json.loads(json.dumps(scored.explanation))
    assert explanation["score"] == pytest.approx(score)
    assert explanation["distance_km"] == pytest.approx(1.0)
    assert list(explanation["components"]) == list(COMPONENTS)
    assert explanation["components"]["proximity"] == {
        "value": pytest.approx(0.75),
        "weight": DEFAULT_WEIGHTS.proximity,
    }


def test_components_and_weights_name_the_same_things():
    assert tuple(f.name for f in dataclasses.fields(Weights)) == COMPONENTS
    assert set(components(make_need(), make_cand(), 0.0)) == set(COMPONENTS)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (Weights(trust=-1.0), "trust weight must be zero or more"),
        (Weights(load=math.nan), "load weight must be a finite number"),
        (Weights(**dict.fromkeys(COMPONENTS, 0.0)), "At least one weight"),
    ],
)
def test_validate_weights_rejects(weights, message):
    with pytest.raises(ValueError, match=message):
        validate_weights(weights)
    with pytest.raises(ValueError, match=message):
        rank(make_need(), [make_cand()], weights)


def test_validate_weights_accepts_defaults_and_a_single_weight():
    validate_weights(DEFAULT_WEIGHTS)
    validate_weights(Weights(**{**dict.fromkeys(COMPONENTS, 0.0), "trust": 0.1}))


def test_priors_reject_nonsense():
    with pytest.raises(ValueError, match="proximity_half_km"):
        Priors(proximity_half_km=0)
    with pytest.raises(ValueError, match="trust_mean"):
        Priors(trust_mean=6)


def test_need_rejects_a_malformed_slot():
    with pytest.raises(ValueError, match="Invalid slot"):
        make_need(slots=((0, 720, 600),))
    with pytest.raises(ValueError, match="Invalid slot"):
        make_need(slots=((7, 600, 720),))


# --- Hard filters ---------------------------------------------------------------------------------

HARD_FILTER_CASES = [
    ("inactive", {}, {"is_active": False}, 0.0, "not active"),
    ("kind", {}, {"kind": "peer"}, 0.0, "A peer cannot serve this category"),
    ("check_missing", {}, {"checks": {}}, 0.0, "No verified check: Basic DBS check"),
    (
        "check_expired",
        {},
        {"checks": {"dbs_basic": datetime.date(2026, 3, 1)}},
        0.0,
        "Basic DBS check expired on 2026-03-01",
    ),
    ("too_far", {}, {"radius_km": 5.0}, 6.0, "6.0 km away, beyond the provider's 5 km"),
    (
        "outside_programme",
        {"max_distance_km": 4.0},
        {"radius_km": 10.0},
        4.5,
        "4.5 km away, beyond the programme's 4 km maximum",
    ),
    ("unavailable", {}, {"availability": ((1, 600, 720),)}, 0.0, "No availability"),
    (
        "away",
        {},
        {"away": ((ON_DATE - datetime.timedelta(days=2), ON_DATE),)},
        0.0,
        f"Away from {ON_DATE - datetime.timedelta(days=2)} to {ON_DATE}",
    ),
    ("no_capacity", {}, {"capacity": 2, "live_matches": 2}, 0.0, "capacity 2"),
    ("declined", {}, {"declined_this_need": True}, 0.0, "declined"),
    ("blocked", {}, {"blocked": True}, 0.0, "blocked"),
    ("language", {"language": "pl"}, {"languages": frozenset({"en"})}, 0.0, "(pl)"),
]


@pytest.mark.parametrize(
    ("reason", "need_overrides", "cand_overrides", "distance", "detail"),
    HARD_FILTER_CASES,
    ids=[case[0] for case in HARD_FILTER_CASES],
)
def test_each_hard_filter_excludes_with_its_reason(
    reason, need_overrides, cand_overrides, distance, detail
):
    need = make_need(**need_overrides)
    cand = make_cand(**cand_overrides)

    excluded = exclusion(need, cand, distance)

    assert excluded.reason == reason
    assert excluded.provider_id == cand.provider_id
    assert detail in excluded.detail
    # rank() measures the distance itself: put the candidate that far north.
    ranking = rank(need, [cand._replace(**north_of(need, distance))])
    assert ranking.ranked == []
    assert [(e.reason, e.detail) for e in ranking.excluded] == [(reason, excluded.detail)]


def test_hard_filters_apply_in_the_documented_order():
    need = make_need(language="pl", max_distance_km=2.0)
    cand = make_cand(
        is_active=False,
        kind="peer",
        checks={},
        radius_km=1.0,
        availability=(),
        away=((ON_DATE, ON_DATE),),
        capacity=1,
        live_matches=1,
        declined_this_need=True,
        blocked=True,
        languages=frozenset({"en"}),
    )
    # Fix one failure at a time; the next reason in the order must show.
    fixes = [
        ({}, {"is_active": True}),
        ({}, {"kind": "carer"}),
        ({}, {"checks": {"dbs_basic": datetime.date(2026, 1, 1)}}),
        ({}, {"checks": {"dbs_basic": None}}),
        ({}, {"radius_km": 10.0}),
        ({"max_distance_km": None}, {}),
        ({}, {"availability": ((0, 600, 720),)}),
        ({}, {"away": ()}),
        ({}, {"capacity": 2}),
        ({}, {"declined_this_need": False}),
        ({}, {"blocked": False}),
        ({}, {"languages": frozenset({"en", "pl"})}),
    ]
    seen = []
    for need_fix, cand_fix in fixes:
        seen.append(exclusion(need, cand, 3.0).reason)
        need = dataclasses.replace(need, **need_fix)
        cand = cand._replace(**cand_fix)
    assert tuple(seen) == EXCLUSION_REASONS
    assert exclusion(need, cand, 3.0) is None


def test_the_base_candidate_passes_every_filter():
    assert exclusion(make_need(), make_cand(), 0.0) is None


def test_filter_boundaries_are_inclusive():
    need = make_need(max_distance_km=5.0)
    # A check is valid on its expiry day; one that never expires is always valid.
    assert exclusion(need, make_cand(checks={"dbs_basic": ON_DATE}), 0.0) is None
    assert exclusion(need, make_cand(checks={"dbs_basic": None}), 0.0) is None
    # Exactly at the radius and the programme maximum is still in.
    assert exclusion(need, make_cand(radius_km=5.0), 5.0) is None
    # One spare place is enough.
    assert exclusion(need, make_cand(capacity=3, live_matches=2), 0.0) is None


def test_slots_that_only_touch_do_not_overlap():
    cand = make_cand(availability=((0, 720, 800), (0, 500, 600)))  # ends at 10:00, starts at 12:00
    assert exclusion(make_need(), cand, 0.0).reason == "unavailable"
    assert exclusion(make_need(slots=()), make_cand(availability=()), 0.0) is None


def test_every_missing_and_expired_check_is_named_in_a_stable_order():
    need = make_need(required_checks=frozenset({"food_hygiene", "dbs_basic", "identity"}))
    missing = exclusion(need, make_cand(checks={"identity": None}), 0.0)
    assert missing.detail == "No verified check: Basic DBS check, Food hygiene certificate."
    expired = exclusion(
        need,
        make_cand(
            checks={
                "identity": None,
                "dbs_basic": datetime.date(2026, 4, 30),
                "food_hygiene": datetime.date(2025, 1, 1),
            }
        ),
        0.0,
    )
    assert expired.detail == (
        "Basic DBS check expired on 2026-04-30; Food hygiene certificate expired on 2025-01-01."
    )


# --- Ranking ------------------------------------------------------------------------------------


def test_rank_orders_best_first_with_ties_by_provider_id_and_keeps_exclusions():
    need = make_need()
    near = make_cand(provider_id=5)
    twin_b = make_cand(provider_id=9, **north_of(need, 1.0))
    twin_a = make_cand(provider_id=3, **north_of(need, 1.0))
    out_1 = make_cand(provider_id=1, blocked=True)
    out_2 = make_cand(provider_id=2, is_active=False)

    ranking = rank(need, [twin_b, out_2, near, twin_a, out_1])

    assert [s.provider_id for s in ranking.ranked] == [5, 3, 9]
    assert ranking.ranked[1].score == ranking.ranked[2].score
    assert [(e.provider_id, e.reason) for e in ranking.excluded] == [
        (2, "inactive"),
        (1, "blocked"),
    ]
    assert [s.provider_id for s in rank(need, [twin_b, near, twin_a], limit=2).ranked] == [5, 3]
    assert rank(need, [near], limit=0).ranked == []


def test_rank_accepts_a_generator_and_an_empty_list():
    need = make_need()
    assert len(rank(need, (make_cand(provider_id=i) for i in range(3))).ranked) == 3
    assert rank(need, []).ranked == []


def test_engine_imports_only_the_standard_library():
    tree = ast.parse(Path(scoring.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            imported.add(node.module.split(".")[0])
    assert imported <= sys.stdlib_module_names, imported - sys.stdlib_module_names


# --- Properties -----------------------------------------------------------------------------------

CHECK_KINDS = ["dbs_basic", "dbs_enhanced_barred", "food_hygiene", "identity"]
LANGS = ["en", "pl", "ur", "so"]
KINDS = ["carer", "cook", "peer"]


@st.composite
def slots(draw):
    weekday = draw(st.integers(0, 6))
    start = draw(st.integers(0, 1439))
    end = draw(st.integers(start + 1, min(1440, start + 600)))
    return (weekday, start, end)


def rarely() -> st.SearchStrategy[bool]:
    """True about one time in ten: each hard filter should fail now and then, not mostly."""
    return st.integers(0, 9).map(lambda i: i == 0)


@st.composite
def needs(draw):
    return NeedFacts(
        need_id=1,
        resident_id=7,
        lat=draw(st.floats(50.0, 58.0)),
        lon=draw(st.floats(-5.0, 1.5)),
        on_date=ON_DATE,
        slots=tuple(draw(st.lists(slots(), max_size=4))),
        allowed_kinds=frozenset(draw(st.sets(st.sampled_from(KINDS), min_size=1))),
        required_checks=frozenset(draw(st.sets(st.sampled_from(CHECK_KINDS), max_size=2))),
        language="" if draw(st.booleans()) else draw(st.sampled_from(LANGS)),
        preferred_language=draw(st.sampled_from(["", *LANGS])),
        max_distance_km=draw(st.none() | st.floats(1.0, 40.0)),
    )


def soft_fields(draw) -> dict:
    rating_count = draw(st.integers(0, 200))
    capacity = draw(st.integers(1, 6))
    return {
        "capacity": capacity,
        "live_matches": draw(st.integers(0, capacity - 1)),
        "rating_count": rating_count,
        "rating_sum": rating_count * draw(st.floats(1.0, 5.0)),
        "offers_received": draw(st.integers(0, 100)),
        "offers_accepted": draw(st.integers(0, 100)),
        "matches_completed": draw(st.integers(0, 100)),
        "completed_with_resident": draw(st.integers(0, 5)),
        "recent_offers": draw(st.integers(0, 30)),
        "availability": tuple(draw(st.lists(slots(), max_size=5))),
        "languages": frozenset(draw(st.sets(st.sampled_from(LANGS)))),
    }


@st.composite
def candidates(draw, need: NeedFacts, provider_id: int = 1):
    """A candidate near the need; each hard filter fails now and then, so some get ranked."""
    fields = soft_fields(draw)
    if draw(rarely()):
        fields["live_matches"] = fields["capacity"] + draw(st.integers(0, 1))
    if not draw(rarely()):  # usually free at the times needed, plus other times
        fields["availability"] += need.slots
    if need.language and not draw(rarely()):
        fields["languages"] |= {need.language}
    valid_until = st.none() | st.dates(ON_DATE, datetime.date(2027, 12, 31))
    lapsed = st.dates(datetime.date(2025, 1, 1), ON_DATE - datetime.timedelta(days=1))
    checks = {
        kind: draw(lapsed if draw(rarely()) else valid_until)
        for kind in CHECK_KINDS
        if not draw(rarely())
    }
    allowed = sorted(need.allowed_kinds)
    return CandidateFacts(
        provider_id=provider_id,
        kind=draw(st.sampled_from(KINDS if draw(rarely()) else allowed)),
        is_active=not draw(rarely()),
        lat=need.lat + draw(st.floats(-0.1, 0.1)),  # within about 11 km north or south
        lon=need.lon + draw(st.floats(-0.15, 0.15)),  # and about 10 km east or west
        radius_km=draw(st.floats(0.5, 30.0)),
        checks=checks,
        declined_this_need=draw(rarely()),
        blocked=draw(rarely()),
        **fields,
    )


@st.composite
def needs_and_candidates(draw):
    need = draw(needs())
    count = draw(st.integers(0, 8))
    cands = [draw(candidates(need, provider_id=draw(st.integers(1, 6)))) for _ in range(count)]
    return need, cands


weights_strategy = st.builds(
    Weights, **dict.fromkeys(COMPONENTS, st.floats(0.0, 10.0) | st.just(0.0))
).filter(lambda w: any(w.as_dict().values()))


@PROPERTY
@given(data=needs_and_candidates(), weights=weights_strategy)
def test_scores_and_components_stay_in_unit_interval(data, weights):
    need, cands = data
    for cand in cands:
        distance = distance_km(need.lat, need.lon, cand.lat, cand.lon)
        assert all(0.0 <= v <= 1.0 for v in components(need, cand, distance).values())
    for scored in rank(need, cands, weights).ranked:
        assert 0.0 <= scored.score <= 1.0
        assert all(0.0 <= v <= 1.0 for v in scored.components.values())


@PROPERTY
@given(data=needs_and_candidates())
def test_ranking_is_sorted_and_never_returns_an_excluded_candidate(data):
    need, cands = data
    ranking = rank(need, cands)
    keys = [(-s.score, s.provider_id) for s in ranking.ranked]
    assert keys == sorted(keys)  # best first, ties by provider_id
    assert len(ranking.ranked) + len(ranking.excluded) == len(cands)
    by_id = {}
    for cand in cands:
        by_id.setdefault(cand.provider_id, []).append(cand)
    for excluded in ranking.excluded:
        assert excluded.reason in EXCLUSION_REASONS
    # Every ranked row comes from a candidate that passes every hard filter.
    for scored in ranking.ranked:
        assert any(
            exclusion(need, cand, scored.distance_km) is None
            and scored.distance_km == distance_km(need.lat, need.lon, cand.lat, cand.lon)
            for cand in by_id[scored.provider_id]
        )
    passing = [
        c
        for c in cands
        if exclusion(need, c, distance_km(need.lat, need.lon, c.lat, c.lon)) is None
    ]
    assert len(passing) == len(ranking.ranked)


@PROPERTY
@given(data=st.data(), near_km=st.floats(0.0, 30.0), extra_km=st.floats(0.0, 30.0))
def test_moving_closer_never_lowers_the_score(data, near_km, extra_km):
    need = dataclasses.replace(data.draw(needs()), max_distance_km=None, language="")
    cand = CandidateFacts(
        provider_id=1,
        kind="carer",
        is_active=True,
        lat=0.0,
        lon=0.0,
        radius_km=100.0,
        checks=dict.fromkeys(CHECK_KINDS),
        **soft_fields(data.draw),
    )
    need = dataclasses.replace(need, allowed_kinds=frozenset({"carer"}), slots=cand.availability)
    weights = data.draw(weights_strategy)
    far = rank(need, [cand._replace(**north_of(need, near_km + extra_km))], weights)
    near = rank(need, [cand._replace(**north_of(need, near_km))], weights)
    assert far.ranked and near.ranked
    assert near.ranked[0].distance_km <= far.ranked[0].distance_km
    assert near.ranked[0].score >= far.ranked[0].score


def test_default_priors_are_the_documented_values():
    assert (
        Priors(
            trust_mean=4.0,
            trust_weight=5,
            reliability_mean=0.8,
            reliability_weight=5,
            fairness_half=3,
            proximity_half_km=3.0,
            continuity_full=2,
        )
        == DEFAULT_PRIORS
    )
