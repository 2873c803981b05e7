"""The scoring engine: hard filters and a weighted mean of soft components.

Pure by design: plain records in, plain records out, standard library only. No
Django, ORM or settings, so the engine is tested without a database and shared
by the matching views, batch allocation and the API. `candidates.py` builds the
records; this module only decides.

A candidate is first screened by the hard filters, in the fixed order of
EXCLUSION_REASONS (the first failure is the reason staff see).

Survivors get eight components, each in [0, 1] (formulas on `components`),
and a score that is their weighted mean.
"""

from __future__ import annotations

import datetime
import functools
import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

Slot = tuple[int, int, int]  # (weekday 0=Monday..6, start minute of day, end minute of day)

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
MINUTES_PER_DAY = 24 * 60

# Widening of the bounding box, in degrees (about 0.1 mm): absorbs floating-point rounding so a
# point exactly on the circle is never cut by the SQL prefilter.
_BOX_MARGIN_DEG = 1e-9

# Hard filters in the order they are applied; each code is stable (stored and shown to staff).
EXCLUSION_REASONS = (
    "inactive",
    "kind",
    "check_missing",
    "check_expired",
    "too_far",
    "outside_programme",
    "unavailable",
    "away",
    "no_capacity",
    "declined",
    "blocked",
    "language",
)

# Candidates scoring within this of each other count as equally good when several are alerted
# at once; among them the least alerted go first (prefer_least_alerted).
ALERT_BAND = 0.02

COMPONENTS = (
    "proximity",
    "trust",
    "reliability",
    "availability",
    "continuity",
    "language",
    "load",
    "fairness",
)

# Labels for staff-facing details. Kept in step with accounts.constants.CheckKind by hand:
# importing it would pull Django into the engine. Unknown kinds fall back to their code.
_CHECK_LABELS = {
    "dbs_enhanced_barred": "Enhanced DBS check with adults' barred list",
    "dbs_enhanced": "Enhanced DBS check",
    "dbs_basic": "Basic DBS check",
    "identity": "Proof of identity",
    "reference": "Character reference",
    "food_hygiene": "Food hygiene certificate",
    "driving": "Driving licence and business insurance",
}


# --- Records ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NeedFacts:
    need_id: int
    resident_id: int
    lat: float
    lon: float
    on_date: datetime.date  # checks must be verified and unexpired on this date
    slots: tuple[Slot, ...]  # when help is needed; empty = any time
    allowed_kinds: frozenset[str]  # provider kinds that may serve the category
    required_checks: frozenset[str]  # check kinds the category needs
    language: str = ""  # required language code, "" = none required
    preferred_language: str = ""  # soft preference, "" = none
    max_distance_km: float | None = None  # the programme's maximum, None = no maximum
    # The day help would start: a provider away that day is excluded. None = on_date (a
    # one-off need's date); a weekly need gives the day of its first visit.
    first_day: datetime.date | None = None

    def __post_init__(self) -> None:
        for slot in self.slots:
            _check_slot(slot)


class CandidateFacts(NamedTuple):
    """One provider as the engine sees them for one need.

    A NamedTuple rather than a frozen dataclass: ranking one need builds thousands, and a
    frozen dataclass's __init__ sets each of its 21 fields through object.__setattr__ (about
    2.3 µs a record, against 0.3). Change a copy with `_replace`.
    """

    provider_id: int
    kind: str
    is_active: bool  # status active and not suspended
    lat: float
    lon: float
    radius_km: float
    capacity: int
    live_matches: int  # offered/accepted/active matches now
    checks: Mapping[str, datetime.date | None]  # verified kind -> expires_at (None = never)
    availability: tuple[Slot, ...]
    languages: frozenset[str]
    rating_sum: float = 0.0  # sum of visible ratings (1..5)
    rating_count: int = 0
    offers_received: int = 0  # offers ever sent to them
    offers_accepted: int = 0
    matches_completed: int = 0
    completed_with_resident: int = 0  # completed matches with this need's resident
    recent_offers: int = 0  # offers sent to them in the fairness window
    declined_this_need: bool = False
    blocked: bool = False  # resident or staff blocked this pair
    away: tuple[tuple[datetime.date, datetime.date], ...] = ()  # (first, last day) away


