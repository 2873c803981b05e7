"""`manage.py bench scoring --offer-residents N`: rank one provider's one-off offer against N
registered residents who asked to hear of offers (reverse ranking, `offer_matching`).

Every resident lives inside the offer's reach, so each is read and screened: the worst case
for one offer. Times `rank_offer_candidates` whole (its queries included) and the pure
engine's share (`scoring.rank_offer`) apart.
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import statistics
import time

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from accounts.constants import CheckKind, CheckStatus, ProviderKind, ProviderStatus
from accounts.models import Check, ProviderProfile, User
from matchmaking import offer_matching, scoring
from matchmaking.models import OfferAlert
from services.models import Area, Category, Offer

REPEATS = 7
RESIDENTS_RADIUS_KM = 10.0
CENTRE = (51.4543, -0.9781)
KM_PER_DEGREE_LAT = 111.2
DOMAIN = "offer-bench.example"


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number.") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}.")
    return value


def add_arguments(parser) -> None:
    parser.add_argument(
        "--offer-residents",
        type=non_negative_int,
        default=0,
        help="Also rank one provider's one-off offer against this many registered residents "
        "who asked to hear of offers (0: skip; the issue's figure is 20000).",
    )


def _build(residents: int, seed: int) -> Offer:
    rng = random.Random(seed)
    meals = Category.objects.get(slug="meals")
    area, _ = Area.objects.get_or_create(code="E05OFFERB", defaults={"name": "Offer bench"})
    cook_user = User.objects.create(email=f"cook@{DOMAIN}", first_name="Cara", password="!")
    cook = ProviderProfile.objects.create(
        user=cook_user,
        kind=ProviderKind.COOK,
        home_postcode="RG1 1AA",
        latitude=CENTRE[0],
        longitude=CENTRE[1],
        travel_radius_km=5,
        capacity=3,
        status=ProviderStatus.ACTIVE,
    )
    cook.skills.add(meals)
    expires = timezone.localdate() + datetime.timedelta(days=365)
    Check.objects.bulk_create(
        Check(
            provider=cook,
            kind=kind,
            status=CheckStatus.VERIFIED,
            verified_by=cook_user,
            verified_at=timezone.now(),
            expires_at=expires,
        )
        for kind in (CheckKind.FOOD_HYGIENE, CheckKind.DBS_BASIC)
    )
    users = User.objects.bulk_create(
        User(email=f"resident{n}@{DOMAIN}", first_name="Res", password="!")
        for n in range(residents)
    )
    alerts = []
    for user in users:
        r = RESIDENTS_RADIUS_KM * math.sqrt(rng.random())
        theta = rng.uniform(0, 2 * math.pi)
        lat = CENTRE[0] + r * math.cos(theta) / KM_PER_DEGREE_LAT
        lon = CENTRE[1] + r * math.sin(theta) / (
            KM_PER_DEGREE_LAT * math.cos(math.radians(CENTRE[0]))
        )
        alerts.append(
            OfferAlert(
                user=user,
                category=meals,
                postcode="RG1 2AB",
                latitude=lat,
                longitude=lon,
                area=area,
                address="1 Bench Street",
            )
        )
    OfferAlert.objects.bulk_create(alerts, batch_size=2000)
    return Offer.objects.create(
        provider=cook,
        category=meals,
        description="Two extra portions of lentil soup",
        portions=2,
        on_date=timezone.localdate() + datetime.timedelta(days=2),
        starts_at=datetime.time(17),
        ends_at=datetime.time(19),
        max_distance_km=50,  # everyone within reach: the worst case
        latitude=CENTRE[0],
        longitude=CENTRE[1],
    )


def run(options: dict, *, write) -> dict:
    """Build the residents, time the reverse ranking; the figures (empty when skipped)."""
    residents = options.get("offer_residents") or 0
    if not residents:
        return {}
    started = time.perf_counter()
    offer = _build(residents, options.get("seed", 1))
    write(
        f"Built {residents} residents who asked to hear of meal offers in "
        f"{time.perf_counter() - started:.1f} s."
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    now = timezone.now()
    whole_ms, engine_ms = [], []
    with override_settings(DEBUG=False):
        for _ in range(REPEATS):
            began = time.perf_counter()
            found = offer_matching.rank_offer_candidates(offer, now=now)
            whole_ms.append((time.perf_counter() - began) * 1000)
        posting_ms = []
        for _ in range(REPEATS):
            began = time.perf_counter()
            offer_matching.rank_offer_candidates(offer, limit=3, now=now)
            posting_ms.append((time.perf_counter() - began) * 1000)
        provider = offer_matching.offer_provider_facts(offer, now=now)
        facts = [
            scoring.ResidentFacts(
                need=scoring.NeedFacts(
                    need_id=0,
                    resident_id=user_id,
                    lat=lat,
                    lon=lon,
                    on_date=offer.on_date,
                    slots=(),
                    allowed_kinds=frozenset(offer.category.allowed_kinds),
                    required_checks=frozenset(offer.category.required_checks),
                    max_distance_km=15.0,
                )
            )
            for user_id, lat, lon in OfferAlert.objects.values_list(
                "user_id", "latitude", "longitude"
            )
        ]
        for _ in range(REPEATS):
            began = time.perf_counter()
            scoring.rank_offer(provider, facts)
            engine_ms.append((time.perf_counter() - began) * 1000)
    figures = {
        "offer_residents": residents,
        "offer_ranked": len(found.ranked),
        "offer_median_ms": round(statistics.median(whole_ms), 1),
        "offer_best_3_median_ms": round(statistics.median(posting_ms), 1),
        "offer_engine_median_ms": round(statistics.median(engine_ms), 1),
    }
    write(
        f"rank_offer_candidates: one offer against {residents} residents, median "
        f"{figures['offer_median_ms']} ms over {REPEATS} runs ({len(found.ranked)} ranked, "
        f"{len(found.ranking.excluded)} excluded); only the best 3, as posting asks: median "
        f"{figures['offer_best_3_median_ms']} ms; the pure engine's share of ranking them all "
        f"(scoring.rank_offer) median {figures['offer_engine_median_ms']} ms."
    )
    return figures
