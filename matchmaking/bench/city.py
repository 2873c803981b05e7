"""A synthetic city for the benchmarks: providers, open needs and some history, built fast.

Everything is bulk-inserted (no signals, no audit log, no password hashing), from one seeded
random generator, so the same arguments always give the same city. It writes to whatever
database the default connection points at: callers use `bench.database.fresh_database`.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.constants import LANGUAGES, CheckStatus, ProviderKind, ProviderStatus
from accounts.models import Availability, Check, ProviderProfile, User
from matchmaking.constants import MatchStatus
from matchmaking.models import Match
from services.constants import NeedStatus, Schedule
from services.models import Area, Category, Need, NeedSlot, Programme

# Reading town centre; the city reaches about CITY_RADIUS_KM from it.
CENTRE = (51.4543, -0.9781)
CITY_RADIUS_KM = 12.0
# r = R * u**CENTRE_BIAS for uniform u: 0.5 would spread people evenly over the disc; larger
# values crowd them towards the centre, as in a real town.
CENTRE_BIAS = 0.75
KM_PER_DEGREE_LAT = 111.195
# A county's towns (`towns` > 1) sit on a grid this far apart: further than any provider
# travels (15 km) plus any need's reach, so no two towns share a candidate and each is its
# own part of an allocation's graph.
TOWN_SPACING_KM = 60.0
BATCH_SIZE = 2000
# services.models.new_reference's letters (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DOMAIN = "bench.kith.example"

AREAS = [
    ("Abbey", "B05000001"),
    ("Battle", "B05000002"),
    ("Caversham", "B05000003"),
    ("Katesgrove", "B05000004"),
    ("Redlands", "B05000005"),
    ("Whitley", "B05000006"),
]
# How often each category is asked for.
CATEGORY_WEIGHTS = {
    "meals": 30,
    "companionship": 25,
    "shopping": 15,
    "personal-care": 10,
    "transport": 10,
    "peer-support": 10,
}
OTHER_LANGUAGES = [code for code, _ in LANGUAGES if code != "en"]
# Share of the history's matches in each state.
HISTORY_STATUSES = {
    MatchStatus.COMPLETED: 50,
    MatchStatus.ACTIVE: 12,
    MatchStatus.ACCEPTED: 8,
    MatchStatus.OFFERED: 10,
    MatchStatus.DECLINED: 12,
    MatchStatus.EXPIRED: 5,
    MatchStatus.CANCELLED: 3,
}
NEED_STATUS_FOR_MATCH = {
    MatchStatus.COMPLETED: NeedStatus.FULFILLED,
    MatchStatus.ACTIVE: NeedStatus.MATCHED,
    MatchStatus.ACCEPTED: NeedStatus.MATCHED,
    MatchStatus.OFFERED: NeedStatus.OPEN,
    MatchStatus.DECLINED: NeedStatus.CLOSED,
    MatchStatus.EXPIRED: NeedStatus.CLOSED,
    MatchStatus.CANCELLED: NeedStatus.WITHDRAWN,
}


@dataclass
class City:
    providers: int
    active_providers: int
    needs: list[int]  # the open needs to rank, by id
    counts: dict[str, int] = field(default_factory=dict)


def _batches(rows: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _bulk(model, rows: list) -> list:
    created = []
    for batch in _batches(rows):
        created.extend(model.objects.bulk_create(batch))
    return created


class _Builder:
    def __init__(self, seed: int, now: datetime.datetime, radius_km: float, towns: int = 1) -> None:
        self.rng = random.Random(seed)
        self.radius_km = radius_km
        side = math.ceil(math.sqrt(towns))
        self.centres = [
            (
                CENTRE[0] + (i // side) * TOWN_SPACING_KM / KM_PER_DEGREE_LAT,
                CENTRE[1]
                + (i % side)
                * TOWN_SPACING_KM
                / (KM_PER_DEGREE_LAT * math.cos(math.radians(CENTRE[0]))),
            )
            for i in range(towns)
        ]
        self.references = 0  # needs numbered so far (`reference`)
        self.now = now
        self.today = timezone.localdate(now)
        self.categories = {c.slug: c for c in Category.objects.all()}
        missing = set(CATEGORY_WEIGHTS) - set(self.categories)
        if missing:
            raise RuntimeError(f"Categories missing (migrations not run?): {sorted(missing)}")
        self.counts: dict[str, int] = {}

    # -- places and times --

    def place(self) -> tuple[float, float]:
        rng = self.rng
        # One town draws no extra number: a seed builds the same city as before towns.
        centre = self.centres[0] if len(self.centres) == 1 else rng.choice(self.centres)
        r = self.radius_km * rng.random() ** CENTRE_BIAS
        theta = rng.uniform(0, 2 * math.pi)
        lat = centre[0] + r * math.cos(theta) / KM_PER_DEGREE_LAT
        lon = centre[1] + r * math.sin(theta) / (
            KM_PER_DEGREE_LAT * math.cos(math.radians(centre[0]))
        )
        return round(lat, 6), round(lon, 6)

    def postcode(self) -> str:
        rng = self.rng
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        return f"RG{rng.randint(1, 31)} {inward}"

    def window(self, earliest: int, latest: int, shortest: int, longest: int):
        """(start, end) as times: starts on the hour between earliest and latest."""
        start = self.rng.randint(earliest, latest)
        end = min(start + self.rng.randint(shortest, longest), 22)
        return datetime.time(start), datetime.time(end)

    def languages(self) -> list[str]:
        roll = self.rng.random()
        if roll < 0.8:
            return ["en"]
        if roll < 0.95:
            return ["en", self.rng.choice(OTHER_LANGUAGES)]
        return [self.rng.choice(OTHER_LANGUAGES)]

    # -- people --

    def users(self, prefix: str, count: int) -> list[User]:
        # "!" is an unusable password: hashing thousands would dominate the build.
        return _bulk(
            User,
            [
                User(email=f"{prefix}{i}@{DOMAIN}", first_name=f"{prefix.title()}{i}", password="!")
                for i in range(count)
            ],
        )

    def providers(self, count: int, verifier: User) -> list[ProviderProfile]:
        rng = self.rng
        users = self.users("provider", count)
        statuses = (
            [ProviderStatus.ACTIVE] * 90
            + [
                ProviderStatus.APPLIED,
                ProviderStatus.SUSPENDED,
            ]
            * 4
            + [ProviderStatus.REJECTED] * 2
        )
        profiles = []
        for user in users:
            lat, lon = self.place()
            rating_count = rng.choice([0, 0, rng.randint(1, 5), rng.randint(5, 60)])
            offers_received = rng.randint(0, 40)
            offers_accepted = rng.randint(0, offers_received)
            profiles.append(
                ProviderProfile(
                    user=user,
                    kind=rng.choice(ProviderKind.values),
                    languages=self.languages(),
                    home_postcode=self.postcode(),
                    latitude=lat,
                    longitude=lon,
                    travel_radius_km=rng.randint(4, 30) / 2,  # 2-15 km in half km
                    capacity=rng.randint(1, 3),
                    status=rng.choice(statuses),
                    rating_count=rating_count,
                    rating_sum=round(rating_count * rng.uniform(3.2, 5.0)),
                    offers_received=offers_received,
                    offers_accepted=offers_accepted,
                    matches_completed=rng.randint(0, offers_accepted),
                )
            )
        profiles = _bulk(ProviderProfile, profiles)
        self._skills(profiles)
        self._availability(profiles)
        self._checks(profiles, verifier)
        self.counts["providers"] = len(profiles)
        return profiles

    def _skills(self, profiles) -> None:
        through = Category.providers.through
        rows = []
        for profile in profiles:
            allowed = [c for c in self.categories.values() if profile.kind in c.allowed_kinds]
            chosen = [c for c in allowed if self.rng.random() < 0.85] or [self.rng.choice(allowed)]
            rows.extend(through(category_id=c.pk, providerprofile_id=profile.pk) for c in chosen)
        self.counts["skills"] = len(_bulk(through, rows))

    def _availability(self, profiles) -> None:
        rows = []
        for profile in profiles:
            for _ in range(self.rng.randint(1, 5)):
                starts_at, ends_at = self.window(7, 19, 1, 5)
                rows.append(
                    Availability(
                        provider=profile,
                        weekday=self.rng.randint(0, 6),
                        starts_at=starts_at,
                        ends_at=ends_at,
                    )
                )
        self.counts["availability"] = len(_bulk(Availability, rows))

    def _checks(self, profiles, verifier: User) -> None:
        rng = self.rng
        kinds_for = {
            kind: sorted(
                {
                    check
                    for c in self.categories.values()
                    if kind in c.allowed_kinds
                    for check in c.required_checks
                }
            )
            for kind in ProviderKind.values
        }
        rows = []
        for profile in profiles:
            for kind in kinds_for[profile.kind]:
                roll = rng.random()
                if roll < 0.06:
                    continue  # never applied for
                if roll < 0.14:
                    rows.append(Check(provider=profile, kind=kind, status=CheckStatus.PENDING))
                    continue
                if roll < 0.22:
                    expires_at = self.today - datetime.timedelta(days=rng.randint(1, 300))
                elif kind == "identity":
                    expires_at = None
                else:
                    expires_at = self.today + datetime.timedelta(days=rng.randint(30, 1000))
                rows.append(
                    Check(
                        provider=profile,
                        kind=kind,
                        status=CheckStatus.VERIFIED,
                        verified_by=verifier,
                        verified_at=self.now,
                        expires_at=expires_at,
                    )
                )
        self.counts["checks"] = len(_bulk(Check, rows))

    # -- needs --

    def reference(self) -> str:
        """A need reference in the real format ("KTH-" and 6 of its 31 letters), unique."""
        self.references += 1
        number, letters = self.references, []
        for _ in range(6):
            number, digit = divmod(number, len(REFERENCE_ALPHABET))
            letters.append(REFERENCE_ALPHABET[digit])
        return "KTH-" + "".join(reversed(letters))

    def need(self, resident: User, area: Area, programme: Programme | None, **fields) -> Need:
        rng = self.rng
        lat, lon = self.place()
        slug = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        language = rng.choice(OTHER_LANGUAGES) if rng.random() < 0.15 else ""
        need = Need(
            # Random references collide by the tens of thousands (31^6 codes: a county's
            # 40,000 needs share one about as often as not), so the city numbers its own.
            reference=self.reference(),
            requested_by=resident,
            resident=resident,
            category=self.categories[slug],
            programme=programme,
            area=area,
            details="Synthetic need for the benchmark.",
            postcode=self.postcode(),
            latitude=lat,
            longitude=lon,
            language=language,
            language_required=bool(language) and rng.random() < 0.35,
            contact_name=f"{resident.first_name} Bench",
            address="1 Bench Street",
            status=NeedStatus.OPEN,
        )
        if rng.random() < 0.6:
            need.schedule = Schedule.ONE_OFF
            need.on_date = self.today + datetime.timedelta(days=rng.randint(1, 14))
            need.starts_at, need.ends_at = self.window(8, 18, 1, 2)
        else:
            need.schedule = Schedule.WEEKLY
        for name, value in fields.items():
            setattr(need, name, value)
        return need

    def need_slots(self, needs: list[Need]) -> None:
        rows = []
        for need in needs:
            if need.schedule != Schedule.WEEKLY:
                continue
            for weekday in self.rng.sample(range(7), self.rng.randint(1, 3)):
                starts_at, ends_at = self.window(8, 18, 1, 3)
                rows.append(
                    NeedSlot(need=need, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
                )
        self.counts["need_slots"] = self.counts.get("need_slots", 0) + len(_bulk(NeedSlot, rows))

    def history(self, count, residents, areas, programmes, active_providers) -> None:
        """Past and current matches, each on its own need, so the annotations have work."""
        rng = self.rng
        statuses = rng.choices(
            list(HISTORY_STATUSES), weights=list(HISTORY_STATUSES.values()), k=count
        )
        needs = [
            self.need(
                rng.choice(residents),
                rng.choice(areas),
                rng.choice(programmes),
                status=NEED_STATUS_FOR_MATCH[status],
            )
            for status in statuses
        ]
        needs = _bulk(Need, needs)
        matches = []
        for need, status in zip(needs, statuses, strict=True):
            offered_at = self.now - datetime.timedelta(hours=rng.uniform(1, 24 * 30))
            match = Match(
                need=need,
                provider=rng.choice(active_providers),
                status=status,
                score=round(rng.uniform(0.4, 0.9), 3),
                offered_at=offered_at,
                expires_at=offered_at + datetime.timedelta(hours=48),
            )
            if status == MatchStatus.OFFERED:
                match.offered_at = self.now - datetime.timedelta(hours=rng.uniform(1, 40))
                match.expires_at = match.offered_at + datetime.timedelta(hours=48)
            if status in (MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED):
                match.accepted_at = match.offered_at + datetime.timedelta(hours=2)
            if status in (MatchStatus.ACTIVE, MatchStatus.COMPLETED):
                match.confirmed_at = match.accepted_at + datetime.timedelta(hours=2)
            if status not in (MatchStatus.OFFERED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE):
                match.ended_at = match.offered_at + datetime.timedelta(days=1)
            matches.append(match)
        self.counts["history_matches"] = len(_bulk(Match, matches))

    def declines(self, needs: list[Need], active_providers) -> None:
        """Some open needs were already turned down by someone."""
        rows = []
        for need in needs:
            if self.rng.random() < 0.3:
                count = min(self.rng.randint(1, 3), len(active_providers))
                for provider in self.rng.sample(active_providers, count):
                    offered_at = self.now - datetime.timedelta(hours=self.rng.uniform(1, 100))
                    rows.append(
                        Match(
                            need=need,
                            provider=provider,
                            status=self.rng.choice([MatchStatus.DECLINED, MatchStatus.EXPIRED]),
                            offered_at=offered_at,
                            expires_at=offered_at + datetime.timedelta(hours=48),
                            ended_at=offered_at + datetime.timedelta(hours=5),
                        )
                    )
        self.counts["declined_matches"] = len(_bulk(Match, rows))


@transaction.atomic
def build_city(
    *,
    providers: int,
    needs: int,
    seed: int,
    now: datetime.datetime | None = None,
    radius_km: float = CITY_RADIUS_KM,
    towns: int = 1,
) -> City:
    """Insert a city of `providers` providers and `needs` open needs; return what was built.

    `radius_km` shrinks the city (tests use a small, crowded one so every need has candidates).
    `towns` > 1 builds a county instead: that many towns of `radius_km`, TOWN_SPACING_KM
    apart, people spread evenly between them.
    """
    builder = _Builder(seed, now or timezone.now(), radius_km, towns)
    rng = builder.rng
    areas = [
        Area.objects.get_or_create(code=code, defaults={"name": name})[0] for name, code in AREAS
    ]
    verifier = User.objects.create(
        email=f"verifier@{DOMAIN}", first_name="Vera", is_staff=True, password="!"
    )
    programmes = [
        Programme.objects.create(
            name="Bench: meals and company",
            starts_on=builder.today - datetime.timedelta(days=100),
            ends_on=builder.today + datetime.timedelta(days=265),
            max_distance_km=10,
        ),
        Programme.objects.create(
            name="Bench: close to home",
            starts_on=builder.today - datetime.timedelta(days=100),
            ends_on=builder.today + datetime.timedelta(days=265),
            max_distance_km=6,
            weights={"proximity": 3.0, "continuity": 2.5},
        ),
        None,  # needs outside any programme: the default maximum distance applies
    ]
    profiles = builder.providers(providers, verifier)
    active = [p for p in profiles if p.status == ProviderStatus.ACTIVE] or profiles
    # Fewer residents than needs: some people ask more than once, so continuity shows up.
    residents = builder.users("resident", max(1, (needs + providers // 10) // 2))

    open_needs = _bulk(
        Need,
        [
            builder.need(rng.choice(residents), rng.choice(areas), rng.choice(programmes))
            for _ in range(needs)
        ],
    )
    builder.need_slots(open_needs)
    builder.history(max(1, providers // 10), residents, areas, programmes, active)
    builder.declines(open_needs, active)
    return City(
        providers=len(profiles),
        active_providers=sum(p.status == ProviderStatus.ACTIVE for p in profiles),
        needs=[need.pk for need in open_needs],
        counts=builder.counts,
    )
