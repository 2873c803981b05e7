"""Ranking many needs against one set of providers: the engine, vectorised where it is safe.

Pure like `scoring` (NumPy and the engine, no Django). `scoring` stays the one definition of
the rules: every ranking this module returns is `scoring.rank`'s own answer. NumPy only decides
which providers `scoring.rank` has to look at, and that choice is exact:

1. the hard filters, vectorised over every provider at once, give the set that passes (the
   same comparisons as `scoring._screen`: integers, dates and minutes compare exactly; the
   one floating-point filter, distance, sends every provider within BORDER_KM of a limit to
   the engine to decide);
2. the eight components and the score, vectorised, agree with the engine's to within about
   1e-15 (the same formulas in float64; only sin, cos and asin may differ by an ulp);
3. so the engine's top `limit` is among the providers whose vectorised score is at least the
   `limit`-th best minus MARGIN (a proof on `top`), and `scoring.rank` ranks just those.

In a 20,000-provider city about 200 providers pass the hard filters of a need, and about 30
(the top 30 and ties within MARGIN) reach the engine: the slow part, Python per provider,
shrinks sevenfold. tests/matchmaking/test_scoring_batch.py compares `top` with `scoring.rank`
over every provider on generated cities (hypothesis), and tests/matchmaking/test_candidates.py
compares `candidates.CandidateBatch` with `candidates.rank_need` on synthetic cities.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from matchmaking import scoring
from matchmaking.scoring import (
    COMPONENTS,
    DEFAULT_PRIORS,
    DEFAULT_WEIGHTS,
    EARTH_RADIUS_KM,
    CandidateFacts,
    NeedFacts,
    Priors,
    Ranking,
    Weights,
)

# Scores within this much of the limit-th best go to the engine: far above the vectorised
# scores' error (about 1e-15) and far below any difference a ranking could notice.
MARGIN = 1e-9
# Providers whose distance is within this of a limit (their radius, the programme's maximum)
# are decided by the engine: NumPy's and the math module's sine may differ by an ulp.
BORDER_KM = 1e-9
# The flat-earth distance underestimates the great-circle one by far less than this share
# within a county (candidates.REACH_SLACK makes the same allowance in SQL).
FLAT_SLACK = 1.01
# What `_covered`'s windows may hold, 2 bytes a provider each: 231 windows of a 20,000-provider
# city take 8 MB; past this, a need's windows are worked out for its candidates alone.
WINDOW_CACHE_BYTES = 64 * 1024 * 1024
_NEVER = np.iinfo(np.int64).max  # expiry of a check that never expires
_MISSING = np.iinfo(np.int64).min  # expiry of a check nobody verified


def _merged_days(slots: Sequence[scoring.Slot]) -> dict[int, list[tuple[int, int]]]:
    return scoring._by_weekday(slots)


class CandidateIndex:
    """A scope's providers as columns, built once from the engine's own records.

    `records` are CandidateFacts for every provider that could serve a need of the scope
    (usually every active provider), with the per-need fields (completed_with_resident,
    declined_this_need, blocked) left at their defaults: `top` takes those per need. `skills`
    maps provider id -> the category keys they serve (any hashable; `top` is given the need's).
    """

    def __init__(
        self,
        records: Sequence[CandidateFacts],
        skills: Mapping[int, Collection],
        *,
        priors: Priors = DEFAULT_PRIORS,
    ) -> None:
        # Sorted by latitude, so a need's bounding box is one slice.
        order = sorted(range(len(records)), key=lambda i: (records[i].lat, records[i].provider_id))
        self.records = [records[i] for i in order]
        records = self.records
        count = len(records)
        self.priors = priors
        self.ids = np.fromiter((r.provider_id for r in records), np.int64, count)
        self.position = {pid: i for i, pid in enumerate(self.ids.tolist())}
        self.lat = np.fromiter((r.lat for r in records), np.float64, count)
        self.lon = np.fromiter((r.lon for r in records), np.float64, count)
        self.phi = np.radians(self.lat)
        self.cos_phi = np.cos(self.phi)
        self.radius_km = np.fromiter((r.radius_km for r in records), np.float64, count)
        self.max_radius_km = float(self.radius_km.max()) if count else 0.0
        self.band_degrees = _band_degrees(self.lat, self.max_radius_km + BORDER_KM)
        self.active = np.fromiter((r.is_active for r in records), bool, count)
        capacity = np.fromiter((r.capacity for r in records), np.int64, count)
        live = np.fromiter((r.live_matches for r in records), np.int64, count)
        self.has_place = live < capacity
        self.kinds = {
            kind: np.fromiter((r.kind == kind for r in records), bool, count)
            for kind in {r.kind for r in records}
        }
        # One pass over the records for every language and check (a pass per language or
        # check kind walked 18,000 records a dozen times).
        self.speaks: dict[str, np.ndarray] = {}
        self.check_expiry: dict[str, np.ndarray] = {}
        for i, r in enumerate(records):
            for code in r.languages:
                if code not in self.speaks:
                    self.speaks[code] = np.zeros(count, bool)
                self.speaks[code][i] = True
            for kind, expires in r.checks.items():
                if kind not in self.check_expiry:
                    self.check_expiry[kind] = np.full(count, _MISSING, np.int64)
                self.check_expiry[kind][i] = _NEVER if expires is None else expires.toordinal()
        categories = {c for pid in skills for c in skills[pid]}
        self.skilled = {c: np.zeros(count, bool) for c in categories}
        for pid, served in skills.items():
            i = self.position.get(pid)
            if i is not None:
                for c in served:
                    self.skilled[c][i] = True
        # Availability, each provider's windows merged per weekday (the union is all that
        # counts), in provider order: weekday -> (ptr, starts, ends), provider i's windows being
        # starts[ptr[i]:ptr[i + 1]].
        rows = [(i, *slot) for i, r in enumerate(records) for slot in r.availability]
        windows = np.array(rows, np.int64).reshape(-1, 4)
        self.availability = {
            weekday: _merged_windows(windows[windows[:, 1] == weekday], count)
            for weekday in range(7)
        }
        # Dates away as rows (provider position, first day, last day as ordinals): few
        # providers have any, so a need checks the rows rather than every provider.
        away = [
            (i, first.toordinal(), last.toordinal())
            for i, r in enumerate(records)
            for first, last in r.away
        ]
        self.away_position = np.array([row[0] for row in away], np.int64)
        self.away_first = np.array([row[1] for row in away], np.int64)
        self.away_last = np.array([row[2] for row in away], np.int64)
        self._static = self._static_components(records, capacity, live, priors)
        self._category_cache: dict = {}
        # Needs ask the same few windows and first days again and again (231 windows for a
        # 5,000-need city's 6,912 slots): what each provider offers of one, or whether they
        # are away on one, is worked out once for everyone, then read per need.
        self._window_cache: dict[tuple[int, int, int], np.ndarray] = {}
        self.window_cache_bytes = WINDOW_CACHE_BYTES
        self._away_cache: dict[int, np.ndarray] = {}
        self._scratch = np.zeros(count)  # all zero between calls of _values_at

    @staticmethod
    def _static_components(records, capacity, live, priors: Priors) -> dict[str, np.ndarray]:
        """The components that do not depend on the need, as `scoring._components` has them."""
        count = len(records)
        rating_sum = np.fromiter((r.rating_sum for r in records), np.float64, count)
        rating_count = np.fromiter((r.rating_count for r in records), np.float64, count)
        received = np.fromiter((r.offers_received for r in records), np.float64, count)
        accepted = np.fromiter((r.offers_accepted for r in records), np.float64, count)
        completed = np.fromiter((r.matches_completed for r in records), np.float64, count)
        recent = np.fromiter((r.recent_offers for r in records), np.float64, count)
        settled = np.maximum(received + accepted - live, 0)
        trust = (priors.trust_mean * priors.trust_weight + rating_sum) / (
            priors.trust_weight + rating_count
        )
        denominator = priors.reliability_weight + settled
        with np.errstate(divide="ignore", invalid="ignore"):
            reliability = np.where(
                denominator != 0,
                (priors.reliability_mean * priors.reliability_weight + accepted + completed)
                / denominator,
                priors.reliability_mean,
            )
            load = np.where(capacity > 0, (capacity - live) / capacity, 0.0)
        return {
            "trust": np.clip((trust - 1.0) / 4.0, 0.0, 1.0),
            "reliability": np.clip(reliability, 0.0, 1.0),
            "load": np.clip(load, 0.0, 1.0),
            "fairness": priors.fairness_half / (priors.fairness_half + np.maximum(0, recent)),
        }

    def _served(self, category, allowed_kinds: frozenset, required_checks: frozenset):
        """Who may serve the category at all, by band of longitude (`band_degrees` wide; one
        band if None): band -> (positions in latitude order, their latitude, longitude and
        the earliest expiry of the category's required checks). A need's box then reads one
        or two bands' latitude slices, not every town at its latitude across a county."""
        key = (category, allowed_kinds, required_checks)
        cached = self._category_cache.get(key)
        if cached is None:
            count = len(self.records)
            mask = self.active & self.skilled.get(category, np.zeros(count, bool))
            kinds = np.zeros(count, bool)
            for kind in allowed_kinds:
                kinds |= self.kinds.get(kind, False)
            mask &= kinds
            expiry = np.full(count, _NEVER, np.int64)
            for kind in required_checks:
                expiry = np.minimum(expiry, self.check_expiry.get(kind, _MISSING))
            mask &= expiry != _MISSING
            positions = np.flatnonzero(mask)
            if self.band_degrees is None:
                band_of = np.zeros(len(positions), np.int64)
            else:
                band_of = np.floor(self.lon[positions] / self.band_degrees).astype(np.int64)
            cached = self._category_cache[key] = {}
            for band in np.unique(band_of).tolist():
                mine = positions[band_of == band]  # still in latitude order
                cached[band] = (mine, self.lat[mine], self.lon[mine], expiry[mine])
        return cached

    def _in_box(self, bands, box, on_date) -> np.ndarray:
        """Positions of the providers in `bands` inside the box (min_lat, max_lat, min_lon,
        max_lon) whose checks are valid on `on_date`."""
        min_lat, max_lat, min_lon, max_lon = box
        if self.band_degrees is None:
            keys = list(bands)
        else:
            first = math.floor(min_lon / self.band_degrees)
            last = math.floor(max_lon / self.band_degrees)
            if last - first < len(bands):
                keys = [band for band in range(first, last + 1) if band in bands]
            else:
                keys = [band for band in bands if first <= band <= last]
        day = on_date.toordinal()
        found = []
        for band in keys:
            positions, lats, lons, expiry = bands[band]
            lo = int(np.searchsorted(lats, min_lat, side="left"))
            hi = int(np.searchsorted(lats, max_lat, side="right"))
            lon = lons[lo:hi]
            mask = (lon >= min_lon) & (lon <= max_lon) & (expiry[lo:hi] >= day)
            found.append(positions[lo:hi][mask])
        if len(found) == 1:
            return found[0]
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def _covered(self, idx: np.ndarray, days: dict) -> np.ndarray:
        """Minutes of the need's merged slots each provider in `idx` is free for."""
        if (len(self._window_cache) + 1) * 2 * len(self.records) <= self.window_cache_bytes:
            covered = np.zeros(len(idx))
            for weekday, windows in days.items():
                for start, end in windows:
                    covered += self._window_minutes(weekday, start, end)[idx]
            return covered
        return self._covered_apart(idx, days)

    def _window_minutes(self, weekday: int, start: int, end: int) -> np.ndarray:
        """Minutes of [start, end) on `weekday` each provider is free for (every provider,
        in position order; int16: a window never exceeds a day's 1,440 minutes). Whole
        minutes, so adding them up gives exactly `_covered_apart`'s float sums."""
        key = (weekday, start, end)
        minutes = self._window_cache.get(key)
        if minutes is None:
            everyone = np.arange(len(self.records))
            minutes = self._covered_apart(everyone, {weekday: [(start, end)]}).astype(np.int16)
            self._window_cache[key] = minutes
        return minutes

    def _covered_apart(self, idx: np.ndarray, days: dict) -> np.ndarray:
        """`_covered` for `idx` alone, once the cache of windows is full."""
        covered = np.zeros(len(idx))
        for weekday, windows in days.items():
            ptr, starts, ends = self.availability[weekday]
            first = ptr[idx]
            counts = ptr[idx + 1] - first
            total = int(counts.sum())
            if not total:
                continue
            owner = np.repeat(np.arange(len(idx)), counts)
            rows = np.arange(total) + np.repeat(first - (np.cumsum(counts) - counts), counts)
            own_starts, own_ends = starts[rows], ends[rows]
            for start, end in windows:
                # Both sides are merged per weekday, so no minute counts twice; whole minutes
                # add up exactly in float64.
                overlap = np.minimum(own_ends, end) - np.maximum(own_starts, start)
                np.maximum(overlap, 0, out=overlap)
                covered += np.bincount(owner, overlap, minlength=len(idx))
        return covered

    def record(
        self,
        provider_id: int,
        *,
        completed: Mapping[int, int],
        declined: Collection[int],
        blocked: Collection[int],
    ) -> CandidateFacts:
        """The engine's record of one provider for one need."""
        base = self.records[self.position[provider_id]]
        changes = {}
        if completed.get(provider_id):
            changes["completed_with_resident"] = completed[provider_id]
        if provider_id in declined:
            changes["declined_this_need"] = True
        if provider_id in blocked:
            changes["blocked"] = True
        return base._replace(**changes) if changes else base

    def top(
        self,
        need: NeedFacts,
        category,
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        limit: int,
        completed: Mapping[int, int] | None = None,
        declined: Collection[int] = (),
        blocked: Collection[int] = (),
    ) -> Ranking:
        """`scoring.rank(need, records, weights, limit=limit)`, without screening them all.

        `records` here are those of the providers with `category` among their skills, with
        the per-need fields set from the arguments.

        `category` is the need's key in `skills`; `completed` maps provider id -> completed
        matches with the need's resident, `declined` and `blocked` are provider ids (the
        per-need fields of the records). `ranked` is exactly the engine's; `excluded` lists
        only the providers the engine screened (those passing the vectorised filters up to
        availability when nobody is ranked, so a need whose candidates are all full says so).

        Why it is exact: let P be those the engine passes and E(x) its score, N(x) the
        vectorised one, |E - N| <= eps. C, the providers that pass with no distance near a
        limit, is a subset of P. For x in the engine's top `limit`, E(x) >= E_k(P), the k-th
        best of P, which is at least E_k(C) >= N_k(C) - eps; so N(x) >= N_k(C) - 2 eps, and
        every such x is kept (MARGIN >> 2 eps). Those near a limit are always kept.
        """
        if limit < 1:
            raise ValueError("limit must be 1 or more.")
        scoring._weight_shares(weights)  # validates them, once per set of weights
        completed = completed or {}
        idx, distance, fit, within, border, passes, screened = self._screened(
            need, category, completed=completed, declined=declined, blocked=blocked
        )
        certain = passes & within & ~border
        chosen = border.copy()
        if certain.any():
            score = self._scores(need, weights, idx, distance, fit, completed)
            if certain.sum() > limit:
                kth = np.partition(score[certain], -limit)[-limit]
                chosen |= certain & (score >= kth - MARGIN)
            else:
                chosen |= certain
        kw = {"completed": completed, "declined": declined, "blocked": blocked}
        selected = np.sort(self.ids[idx[chosen]])
        ranking = scoring.rank(
            need, [self.record(pid, **kw) for pid in selected.tolist()], weights, limit=limit
        )
        if not ranking.ranked and len(screened):
            # Nobody passes: let the engine say why for everyone who came this far.
            ranking = scoring.rank(
                need,
                [self.record(pid, **kw) for pid in np.sort(self.ids[screened]).tolist()],
                weights,
                limit=limit,
            )
        return ranking

    def top_scores(
        self,
        need: NeedFacts,
        category,
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        limit: int,
        completed: Mapping[int, int] | None = None,
        declined: Collection[int] = (),
        blocked: Collection[int] = (),
    ) -> list[tuple[int, float]] | None:
        """`top`'s ranked providers and scores, [(provider id, score)] best first, without the
        engine; None where only the engine can tell (then call `top`).

        The same providers in the same order as `top` (and `scoring.rank`), each score within
        about 1e-15 of the engine's: None whenever a provider is within BORDER_KM of a
        distance limit (the engine decides those), nobody passes (the engine says why), or
        two scores among the first `limit` + 1 are within MARGIN of each other (their order,
        or who makes the cut, could differ by the vectorised error). Otherwise every gap
        between neighbours exceeds 2 eps, so the engine orders them as NumPy does.
        tests/matchmaking/test_scoring_batch.py compares it with `scoring.rank` (hypothesis).
        A batch allocation builds its graph from this and asks the engine only for the
        explanations of the edges it assigns.
        """
        if limit < 1:
            raise ValueError("limit must be 1 or more.")
        scoring._weight_shares(weights)  # validates them, once per set of weights
        completed = completed or {}
        idx, distance, fit, within, border, passes, _ = self._screened(
            need,
            category,
            completed=completed,
            declined=declined,
            blocked=blocked,
            passing_only=True,
        )
        # Only the providers passing every other filter are left: a border case among them
        # is the engine's to decide (one failing another filter would be excluded anyway).
        if border.any():
            return None
        certain = passes & within
        if not certain.any():
            return None
        idx, distance, fit = idx[certain], distance[certain], fit[certain]
        ids = self.ids[idx]
        score = self._scores(need, weights, idx, distance, fit, completed)
        # Best first, equal scores by provider id: scoring.rank's order.
        order = np.lexsort((ids, -score))[: limit + 1]
        head = score[order]
        if len(head) > 1 and np.any(head[:-1] - head[1:] <= MARGIN):
            return None
        order = order[:limit]
        return list(zip(ids[order].tolist(), score[order].tolist(), strict=True))

    def _screened(
        self, need: NeedFacts, category, *, completed, declined, blocked, passing_only=False
    ):
        """The providers past the vectorised hard filters, as positions, with their distance,
        availability fit, whether they are within their limits (`within`), near a limit
        (`border`) and pass the rest (`passes`); `screened`: those past the filters up to
        availability (or near a distance limit). With `passing_only`, those failing the rest
        are dropped first (cheaper: fewer distances and availabilities to work out), so
        `screened` holds only passing providers and `passes` is all true."""
        bands = self._served(category, need.allowed_kinds, need.required_checks)
        reach = self.max_radius_km
        if need.max_distance_km is not None:
            reach = min(reach, need.max_distance_km)
        box = scoring.bounding_box(need.lat, need.lon, max(reach, 0.0) + BORDER_KM)
        min_lat, max_lat, min_lon, max_lon = box
        idx = self._in_box(bands, box, need.on_date)
        if passing_only:
            idx = idx[self._passing(idx, need, declined, blocked)]

        # A flat-earth distance first, cheap and never more than the true one (east-west
        # degrees scaled where they are shortest in the box), with FLAT_SLACK to spare: only
        # those it cannot rule out get the great-circle distance.
        km_lat = EARTH_RADIUS_KM * math.pi / 180
        if min_lon <= -180 and max_lon >= 180:
            km_lon = 0.0
        else:
            km_lon = km_lat * math.cos(math.radians(max(abs(min_lat), abs(max_lat))))
        limit_km = self.radius_km[idx]
        if need.max_distance_km is not None:
            limit_km = np.minimum(limit_km, need.max_distance_km)
        limit_km = limit_km * FLAT_SLACK + BORDER_KM
        north = (self.lat[idx] - need.lat) * km_lat
        east = (self.lon[idx] - need.lon) * km_lon
        idx = idx[north * north + east * east <= limit_km * limit_km]

        # Who is free at the times needed, before the great-circle distance: about one in
        # seven of those the flat-earth distance keeps, so the trigonometry below works on
        # them alone. Filters commute, so the providers left are the same in either order.
        days = _merged_days(need.slots)
        total_minutes = sum(e - s for windows in days.values() for s, e in windows)
        if total_minutes:
            minutes = self._covered(idx, days)
            free = minutes > 0
            idx = idx[free]
            fit = minutes[free] / total_minutes
        else:
            fit = np.ones(len(idx))

        # Distance as rank() computes it.
        phi1 = math.radians(need.lat)
        a = (
            np.sin((self.phi[idx] - phi1) / 2) ** 2
            + math.cos(phi1)
            * self.cos_phi[idx]
            * np.sin(np.radians(self.lon[idx] - need.lon) / 2) ** 2
        )
        distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
        radius = self.radius_km[idx]
        within = distance <= radius
        border = np.abs(distance - radius) <= BORDER_KM
        if need.max_distance_km is not None:
            within &= distance <= need.max_distance_km
            border |= np.abs(distance - need.max_distance_km) <= BORDER_KM
        keep = within | border
        idx, distance, within, border = idx[keep], distance[keep], within[keep], border[keep]
        fit = fit[keep]
        screened = idx  # passed every filter up to availability (or near a distance limit)

        if passing_only:
            passes = np.ones(len(idx), bool)
        else:
            passes = self._passing(idx, need, declined, blocked)
        return idx, distance, fit, within, border, passes, screened

    def _passing(self, idx: np.ndarray, need: NeedFacts, declined, blocked) -> np.ndarray:
        """Which providers in `idx` pass the filters that do not depend on distance or
        availability: a free place, not away on the first day, not declined or blocked, and
        the need's required language."""
        passes = self.has_place[idx]
        if len(self.away_position):
            away = self._away_on((need.first_day or need.on_date).toordinal())
            if away is not None:
                passes &= ~away[idx]
        for providers in (declined, blocked):
            if len(providers):
                passes &= ~self._among(idx, providers)
        if need.language:
            passes &= self.speaks.get(need.language, np.zeros(len(self.records), bool))[idx]
        return passes

    def _among(self, idx: np.ndarray, provider_ids: Collection[int]) -> np.ndarray:
        """Whether each provider in `idx` is one of `provider_ids` (a need's few declines or
        blocks: marked by position in a scratch array, not matched by np.isin's sort)."""
        return self._values_at(idx, dict.fromkeys(provider_ids, 1.0)) > 0

    def _values_at(self, idx: np.ndarray, by_provider: Mapping[int, float]) -> np.ndarray:
        """by_provider's value for each provider in `idx` (0.0 for those without one)."""
        known = {
            self.position[pid]: value for pid, value in by_provider.items() if pid in self.position
        }
        if not known:
            return np.zeros(len(idx))
        positions = list(known)
        scratch = self._scratch
        scratch[positions] = list(known.values())
        values = scratch[idx]
        scratch[positions] = 0.0
        return values

    def _away_on(self, day: int) -> np.ndarray | None:
        """Whether each provider is away on the day (an ordinal), or None if nobody is."""
        if day not in self._away_cache:
            rows = (self.away_first <= day) & (day <= self.away_last)
            away = None
            if rows.any():
                away = np.zeros(len(self.records), bool)
                away[self.away_position[rows]] = True
            self._away_cache[day] = away
        return self._away_cache[day]

    def _scores(self, need, weights, idx, distance, fit, completed) -> np.ndarray:
        """The weighted mean of the eight components, as `scoring.rank` computes it."""
        priors = self.priors
        w = dict(zip(COMPONENTS, scoring._weight_shares(weights)[1], strict=True))
        half = priors.proximity_half_km
        continuity = np.zeros(len(idx))
        if completed:
            counts = self._values_at(idx, completed)
            continuity = np.clip(counts / priors.continuity_full, 0.0, 1.0)
        if need.preferred_language:
            language = self.speaks.get(need.preferred_language, np.zeros(len(self.records), bool))[
                idx
            ].astype(np.float64)
        else:
            language = np.ones(len(idx))
        static = self._static
        score = (
            w["proximity"] * (half / (half + np.maximum(distance, 0.0)))
            + w["trust"] * static["trust"][idx]
            + w["reliability"] * static["reliability"][idx]
            + w["availability"] * fit
            + w["continuity"] * continuity
            + w["language"] * language
            + w["load"] * static["load"][idx]
            + w["fairness"] * static["fairness"][idx]
        )
        return np.clip(score, 0.0, 1.0)


def _merged_windows(rows: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One weekday's windows (rows of position, weekday, start, end) merged per provider as
    `scoring._merge` merges them, as (ptr, starts, ends): provider i's windows are
    starts[ptr[i]:ptr[i + 1]], by start."""
    position, start, end = rows[:, 0], rows[:, 2], rows[:, 3]
    order = np.lexsort((end, start, position))
    position, start, end = position[order], start[order], end[order]
    # The latest end so far within each provider (positions are sorted, and lifting each
    # provider above the one before keeps a running maximum from crossing between them).
    lift = position * (2 * scoring.MINUTES_PER_DAY)
    reach = np.maximum.accumulate(end + lift) - lift
    first = np.ones(len(position), bool)
    first[1:] = (position[1:] != position[:-1]) | (start[1:] > reach[:-1])
    last = np.ones(len(position), bool)
    last[:-1] = first[1:]
    counts = np.bincount(position[first], minlength=count)
    ptr = np.concatenate(([0], np.cumsum(counts)))
    return ptr, start[first], reach[last]


def _band_degrees(lats: np.ndarray, reach_km: float) -> float | None:
    """Width in degrees of longitude of `_served`'s bands: the widest box of `reach_km`
    around any of `lats`, so a box touches at most two bands. None (one band) where a box
    could span every longitude."""
    if not len(lats):
        return None
    widest = scoring.bounding_box(float(np.abs(lats).max()), 0.0, reach_km)
    width = widest[3] - widest[2]
    return None if width >= 180 or width <= 0 else width