@dataclass(frozen=True)
class Weights:
    """Relative importance of each component; only ratios matter (the score is a weighted mean).

    Defaults, and why:
    - proximity 2.0: travel is the main practical cost for volunteers and carers, and the hard
      filters only bound it; nearer also means easier to cover at short notice.
    - trust 2.0: residents' own ratings; the Bayesian prior keeps a few reviews from dominating,
      so it is safe to weigh as heavily as distance.
    - reliability 1.5: a missed visit hurts a vulnerable resident more than a longer trip does.
    - availability 2.0: a partial fit leaves part of the need uncovered.
    - continuity 1.5: a familiar face matters in care and companionship; it outweighs a small
      gain in distance but not a poor rating.
    - language 1.0: a soft preference (a required language is a hard filter).
    - load 0.5 and fairness 0.5: spread work and give new providers a chance; tie-breakers that
      must not override quality.
    """

    proximity: float = 2.0
    trust: float = 2.0
    reliability: float = 1.5
    availability: float = 2.0
    continuity: float = 1.5
    language: float = 1.0
    load: float = 0.5
    fairness: float = 0.5

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in COMPONENTS}


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Priors:
    """Pseudo-observations and scales that keep sparse histories from swinging the score."""

    trust_mean: float = 4.0  # a new provider is assumed "good" (4/5) until rated
    trust_weight: float = 5  # worth five ratings
    reliability_mean: float = 0.8  # assumed to keep 80% of their commitments
    reliability_weight: float = 5  # worth five settled steps
    fairness_half: float = 3  # recent offers at which fairness = 0.5
    proximity_half_km: float = 3.0  # distance at which proximity = 0.5
    continuity_full: float = 2  # completed matches with the resident for full continuity

    def __post_init__(self) -> None:
        for name in ("trust_weight", "reliability_weight"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be zero or more.")
        for name in ("fairness_half", "proximity_half_km", "continuity_full"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be more than zero.")
        if not 1 <= self.trust_mean <= 5:
            raise ValueError("trust_mean must be between 1 and 5.")
        if not 0 <= self.reliability_mean <= 1:
            raise ValueError("reliability_mean must be between 0 and 1.")


DEFAULT_PRIORS = Priors()


@dataclass(frozen=True)
class Scored:
    provider_id: int
    score: float
    distance_km: float
    components: dict[str, float]
    weights: dict[str, float]  # the weights it was scored with, as given (not normalised)
    alerts_this_week: int = 0  # offers sent to them in the fairness window (recent_offers)

    @property
    def explanation(self) -> dict:
        """JSON-serialisable; stored on the Match and shown to staff. Built when asked for
        (a fresh dict each time): a ranking of hundreds is rarely explained beyond its head."""
        return _explain(
            self.score, self.distance_km, self.components, self.weights, self.alerts_this_week
        )


@dataclass(frozen=True)
class Excluded:
    provider_id: int
    reason: str  # stable code, e.g. "check_expired"
    detail: str  # sentence for staff


@dataclass(frozen=True)
class Ranking:
    ranked: list[Scored]  # best first; equal scores by provider_id ascending
    excluded: list[Excluded]  # in input order


# --- Geometry -----------------------------------------------------------------------------------


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine on a sphere of radius EARTH_RADIUS_KM)."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) containing every point within `km` of (lat, lon).

    The longitude half-width is the exact extent of the circle, asin(sin(r) / cos(lat)), which
    is wider than r / cos(lat) away from the equator. Where the circle reaches a pole or crosses
    the antimeridian the box spans all longitudes: a plain BETWEEN cannot express a wrapped range.
    """
    if km < 0:
        raise ValueError("km must be zero or more.")
    r = km / EARTH_RADIUS_KM  # angular radius, radians
    dlat = math.degrees(r) + _BOX_MARGIN_DEG
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90 or r >= math.pi / 2:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    ratio = math.sin(r) / math.cos(math.radians(lat))
    if ratio >= 1:
        return min_lat, max_lat, -180.0, 180.0
    dlon = math.degrees(math.asin(ratio)) + _BOX_MARGIN_DEG
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180 or max_lon > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lon, max_lon


# --- Time slots ---------------------------------------------------------------------------------


def _check_slot(slot: Slot) -> None:
    weekday, start, end = slot
    if not (0 <= weekday <= 6 and 0 <= start < end <= MINUTES_PER_DAY):
        raise ValueError(f"Invalid slot {slot!r}: need weekday 0-6 and 0 <= start < end <= 1440.")


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    intervals.sort()
    merged: list[tuple[int, int]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _by_weekday(slots: Iterable[Slot]) -> dict[int, list[tuple[int, int]]]:
    days: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in slots:
        days.setdefault(weekday, []).append((start, end))
    return {weekday: _merge(intervals) for weekday, intervals in days.items()}


def _covered_minutes(need_days: dict[int, list[tuple[int, int]]], availability: tuple) -> int:
    """Minutes of the need's (merged) slots inside the union of the provider's slots."""
    # Pieces on minutes-of-the-week so one sort-and-merge covers every day.
    pieces: list[tuple[int, int]] = []
    for weekday, start, end in availability:
        offset = weekday * MINUTES_PER_DAY
        for need_start, need_end in need_days.get(weekday, ()):
            lo = start if start > need_start else need_start
            hi = end if end < need_end else need_end
            if lo < hi:
                pieces.append((offset + lo, offset + hi))
    if len(pieces) < 2:
        return pieces[0][1] - pieces[0][0] if pieces else 0
    # Provider slots may overlap each other; merge so no minute counts twice.
    pieces.sort()
    covered = 0
    run_start, run_end = pieces[0]
    for start, end in pieces:
        if start <= run_end:
            if end > run_end:
                run_end = end
        else:
            covered += run_end - run_start
            run_start, run_end = start, end
    return covered + run_end - run_start


# --- Filters and components ---------------------------------------------------------------------


class _NeedContext:
    """What rank() works out once per need rather than once per candidate."""

    __slots__ = ("days", "first_day", "need", "required_checks", "total_minutes")

    def __init__(self, need: NeedFacts) -> None:
        self.need = need
        self.first_day = need.first_day or need.on_date
        self.days = _by_weekday(need.slots)
        self.total_minutes = sum(e - s for day in self.days.values() for s, e in day)
        self.required_checks = sorted(need.required_checks)  # sorted: details stay stable


def _check_label(kind: str) -> str:
    return _CHECK_LABELS.get(kind, kind.replace("_", " "))


def _screen(ctx: _NeedContext, cand: CandidateFacts, distance: float) -> Excluded | float:
    """The first failing hard filter, or the availability fit when every filter passes."""
    need = ctx.need
    pid = cand.provider_id
    if not cand.is_active:
        return Excluded(pid, "inactive", "Provider is not active (applied, suspended or rejected).")
    if cand.kind not in need.allowed_kinds:
        allowed = ", ".join(sorted(need.allowed_kinds)) or "none"
        return Excluded(
            pid, "kind", f"A {cand.kind} cannot serve this category (allowed: {allowed})."
        )
    checks = cand.checks
    missing = [kind for kind in ctx.required_checks if kind not in checks]
    if missing:
        labels = ", ".join(_check_label(kind) for kind in missing)
        return Excluded(pid, "check_missing", f"No verified check: {labels}.")
    on_date = need.on_date
    expired = [
        (kind, checks[kind])
        for kind in ctx.required_checks
        if checks[kind] is not None and checks[kind] < on_date
    ]
    if expired:
        sentences = "; ".join(f"{_check_label(k)} expired on {d.isoformat()}" for k, d in expired)
        return Excluded(pid, "check_expired", f"{sentences}.")
    if distance > cand.radius_km:
        return Excluded(
            pid,
            "too_far",
            f"{distance:.1f} km away, beyond the provider's {cand.radius_km:g} km travel radius.",
        )
    if need.max_distance_km is not None and distance > need.max_distance_km:
        return Excluded(
            pid,
            "outside_programme",
            f"{distance:.1f} km away, beyond the programme's {need.max_distance_km:g} km maximum.",
        )
    if ctx.total_minutes:
        covered = _covered_minutes(ctx.days, cand.availability)
        if not covered:
            return Excluded(pid, "unavailable", "No availability overlaps the times needed.")
        fit = covered / ctx.total_minutes
    else:
        fit = 1.0  # no schedule given: any time suits
    for first, last in cand.away:
        if first <= ctx.first_day <= last:
            return Excluded(
                pid, "away", f"Away from {first.isoformat()} to {last.isoformat()} (dates away)."
            )
    if cand.live_matches >= cand.capacity:
        return Excluded(
            pid,
            "no_capacity",
            f"No free capacity ({cand.live_matches} live matches, capacity {cand.capacity}).",
        )
    if cand.declined_this_need:
        return Excluded(pid, "declined", "Provider declined this need.")
    if cand.blocked:
        return Excluded(pid, "blocked", "This pairing is blocked by the resident or staff.")
    if need.language and need.language not in cand.languages:
        return Excluded(pid, "language", f"Does not speak the required language ({need.language}).")
    return fit


def exclusion(need: NeedFacts, cand: CandidateFacts, distance: float) -> Excluded | None:
    """The first hard filter the candidate fails, or None if it passes them all.

    Order: inactive, kind, check_missing, check_expired (expires_at < need.on_date; valid on its
    expiry day), too_far (distance > radius_km), outside_programme (distance > max_distance_km),
    unavailable (no provider slot overlaps a need slot by a minute or more; a need without slots
    always passes), away (need.first_day, else on_date, within one of the provider's dates
    away, first and last day included), no_capacity (live_matches >= capacity), declined,
    blocked, language.
    """
    result = _screen(_NeedContext(need), cand, distance)
    return result if isinstance(result, Excluded) else None


def trust_score(rating_sum: float, rating_count: int, priors: Priors = DEFAULT_PRIORS) -> float:
    """Bayesian average rating on the 1..5 scale: the prior counts as `trust_weight` ratings of
    `trust_mean`, so one 5-star review (4.17) stays below fifty averaging 4.8 (4.73)."""
    return (priors.trust_mean * priors.trust_weight + rating_sum) / (
        priors.trust_weight + rating_count
    )


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


@functools.lru_cache(maxsize=64)
def _weight_shares(weights: Weights) -> tuple[dict[str, float], tuple[float, ...]]:
    """The weights by name, and each component's share of their total in COMPONENTS order.

    Remembered per set of weights (a frozen dataclass): a batch ranks thousands of needs
    with the same few. The dict is shared, so read it, never change it."""
    validate_weights(weights)
    weight_map = weights.as_dict()
    total_weight = sum(weight_map.values())
    return weight_map, tuple(weight_map[name] / total_weight for name in COMPONENTS)


def _weighted_score(shares: tuple[float, ...], comps: dict[str, float]) -> float:
    """The weighted mean of the eight components, in [0, 1]."""
    w_prox, w_trust, w_rel, w_avail, w_cont, w_lang, w_load, w_fair = shares
    return _clip(
        w_prox * comps["proximity"]
        + w_trust * comps["trust"]
        + w_rel * comps["reliability"]
        + w_avail * comps["availability"]
        + w_cont * comps["continuity"]
        + w_lang * comps["language"]
        + w_load * comps["load"]
        + w_fair * comps["fairness"]
    )


def _components(
    need: NeedFacts, cand: CandidateFacts, distance: float, fit: float, priors: Priors
) -> dict[str, float]:
    # Every live match is one step not yet settled: an offer not yet answered, or an accepted
    # match not yet completed. Leave them out of the denominator until they settle.
    settled = cand.offers_received + cand.offers_accepted - cand.live_matches
    if settled < 0:
        settled = 0
    capacity = cand.capacity
    half_km = priors.proximity_half_km
    return {
        "proximity": half_km / (half_km + (distance if distance > 0.0 else 0.0)),
        "trust": _clip((trust_score(cand.rating_sum, cand.rating_count, priors) - 1.0) / 4.0),
        "reliability": _clip(
            (
                priors.reliability_mean * priors.reliability_weight
                + cand.offers_accepted
                + cand.matches_completed
            )
            / (priors.reliability_weight + settled)
            if priors.reliability_weight + settled
            else priors.reliability_mean
        ),
        "availability": fit,
        "continuity": _clip(cand.completed_with_resident / priors.continuity_full),
        "language": (
            1.0 if not need.preferred_language or need.preferred_language in cand.languages else 0.0
        ),
        "load": _clip((capacity - cand.live_matches) / capacity) if capacity > 0 else 0.0,
        "fairness": priors.fairness_half / (priors.fairness_half + max(0, cand.recent_offers)),
    }


def components(
    need: NeedFacts,
    cand: CandidateFacts,
    distance: float,
    *,
    priors: Priors = DEFAULT_PRIORS,
) -> dict[str, float]:
    """The eight soft components, each in [0, 1] (hard filters are not applied here).

    - proximity = h / (h + d), h = proximity_half_km: 1 at 0 km, 0.5 at h, 1/3 at 2h.
    - trust = (trust_score - 1) / 4, the Bayesian average mapped from 1..5 to 0..1.
    - reliability = (m * w + accepted + completed) / (w + settled), clipped to [0, 1], where
      settled = offers_received + offers_accepted - live_matches: each offer is a chance to
      accept and each acceptance a chance to complete; live matches have not settled yet.
      m, w = reliability_mean, reliability_weight.
    - availability = share of the need's minutes (union per weekday) inside the union of the
      provider's slots; 1 when the need has no slots.
    - continuity = min(1, completed_with_resident / continuity_full).
    - language = 1 if no preferred language or the provider speaks it, else 0.
    - load = (capacity - live_matches) / capacity, the share of capacity still free.
    - fairness = f / (f + recent_offers), f = fairness_half.
    """
    ctx = _NeedContext(need)
    if ctx.total_minutes:
        fit = _covered_minutes(ctx.days, cand.availability) / ctx.total_minutes
    else:
        fit = 1.0
    return _components(need, cand, distance, fit, priors)


def validate_weights(weights: Weights) -> None:
    """Raise ValueError unless every weight is a finite number >= 0 and at least one is > 0."""
    values = weights.as_dict()
    for name, value in values.items():
        if not math.isfinite(value):
            raise ValueError(f"The {name} weight must be a finite number.")
        if value < 0:
            raise ValueError(f"The {name} weight must be zero or more, not {value:g}.")
    if not any(values.values()):
        raise ValueError("At least one weight must be more than zero.")


def _explain(
    score: float,
    distance: float,
    comps: dict[str, float],
    weights: dict[str, float],
    alerts_this_week: int = 0,
) -> dict:
    return {
        "score": score,
        "distance_km": distance,
        "components": {
            name: {"value": comps[name], "weight": weights[name]} for name in COMPONENTS
        },
        "alerts_this_week": alerts_this_week,
    }


def rank(
    need: NeedFacts,
    candidates: Iterable[CandidateFacts],
    weights: Weights = DEFAULT_WEIGHTS,
    priors: Priors = DEFAULT_PRIORS,
    limit: int | None = None,
) -> Ranking:
    """Screen and score every candidate for one need.

    score = sum(w_i * c_i) / sum(w_i) over the eight components, so it lies in [0, 1].
    `ranked` is best first, equal scores by provider_id ascending, cut to `limit` if given;
    `excluded` lists every candidate that failed a hard filter, in input order.
    """
    if limit is not None and limit < 0:
        raise ValueError("limit must be zero or more.")
    weight_map, shares = _weight_shares(weights)

    ctx = _NeedContext(need)
    # Haversine inlined with the need's terms hoisted: this loop runs for every candidate.
    phi1 = math.radians(need.lat)
    cos_phi1 = math.cos(phi1)
    lon1 = need.lon
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    diameter = 2 * EARTH_RADIUS_KM

    scored: list[tuple[float, int, float, dict[str, float], int]] = []
    excluded: list[Excluded] = []
    for cand in candidates:
        phi2 = radians(cand.lat)
        a = (
            sin((phi2 - phi1) / 2) ** 2
            + cos_phi1 * cos(phi2) * sin(radians(cand.lon - lon1) / 2) ** 2
        )
        distance = diameter * asin(sqrt(a if a < 1.0 else 1.0))
        result = _screen(ctx, cand, distance)
        if isinstance(result, Excluded):
            excluded.append(result)
            continue
        comps = _components(need, cand, distance, result, priors)
        score = _weighted_score(shares, comps)
        scored.append((score, cand.provider_id, distance, comps, cand.recent_offers))

    scored.sort(key=lambda row: (-row[0], row[1]))
    if limit is not None:
        scored = scored[:limit]
    ranked = [
        Scored(pid, score, distance, comps, weight_map, alerts)
        for score, pid, distance, comps, alerts in scored
    ]
    return Ranking(ranked=ranked, excluded=excluded)


def prefer_least_alerted(ranked: Iterable[Scored], band: float = ALERT_BAND) -> list[Scored]:
    """`ranked` (best first) with the least alerted first among near-equals.

    Alerting always the very best (GoodSAM: always the nearest) wears out a few people while
    others are never asked. Walking down the ranking, each band holds the best remaining
    candidate and everyone scoring within `band` below it; inside a band those alerted least
    in the fairness window come first (then by score, then provider id). A candidate never
    moves ahead of someone more than `band` better.
    """
    if not band >= 0:
        raise ValueError("band must be zero or more.")
    remaining = list(ranked)
    ordered: list[Scored] = []
    start = 0
    while start < len(remaining):
        floor = remaining[start].score - band
        end = start + 1
        while end < len(remaining) and remaining[end].score >= floor:
            end += 1
        ordered += sorted(
            remaining[start:end], key=lambda s: (s.alerts_this_week, -s.score, s.provider_id)
        )
        start = end
    return ordered


# --- Reverse ranking: one provider's offer, many residents ---------------------------------------


@dataclass(frozen=True, slots=True)
class ResidentFacts:
    """A resident an offer could go to, described as a need so the same filters apply: their
    open request on the offer's date, or their wish to hear of offers (no slots: any time in
    the offer's window suits). `on_date` is the offer's date, so checks must be valid then."""

    need: NeedFacts
    blocked: bool = False  # the resident (or staff) blocked this provider
    completed_with_provider: int = 0  # completed matches between them (continuity)


@dataclass(frozen=True)
class ScoredResident:
    resident_id: int
    need_id: int  # 0 when the resident has no open request (their wish to hear of offers)
    score: float
    distance_km: float
    components: dict[str, float]
    weights: dict[str, float]

    @property
    def explanation(self) -> dict:
        return _explain(self.score, self.distance_km, self.components, self.weights)


@dataclass(frozen=True)
class ExcludedResident:
    resident_id: int
    reason: str  # one of EXCLUSION_REASONS, as for a need's candidates
    detail: str


@dataclass(frozen=True)
class OfferRanking:
    ranked: list[ScoredResident]  # best first; equal scores by resident_id ascending
    excluded: list[ExcludedResident]  # in input order


def _best_first(row: tuple) -> tuple:
    return (-row[0], row[1])


def rank_offer(
    provider: CandidateFacts,
    residents: Iterable[ResidentFacts],
    weights: Weights = DEFAULT_WEIGHTS,
    priors: Priors = DEFAULT_PRIORS,
    limit: int | None = None,
) -> OfferRanking:
    """Rank residents for one provider's one-off offer: `rank` turned round.

    `provider` describes the provider as offering: the offer's window as their only
    availability and the offer's reach as their radius. Each resident is screened by the
    same hard filters and scored by the same components and weighted mean as a candidate
    for their need, so an offer reaches nobody a need's ranking would refuse them. The
    pair's own facts (a block, help given before) come with each resident.
    """
    if limit is not None and limit < 0:
        raise ValueError("limit must be zero or more.")
    weight_map, shares = _weight_shares(weights)
    # The offer's end of the distance hoisted, as in rank(): this loop runs for every resident.
    phi2 = math.radians(provider.lat)
    cos_phi2 = math.cos(phi2)
    lon2 = provider.lon
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    diameter = 2 * EARTH_RADIUS_KM
    # Most residents share their slots (none) and their category's checks: one context each
    # such kind, pointed at the resident being screened.
    contexts: dict[tuple, _NeedContext] = {}

    scored: list[tuple[float, int, int, float, dict[str, float]]] = []
    excluded: list[ExcludedResident] = []
    for resident in residents:
        need = resident.need
        cand = provider
        if resident.blocked or resident.completed_with_provider:
            cand = provider._replace(
                blocked=resident.blocked,
                completed_with_resident=resident.completed_with_provider,
            )
        phi1 = radians(need.lat)
        a = (
            sin((phi2 - phi1) / 2) ** 2
            + cos(phi1) * cos_phi2 * sin(radians(lon2 - need.lon) / 2) ** 2
        )
        distance = diameter * asin(sqrt(a if a < 1.0 else 1.0))
        key = (need.slots, need.required_checks)
        ctx = contexts.get(key)
        if ctx is None:
            ctx = contexts[key] = _NeedContext(need)
        ctx.need = need
        result = _screen(ctx, cand, distance)
        if isinstance(result, Excluded):
            excluded.append(ExcludedResident(need.resident_id, result.reason, result.detail))
            continue
        comps = _components(need, cand, distance, result, priors)
        score = _weighted_score(shares, comps)
        scored.append((score, need.resident_id, need.need_id, distance, comps))

    # Posting an offer wants its best few of thousands: no need to sort them all.
    if limit is None:
        scored.sort(key=_best_first)
    else:
        scored = heapq.nsmallest(limit, scored, key=_best_first)
    ranked = [
        ScoredResident(resident_id, need_id, score, distance, comps, weight_map)
        for score, resident_id, need_id, distance, comps in scored
    ]
    return OfferRanking(ranked=ranked, excluded=excluded)


__all__ = [
    "ALERT_BAND",
    "COMPONENTS",
    "DEFAULT_PRIORS",
    "DEFAULT_WEIGHTS",
    "EARTH_RADIUS_KM",
    "EXCLUSION_REASONS",
    "CandidateFacts",
    "Excluded",
    "ExcludedResident",
    "NeedFacts",
    "OfferRanking",
    "Priors",
    "Ranking",
    "ResidentFacts",
    "Scored",
    "ScoredResident",
    "Slot",
    "bounding_box",
    "components",
    "distance_km",
    "exclusion",
    "prefer_least_alerted",
    "rank",
    "rank_offer",
    "trust_score",
    "validate_weights",
]
