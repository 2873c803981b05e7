"""scoring.rank_offer, the engine turned round: one provider's offer, many residents.

It must be the need's ranking seen from the other side: each resident scores and is excluded
exactly as the provider would be for that resident's need (no second rule set)."""

import datetime
import random

import pytest

from matchmaking import scoring

DAY = datetime.date(2026, 12, 3)  # a Thursday
OFFER_SLOT = (3, 17 * 60, 19 * 60)


def provider(**changes):
    facts = {
        "provider_id": 7,
        "kind": "cook",
        "is_active": True,
        "lat": 51.45,
        "lon": -0.97,
        "radius_km": 3.0,
        "capacity": 2,
        "live_matches": 0,
        "checks": {"food_hygiene": DAY + datetime.timedelta(days=30), "dbs_basic": None},
        "availability": (OFFER_SLOT,),
        "languages": frozenset({"en"}),
        "rating_sum": 18.0,
        "rating_count": 4,
    }
    return scoring.CandidateFacts(**{**facts, **changes})


def resident(resident_id, *, km_north=0.5, slots=(), **changes):
    facts = {
        "need_id": 0,
        "resident_id": resident_id,
        "lat": 51.45 + km_north / 111.2,
        "lon": -0.97,
        "on_date": DAY,
        "slots": slots,
        "allowed_kinds": frozenset({"cook"}),
        "required_checks": frozenset({"food_hygiene", "dbs_basic"}),
        "max_distance_km": 10.0,
    }
    return scoring.NeedFacts(**{**facts, **changes})


def test_each_resident_scores_as_the_provider_would_for_their_need():
    rng = random.Random(4)
    residents = [
        scoring.ResidentFacts(
            need=resident(
                n,
                km_north=rng.uniform(0, 4),
                slots=rng.choice([(), ((3, 18 * 60, 19 * 60),), ((3, 9 * 60, 10 * 60),)]),
                preferred_language=rng.choice(["", "cy", "en"]),
            ),
            blocked=rng.random() < 0.1,
            completed_with_provider=rng.choice([0, 0, 1, 3]),
        )
        for n in range(1, 200)
    ]
    offering = provider()
    reverse = scoring.rank_offer(offering, residents)
    forward_scores, forward_excluded = {}, {}
    for r in residents:
        cand = scoring.CandidateFacts(
            **{
                **offering._asdict(),
                "blocked": r.blocked,
                "completed_with_resident": r.completed_with_provider,
            }
        )
        ranking = scoring.rank(r.need, [cand])
        if ranking.ranked:
            forward_scores[r.need.resident_id] = ranking.ranked[0].score
        else:
            forward_excluded[r.need.resident_id] = ranking.excluded[0].reason
    assert {s.resident_id: s.score for s in reverse.ranked} == pytest.approx(forward_scores)
    assert {e.resident_id: e.reason for e in reverse.excluded} == forward_excluded
    assert set(forward_excluded.values()) >= {"too_far", "unavailable", "blocked"}


def test_best_first_and_cut_to_the_limit():
    residents = [scoring.ResidentFacts(need=resident(n, km_north=n / 2)) for n in (3, 1, 2)]
    ranked = scoring.rank_offer(provider(), residents, limit=2).ranked
    assert [s.resident_id for s in ranked] == [1, 2]
    assert ranked[0].explanation["distance_km"] == pytest.approx(0.5, abs=0.01)


def test_a_check_valid_today_but_expired_on_the_offers_date_excludes_everyone():
    expiring = provider(
        checks={"food_hygiene": DAY - datetime.timedelta(days=1), "dbs_basic": None}
    )
    result = scoring.rank_offer(expiring, [scoring.ResidentFacts(need=resident(1))])
    assert result.ranked == []
    assert [e.reason for e in result.excluded] == ["check_expired"]


def test_a_provider_at_capacity_reaches_nobody():
    full = provider(live_matches=2)
    result = scoring.rank_offer(full, [scoring.ResidentFacts(need=resident(1))])
    assert [e.reason for e in result.excluded] == ["no_capacity"]
