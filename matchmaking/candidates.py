"""From a need in the database to the records the scoring engine ranks.

`need_facts` describes the need, `candidate_facts` the providers who could serve it, and
`rank_need` runs both through `scoring.rank`. The number of queries does not grow with the
city: at most three, fewer when the caller fetched the need's relations. All are written as
SQL (table names from each model's _meta): building them through the ORM took longer than
running them.

1. the need's category, programme and weekly slots (none if the category and programme are
   cached on the need and a weekly need's slots prefetched);
2. the providers, looked up from the windows free at the need's slots (the availability_slot
   index) and from the small box round the need, filtered before a provider's windows are
   grouped, with their windows overlapping a slot, live matches, recent offers, dates away
   covering the day help would start and the expiry of each required check (correlated
   subqueries). With the provider index (matchmaking.provider_index, on by default), the
   same providers are found in memory by the same tests, and this is two small queries
   instead: the index's stamp, then what changes with every offer (ratings, offers, visits,
   live matches, recent offers) of those found;
3. the resident's history: completed matches with each provider, who already turned this
   need down, and whom the resident or requester blocked (read from the resident's side: a
   handful of rows; not read when no provider came back).

Which hard filters run in SQL and which in the engine is a deliberate split, because a
provider that SQL drops never appears in `Ranking.excluded` and staff cannot see why:

- SQL always drops those outside the search box (`bounding_box` on the indexed latitude and
  longitude, `search_radius_km`), not active, of a kind the category does not allow, or
  without the category among their skills.
- Beyond NEARBY_KM of the need, SQL also drops whoever is further than their own travel
  radius or the programme's maximum, or has no availability overlapping the need's slots.
  These two rule out most of a city: leaving them to the engine made ranking about four
  times slower (`manage.py bench scoring --providers 20000` on SQLite measured a median of
  29 ms a need with them in SQL on a quiet machine, before rank_need became one statement).
  Within NEARBY_KM everyone reaches the engine, so staff still see why
  someone round the corner was passed over.
- The engine (`scoring.exclusion`) decides everything else, with a reason staff can read:
  missing or expired checks, exact distances, availability, dates away, capacity, an earlier
  decline, a block, a required language.

Every SQL test is implied by the engine's own, so SQL never drops a provider the engine would
rank: the ranking is the same as screening every provider in the city (tests compare it with
`matchmaking.bench.naive`). Reads are narrowed the same way: only the required kinds of
verified check, and only the availability windows that overlap a slot (the others add nothing
to the availability fit).
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import operator
from collections import Counter
from dataclasses import fields as dataclass_fields
from typing import NamedTuple

import numpy as np
from django.db import connections
from django.db.models import CharField, Count, F, Q
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.constants import CheckStatus, ProviderStatus
from accounts.models import Availability, Check, ProviderProfile, TimeAway
from matchmaking import provider_index, scoring, scoring_batch
from matchmaking.constants import CAPACITY_STATUSES, MatchStatus
from matchmaking.models import Block, Match
from services.constants import Schedule
from services.models import Category, Need, NeedSlot, Programme

# Offers a provider received in this window count against them in the fairness component.
FAIRNESS_WINDOW = datetime.timedelta(days=7)
# A need outside any programme still has a limit: about a half-hour drive across town.
DEFAULT_MAX_DISTANCE_KM = 15.0
# The furthest a provider may offer to travel (ProviderProfile.travel_radius_km's validator
# and check constraint): nobody beyond it can pass their own radius filter.
MAX_TRAVEL_RADIUS_KM = 50.0
# Whatever a programme says, the search box never grows beyond this: a wider box reads rows
# that no filter can keep.
SEARCH_RADIUS_CAP_KM = 50.0
# Providers this close to the need always reach the engine, whatever SQL could rule out, so
# staff see why someone round the corner was not chosen.
NEARBY_KM = 1.0
# The flat-earth distance in SQL underestimates by far less than this share at city scale.
REACH_SLACK = 1.01
# Matches with these outcomes keep the provider away from the same need.
DECLINED_STATUSES = (MatchStatus.DECLINED, MatchStatus.EXPIRED)
# Stands in for "verified, never expires" in the check annotations, where NULL means "missing".
_NEVER = datetime.date(9999, 12, 31)

_WEIGHT_NAMES = frozenset(field.name for field in dataclass_fields(scoring.Weights))


# --- The need -----------------------------------------------------------------------------------


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def _category_and_programme(need: Need):
    """The need's category and programme, in one query at most."""
    if Need.category.is_cached(need) and (
        need.programme_id is None or Need.programme.is_cached(need)
    ):
        return need.category, need.programme
    fresh = (
        Need.objects.select_related("category", "programme")
        .only("category", "programme")
        .get(pk=need.pk)
    )
    return fresh.category, fresh.programme


class _CategoryRow(NamedTuple):
    """What ranking reads of a need's category (the model's attribute names)."""

    pk: int
    allowed_kinds: list
    required_checks: list


class _ProgrammeRow(NamedTuple):
    """What ranking reads of a need's programme (the model's attribute names)."""

    max_distance_km: float | None
    weights: object


def _json(value):
    """A JSON column as a raw cursor returns it: text on SQLite (and with Django's psycopg
    loaders), already decoded elsewhere."""
    return json.loads(value) if isinstance(value, str) else value


def _need_parts(need: Need):
    """The need's category, programme and slots, in one query at most.

    None when the caller fetched them all (category, programme and, for a weekly need, its
    slots); otherwise (category, programme, slots) read with one statement, the category and
    programme as the few fields ranking reads. Written as SQL: the ORM's building of the two
    queries it replaces took longer than running them.
    """
    weekly = need.schedule != Schedule.ONE_OFF
    if (
        Need.category.is_cached(need)
        and (need.programme_id is None or Need.programme.is_cached(need))
        and (not weekly or "slots" in getattr(need, "_prefetched_objects_cache", {}))
    ):
        return None
    category = Category._meta.db_table
    programme = Programme._meta.db_table
    sql = (
        "SELECT 0, c.id, CAST(c.allowed_kinds AS TEXT), CAST(c.required_checks AS TEXT), "
        f"g.max_distance_km, CAST(g.weights AS TEXT) FROM {Need._meta.db_table} n "
        f"INNER JOIN {category} c ON c.id = n.category_id "
        f"LEFT OUTER JOIN {programme} g ON g.id = n.programme_id WHERE n.id = %s"
    )
    params = [need.pk]
    if weekly:
        sql += (
            " UNION ALL SELECT 1, s.weekday, CAST(s.starts_at AS TEXT), "
            f"CAST(s.ends_at AS TEXT), NULL, NULL FROM {NeedSlot._meta.db_table} s "
            "WHERE s.need_id = %s"
        )
        params.append(need.pk)
    with connections[Need.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    slots = []
    for row in rows:
        if row[0] == 0:
            category_row = _CategoryRow(row[1], _json(row[2]), _json(row[3]))
            programme_row = (
                _ProgrammeRow(row[4], _json(row[5])) if need.programme_id is not None else None
            )
        else:
            slots.append((row[1], _raw_minutes(row[2]), _raw_minutes(row[3])))
    if not rows:
        raise Need.DoesNotExist("Need matching query does not exist.")
    if not weekly:
        return category_row, programme_row, _slots(need)
    # The order NeedSlot's Meta gives (weekday, start), ends breaking ties.
    return category_row, programme_row, tuple(sorted(slots))


def _need_and_facts(need: Need, now):
    """(category, programme, the engine's NeedFacts) for ranking, in one query at most."""
    parts = _need_parts(need)
    if parts is None:
        category, programme = _category_and_programme(need)
        return category, programme, _need_facts(need, category, programme, now=now)
    category, programme, slots = parts
    return category, programme, _need_facts(need, category, programme, now=now, slots=slots)


def _slots(need: Need) -> tuple[scoring.Slot, ...]:
    if need.schedule == Schedule.ONE_OFF:
        return ((need.on_date.weekday(), _minutes(need.starts_at), _minutes(need.ends_at)),)
    return tuple(
        (slot.weekday, _minutes(slot.starts_at), _minutes(slot.ends_at))
        for slot in need.slots.all()
    )


def resident_key(need: Need) -> int:
    """The account that stands for the person helped: the resident's, else the requester's.

    Continuity compares needs by this key rather than by "resident or requester": a GP who
    refers many patients must not make every provider who helped one of them look familiar
    to all the others.
    """
    return need.resident_id if need.resident_id is not None else need.requested_by_id


def need_facts(need: Need, *, now: datetime.datetime | None = None) -> scoring.NeedFacts:
    """The engine's view of `need`.

    A one-off need is one slot on its date, and checks must be valid on that date; a weekly
    need is its NeedSlot rows, with checks valid today. A language marked as required is a hard
    filter; otherwise it is only a preference. The maximum distance is the programme's, or
    DEFAULT_MAX_DISTANCE_KM for a need outside any programme.
    """
    category, programme = _category_and_programme(need)
    return _need_facts(need, category, programme, now=now)


def first_weekly_day(slots, today: datetime.date) -> datetime.date:
    """The first day from `today` on which a weekly need's slots fall: when help would start,
    the day a provider must not be away (by date: a slot earlier today still counts today)."""
    weekdays = {weekday for weekday, _start, _end in slots}
    for offset in range(7):
        day = today + datetime.timedelta(days=offset)
        if day.weekday() in weekdays:
            return day
    return today


def _need_facts(need, category: Category, programme, *, now, slots=None) -> scoring.NeedFacts:
    if slots is None:
        slots = _slots(need)
    first_day = None
    if need.schedule == Schedule.ONE_OFF:
        on_date = need.on_date
    else:
        on_date = timezone.localdate(now or timezone.now())
        first_day = first_weekly_day(slots, on_date)
    required_language = need.language if need.language_required else ""
    return scoring.NeedFacts(
        need_id=need.pk,
        resident_id=resident_key(need),
        lat=need.latitude,
        lon=need.longitude,
        on_date=on_date,
        slots=slots,
        first_day=first_day,
        allowed_kinds=frozenset(category.allowed_kinds),
        required_checks=frozenset(category.required_checks),
        language=required_language,
        preferred_language="" if required_language else need.language,
        max_distance_km=(
            programme.max_distance_km if programme is not None else DEFAULT_MAX_DISTANCE_KM
        ),
    )


def search_radius_km(facts: scoring.NeedFacts) -> float:
    """Radius of the bounding box the provider query starts from."""
    limit = facts.max_distance_km if facts.max_distance_km is not None else DEFAULT_MAX_DISTANCE_KM
    return min(limit, MAX_TRAVEL_RADIUS_KM, SEARCH_RADIUS_CAP_KM)


def programme_weights(programme) -> scoring.Weights:
    """The programme's weights JSON over the engine's defaults (no programme: the defaults).

    Raises ValueError for an unknown component or a value that is not a number: a typo must
    not silently fall back to a default the commissioner did not choose.
    """
    overrides = programme.weights if programme is not None else None
    if not overrides:
        return scoring.DEFAULT_WEIGHTS
    if not isinstance(overrides, dict):
        raise ValueError("Scoring weights must be a mapping of component to weight.")
    values = scoring.DEFAULT_WEIGHTS.as_dict()
    for name, value in overrides.items():
        if name not in _WEIGHT_NAMES:
            raise ValueError(f"Unknown scoring weight {name!r}.")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"The {name} weight must be a number, not {value!r}.")
        values[name] = float(value)
    weights = scoring.Weights(**values)
    scoring.validate_weights(weights)
    return weights


# --- The candidates -----------------------------------------------------------------------------


_COLUMNS = (
    "pk",
    # kind, latitude, longitude, travel_radius_km, capacity, languages (status is filtered on)
    *provider_index.STATIC_COLUMNS[1:],
    "rating_sum",
    "rating_count",
    "offers_received",
    "offers_accepted",
    "matches_completed",
    "live_matches",
    "recent_offers",
)


# Visits kept and missed fold into reliability's counts (scoring keeps one formula and its
# prior): offers_received and matches_completed as the engine reads them.
_VISITS_FOLDED = {
    "steps_offered": F("offers_received") + F("visits_kept") + F("visits_missed"),
    "steps_kept": F("matches_completed") + F("visits_kept"),
}


class _Search(NamedTuple):
    """Where query 2 (or the provider index, the same tests) looks for a need's providers."""

    box: tuple[float, float, float, float]  # min_lat, max_lat, min_lon, max_lon
    # The part of the small box round the need (NEARBY_KM) inside the search box.
    near_box: tuple[float, float, float, float]
    km_lat: float  # km a degree of latitude
    km_lon: float  # km a degree of longitude, at most the true figure anywhere in the box
    reach_km: float  # the programme's maximum, with REACH_SLACK


def _search(facts: scoring.NeedFacts) -> _Search:
    box = scoring.bounding_box(facts.lat, facts.lon, search_radius_km(facts))
    min_lat, max_lat, min_lon, max_lon = box
    km_lat = scoring.EARTH_RADIUS_KM * math.pi / 180
    if min_lon <= -180 and max_lon >= 180:
        # The box spans every longitude (near a pole or across the antimeridian), where a
        # longitude difference says nothing about distance: count north-south only.
        km_lon = 0.0
    else:
        # East-west degrees scaled at the box latitude furthest from the equator, where they
        # are shortest, so the flat-earth distance is at most the true one: SQL can only err
        # on the side of keeping a provider. Plain arithmetic: SQLite has no trigonometry.
        km_lon = km_lat * math.cos(math.radians(max(abs(min_lat), abs(max_lat))))
    near = scoring.bounding_box(facts.lat, facts.lon, NEARBY_KM)
    # As one range a coordinate: given two ranges on the indexed latitude, SQLite may search
    # by the wider one.
    near_box = (
        max(near[0], min_lat),
        min(near[1], max_lat),
        max(near[2], min_lon),
        min(near[3], max_lon),
    )
    return _Search(box, near_box, km_lat, km_lon, facts.max_distance_km * REACH_SLACK)


def _changing_columns(now, connection) -> tuple[list[str], list]:
    """What query 2 reads of each provider that changes with every offer, as SQL on `p`:
    ratings, offers and visits (the provider index keeps none of it), live matches and offers
    in the fairness window. (select expressions, params)."""
    ops = connection.ops
    statuses = list(CAPACITY_STATUSES)
    match = Match._meta.db_table
    select = [
        # Reliability's steps: each visit kept or missed is one more settled step, and each
        # visit kept one more step kept (_VISITS_FOLDED says the same for the batch).
        "p.rating_sum, p.rating_count, p.offers_received + p.visits_kept + p.visits_missed, "
        "p.offers_accepted, p.matches_completed + p.visits_kept",
        f"(SELECT COUNT(*) FROM {match} m WHERE m.provider_id = p.id "
        f"AND m.status IN ({', '.join(['%s'] * len(statuses))}))",
        f"(SELECT COUNT(*) FROM {match} m WHERE m.provider_id = p.id "
        "AND m.offered_at > %s AND m.offered_at <= %s)",
    ]
    params = [
        *statuses,
        ops.adapt_datetimefield_value(now - FAIRNESS_WINDOW),
        ops.adapt_datetimefield_value(now),
    ]
    return select, params


def _provider_query(facts: scoring.NeedFacts, category_id: int, now, connection):
    """Query 2 as (sql, params): the providers with what the engine needs of each.

    Written as SQL rather than through the ORM, whose building of this query (correlated
    subqueries, expressions) took longer than SQLite took to run it. Columns: those of
    _COLUMNS, then each provider's windows overlapping a slot as one string
    ("weekday,start,end;...", NULL when the need has no slots), their dates away covering the
    day help would start ("first,last;..."), then one expiry per required check (NULL = none
    verified; _NEVER = never expires).
    """
    ops = connection.ops
    provider = ProviderProfile._meta.db_table
    check = Check._meta.db_table
    availability = Availability._meta.db_table
    search = _search(facts)
    min_lat, max_lat, min_lon, max_lon = search.box
    km_lat, km_lon = search.km_lat, search.km_lon

    def marks(values) -> str:
        return ", ".join(["%s"] * len(values))

    def time(minute: int):
        return ops.adapt_timefield_value(datetime.time(minute // 60, minute % 60))

    # Squared flat-earth distance in km².
    distance = (
        "(((p.latitude - %s) * %s) * ((p.latitude - %s) * %s)"
        " + ((p.longitude - %s) * %s) * ((p.longitude - %s) * %s))"
    )
    distance_params = [facts.lat, km_lat, facts.lat, km_lat, facts.lon, km_lon, facts.lon, km_lon]
    overlap_sql, overlap_params = [], []
    for weekday, start, end in facts.slots:
        overlap_sql.append(
            "(a.weekday = %s AND a.ends_at > %s"
            + (" AND a.starts_at < %s)" if end < scoring.MINUTES_PER_DAY else ")")
        )
        overlap_params += [weekday, time(start)]
        if end < scoring.MINUTES_PER_DAY:
            overlap_params.append(time(end))
    overlap = " OR ".join(overlap_sql)
    required = sorted(facts.required_checks)
    kinds = sorted(facts.allowed_kinds)

    changing, params = _changing_columns(now, connection)
    select = [
        "p.id, p.kind, p.latitude, p.longitude, p.travel_radius_km, p.capacity, p.languages",
        *changing,
    ]
    if connection.vendor == "sqlite":
        aggregate, greatest, least = "GROUP_CONCAT", "MAX", "MIN"
    else:
        aggregate, greatest, least = "STRING_AGG", "GREATEST", "LEAST"
    # Each provider's windows overlapping a slot: read with who is free (below).
    select.append("d.windows" if facts.slots else "NULL")
    # The provider's dates away that cover the day help would start ("first,last;...").
    select.append(
        f"(SELECT {aggregate}(CAST(t.starts_on AS TEXT) || ',' || CAST(t.ends_on AS TEXT), ';')"
        f" FROM {TimeAway._meta.db_table} t WHERE t.provider_id = p.id"
        " AND t.starts_on <= %s AND t.ends_on >= %s)"
    )
    first_day = ops.adapt_datefield_value(facts.first_day or facts.on_date)
    params += [first_day, first_day]
    for kind in required:
        select.append(
            f"(SELECT COALESCE(c.expires_at, %s) FROM {check} c "
            "WHERE c.provider_id = p.id AND c.status = %s AND c.kind = %s)"
        )
        params += [ops.adapt_datefield_value(_NEVER), CheckStatus.VERIFIED, kind]

    # Beyond NEARBY_KM, SQL also drops whoever the engine would rule out as too far or not
    # free at the times needed: the two filters that rule out most of a city. Each test is
    # implied by the engine's own (REACH_SLACK, the flat-earth distance, windows overlapping
    # a slot by part of a minute or more), so SQL never drops someone the engine would rank.
    active_in_box = (
        "p.status = %s AND p.latitude BETWEEN %s AND %s AND p.longitude BETWEEN %s AND %s"
    )
    kind_allowed = f"p.kind IN ({marks(kinds)})"
    skills = Category.providers.through._meta.db_table

    def has_skill(provider_id: str) -> str:
        return (
            f"EXISTS(SELECT 1 FROM {skills} s "
            f"WHERE s.providerprofile_id = {provider_id} AND s.category_id = %s)"
        )

    in_reach = [
        active_in_box,
        kind_allowed,
        # Within NEARBY_KM, or within both the provider's radius and the programme's reach:
        # one comparison, so the distance is worked out once a row.
        f"{distance} <= {greatest}(%s, {least}(p.travel_radius_km * %s * p.travel_radius_km * %s,"
        " %s))",
    ]
    reach_km = search.reach_km
    in_reach_params = [ProviderStatus.ACTIVE, min_lat, max_lat, min_lon, max_lon, *kinds]
    in_reach_params += [*distance_params, NEARBY_KM**2, REACH_SLACK, REACH_SLACK, reach_km**2]
    if not facts.slots:
        sql = (
            f"SELECT {', '.join(select)} FROM {provider} p "
            f"WHERE {' AND '.join(in_reach)} AND {has_skill('p.id')}"
        )
        return sql, [*params, *in_reach_params, category_id]
    # Whoever is free at the times needed and passes the filters above, one row per window
    # overlapping a slot (read from availability_slot, the index on weekday and times: a few
    # thousand windows at 20,000 providers rather than the whole search box; CROSS JOIN keeps
    # SQLite from reordering the two), and whoever lives round the corner (within NEARBY_KM,
    # flat-earth) from the small box around the need, free or not. Grouped by provider only
    # then, so the windows of the few thousand free providers out of reach are never joined
    # into strings; the profile is read again for the few hundred left. Skills are checked
    # on the window, before the profile is read: the narrow index on category and provider
    # is cheaper to search than the profiles' table, and about half of the free windows
    # belong to someone without the skill.
    near_box = list(search.near_box)
    nearby = [active_in_box, kind_allowed, f"{distance} <= %s", has_skill("p.id")]
    nearby_params = [ProviderStatus.ACTIVE, *near_box, *kinds, *distance_params, NEARBY_KM**2]
    nearby_params.append(category_id)
    window = (
        "CAST(a.weekday AS TEXT) || ',' || CAST(a.starts_at AS TEXT) || ',' "
        "|| CAST(a.ends_at AS TEXT)"
    )
    sql = (
        f"SELECT {', '.join(select)} FROM ("
        f"SELECT f.id, {aggregate}(f.span, ';') AS windows FROM ("
        f"SELECT p.id AS id, {window} AS span FROM {availability} a CROSS JOIN {provider} p "
        f"WHERE ({overlap}) AND {has_skill('a.provider_id')} AND p.id = a.provider_id "
        f"AND {' AND '.join(in_reach)} "
        f"UNION ALL SELECT p.id, NULL FROM {provider} p WHERE {' AND '.join(nearby)}"
        f") f GROUP BY f.id) d CROSS JOIN {provider} p WHERE p.id = d.id"
    )
    free_params = [*overlap_params, category_id, *in_reach_params]
    return sql, [*params, *free_params, *nearby_params]


@functools.lru_cache(maxsize=4096)
def _windows(text: str | None) -> tuple[scoring.Slot, ...]:
    """The windows column of query 2 as engine slots (many providers share the same)."""
    if not text:
        return ()
    slots = []
    for window in text.split(";"):
        weekday, start, end = window.split(",")
        slots.append((int(weekday), _raw_minutes(start), _raw_minutes(end)))
    return tuple(slots)


def _away(text: str | None) -> tuple[tuple[datetime.date, datetime.date], ...]:
    """The dates-away column of query 2 as (first, last) pairs."""
    if not text:
        return ()
    return tuple(
        (datetime.date.fromisoformat(first[:10]), datetime.date.fromisoformat(last[:10]))
        for first, last in (period.split(",") for period in text.split(";"))
    )


@functools.lru_cache(maxsize=256)
def _languages(value) -> frozenset[str]:
    """A languages column as the driver returns it (JSON text); most providers share a few."""
    return frozenset(json.loads(value) if isinstance(value, str) else value or ())


def _history(need, resident: int, connection) -> tuple[Counter, set[int], set[int]]:
    """Query 3: completed matches with the resident per provider; who turned this need down;
    who is blocked from the need's resident or requester.

    Read from the resident's side (a handful of rows, through the needs' resident and
    requester indexes, and the blocks' resident index) rather than per candidate. The need is
    one of the resident's, so its declined and expired matches are among the rows.
    """
    statuses = (MatchStatus.COMPLETED, *DECLINED_STATUSES)
    sql = (
        f"SELECT m.provider_id, m.need_id, m.status FROM {Match._meta.db_table} m "
        f"INNER JOIN {Need._meta.db_table} n ON n.id = m.need_id "
        "WHERE (n.resident_id = %s OR (n.resident_id IS NULL AND n.requested_by_id = %s)) "
        f"AND m.status IN ({', '.join(['%s'] * len(statuses))})"
    )
    params = [resident, resident, *statuses]
    people = sorted({need.resident_id, need.requested_by_id} - {None})
    if people:
        # A block's status is NULL: no match has one.
        sql += (
            f" UNION ALL SELECT b.provider_id, NULL, NULL FROM {Block._meta.db_table} b "
            f"WHERE b.resident_id IN ({', '.join(['%s'] * len(people))})"
        )
        params += people
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    completed: Counter = Counter()
    declined: set[int] = set()
    blocked: set[int] = set()
    for provider_id, match_need_id, status in rows:
        if status is None:
            blocked.add(provider_id)
        elif status == MatchStatus.COMPLETED:
            completed[provider_id] += 1
        elif status in DECLINED_STATUSES and match_need_id == need.pk:
            declined.add(provider_id)
    return completed, declined, blocked


def _candidate_facts(need, facts, category, now) -> list[scoring.CandidateFacts]:
    using = Need.objects.db
    connection = connections[using]
    index = provider_index.current(using)
    if index is not None:
        return _indexed_candidate_facts(index, need, facts, category.pk, now, connection)
    sql, params = _provider_query(facts, category.pk, now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    history = _history(need, facts.resident_id, connection)
    never = connection.ops.adapt_datefield_value(_NEVER)
    return _records(rows, sorted(facts.required_checks), never, *history)


def _screen(index, facts: scoring.NeedFacts, category_id: int):
    """Query 2's providers, found in the provider index by the same tests on the same values.

    Returns their positions in the index (ascending: by id) and, for those free at a slot,
    the indexes of their windows overlapping one. The arithmetic is the query's, operation
    for operation, so that float rounding cannot put a provider on the other side of a
    limit; tests/matchmaking/test_provider_index.py compares both on synthetic cities.
    """
    search = _search(facts)
    min_lat, max_lat, min_lon, max_lon = search.box
    lat, lon = index.lat, index.lon
    wanted = (lat >= min_lat) & (lat <= max_lat) & (lon >= min_lon) & (lon <= max_lon)
    wanted &= index.of_kinds(facts.allowed_kinds)
    wanted &= index.skilled(category_id)
    chosen = np.flatnonzero(wanted)
    north = (lat[chosen] - facts.lat) * search.km_lat
    east = (lon[chosen] - facts.lon) * search.km_lon
    distance = north * north + east * east
    radius = index.radius_km[chosen]
    limit = np.maximum(
        NEARBY_KM**2, np.minimum(radius * REACH_SLACK * radius * REACH_SLACK, search.reach_km**2)
    )
    in_reach = distance <= limit
    if not facts.slots:
        return chosen[in_reach], np.empty(0, np.int64)
    windows = index.free_windows(facts.slots)
    free = np.zeros(len(index), bool)
    free[index.window_position[windows]] = True
    free_in_reach = in_reach & free[chosen]
    near_lat_min, near_lat_max, near_lon_min, near_lon_max = search.near_box
    nearby = (
        (lat[chosen] >= near_lat_min)
        & (lat[chosen] <= near_lat_max)
        & (lon[chosen] >= near_lon_min)
        & (lon[chosen] <= near_lon_max)
        & (distance <= NEARBY_KM**2)
    )
    # Windows only of those free and in reach, as the query groups them.
    kept = np.zeros(len(index), bool)
    kept[chosen[free_in_reach]] = True
    windows = windows[kept[index.window_position[windows]]]
    return chosen[free_in_reach | nearby], windows


def _indexed_candidate_facts(
    index, need, facts: scoring.NeedFacts, category_id: int, now, connection
) -> list[scoring.CandidateFacts]:
    """`_candidate_facts` from the provider index: the same records, one query for what
    changes with every offer (for the providers found only) and one for the history."""
    positions, windows = _screen(index, facts, category_id)
    if not len(positions):
        return []
    ids = index.ids[positions].tolist()
    changing, params = _changing_columns(now, connection)
    if connection.vendor == "sqlite":
        among, ids_param = "IN (SELECT value FROM json_each(%s))", json.dumps(ids)
    else:
        among, ids_param = "= ANY(%s)", ids
    sql = (
        f"SELECT p.id, {', '.join(changing)} FROM {ProviderProfile._meta.db_table} p "
        f"WHERE p.id {among}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, ids_param])
        current = {row[0]: row[1:] for row in cursor.fetchall()}
    completed, declined, blocked = _history(need, facts.resident_id, connection)
    windows_of: dict[int, list] = {}
    slots = index.window_slots
    for position, window in zip(
        index.window_position[windows].tolist(), windows.tolist(), strict=True
    ):
        windows_of.setdefault(position, []).append(slots[window])
    checks_of = index.checks_of(facts.required_checks)
    away = index.away
    day = facts.first_day or facts.on_date
    facts_of = scoring.CandidateFacts
    places = zip(
        positions.tolist(),
        ids,
        index.lat[positions].tolist(),
        index.lon[positions].tolist(),
        index.radius_km[positions].tolist(),
        strict=True,
    )
    records = []
    for position, pid, lat, lon, radius in places:
        rating_sum, rating_count, offered, accepted, kept, live, recent = current[pid]
        records.append(
            facts_of(
                pid,
                index.kind[position],
                True,  # is_active: the index holds active providers only
                lat,
                lon,
                radius,
                index.capacity[position],
                live,
                checks_of[position],
                tuple(windows_of.get(position, ())),
                index.languages[position],
                float(rating_sum),
                rating_count,
                offered,
                accepted,
                kept,
                completed.get(pid, 0),
                recent,
                pid in declined,
                pid in blocked,
                index.away_on(position, day) if position in away else (),
            )
        )
    return records


def _records(rows, required, never, completed, declined, blocked) -> list[scoring.CandidateFacts]:
    """Query 2's rows as engine records, by id (sorted here: in SQL the sort carried every
    column of every row). Positional arguments, in CandidateFacts' field order: by keyword,
    building them took longer than ranking them."""
    rows.sort(key=_first)
    expiry_of = functools.partial(_expiry, never)
    facts_of = scoring.CandidateFacts
    completed_with = completed.get
    windows_of, languages_of = _windows, _languages
    candidates = []
    append = candidates.append
    for row in rows:
        pid = row[0]
        if required:
            checks = {
                check_kind: expiry_of(expiry)
                for check_kind, expiry in zip(required, row[16:], strict=True)
                if expiry is not None
            }
        else:
            checks = {}
        away = row[15]
        append(
            facts_of(
                pid,
                row[1],  # kind
                True,  # is_active: filtered in SQL
                row[2],  # lat
                row[3],  # lon
                row[4],  # radius_km
                row[5],  # capacity
                row[12],  # live_matches
                checks,
                windows_of(row[14]),  # availability
                languages_of(row[6]),
                float(row[7]),  # rating_sum
                row[8],  # rating_count
                row[9],  # offers_received, visits folded in
                row[10],  # offers_accepted
                row[11],  # matches_completed, visits kept folded in
                completed_with(pid, 0),
                row[13],  # recent_offers
                pid in declined,
                pid in blocked,
                _away(away) if away else (),
            )
        )
    return candidates


_first = operator.itemgetter(0)


@functools.lru_cache(maxsize=1024)
def _expiry(never, value) -> datetime.date | None:
    """A check's expiry column of query 2 (_NEVER stands for "never expires")."""
    return None if value == never else _raw_date(value)


def _raw_date(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def candidate_facts(
    need: Need, *, now: datetime.datetime | None = None
) -> list[scoring.CandidateFacts]:
    """Every provider worth showing staff for `need`, as engine records, ordered by id.

    See the module docstring for what SQL filters out (never returned) and what is left to the
    engine (returned, then excluded with a reason).
    """
    now = now or timezone.now()
    category, _programme, facts = _need_and_facts(need, now)
    return _candidate_facts(need, facts, category, now)


def provider_query(need: Need, *, now: datetime.datetime | None = None) -> tuple[str, list]:
    """The query `rank_need` runs for `need`'s providers, as (sql, params).

    For `bench scoring`, which times it alone: the part of ranking a need that no change to
    the Python after it can make faster.
    """
    now = now or timezone.now()
    category, _programme, facts = _need_and_facts(need, now)
    return _provider_query(facts, category.pk, now, connections[Need.objects.db])


def rank_need(
    need: Need,
    *,
    weights: scoring.Weights | None = None,
    limit: int | None = None,
    now: datetime.datetime | None = None,
) -> scoring.Ranking:
    """Rank the providers for `need`: best first, and who was excluded and why.

    `weights` default to the programme's (see `programme_weights`); `limit` cuts the ranked
    list, never `excluded`.
    """
    now = now or timezone.now()
    category, programme, facts = _need_and_facts(need, now)
    if weights is None:
        weights = programme_weights(programme)
    return scoring.rank(facts, _candidate_facts(need, facts, category, now), weights, limit=limit)


# --- Many needs at once -------------------------------------------------------------------------

# Ids per IN list: well inside every backend's limit on query parameters.
_CHUNK = 900


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _providers_box(facts: list[scoring.NeedFacts]):
    """One box around every need's search box: the providers worth reading for a batch."""
    boxes = [scoring.bounding_box(f.lat, f.lon, search_radius_km(f)) for f in facts]
    lat = (min(b[0] for b in boxes), max(b[1] for b in boxes))
    lon = (min(b[2] for b in boxes), max(b[3] for b in boxes))
    return lat, lon


def _raw_minutes(value) -> int:
    """Minute of the day of a time column as the driver returns it: "HH:MM[:SS]" or a time."""
    if isinstance(value, str):
        return int(value[:2]) * 60 + int(value[3:5])
    return value.hour * 60 + value.minute


class CandidateBatch:
    """Rank many needs with one read of the providers (the batch allocation's candidate index).

    Reading a scope costs a handful of queries whatever its size: the providers within reach of
    any need with their live matches, recent offers, skills, verified checks and availability;
    then, for the needs, their residents' blocks and completed matches and who turned each need
    down. `rank` then ranks a need against these arrays with no query
    (`scoring_batch.CandidateIndex.top`): the same ranking as `rank_need`, which
    tests/matchmaking/test_candidates.py checks on a synthetic city.
    """

    def __init__(self, needs, *, now: datetime.datetime | None = None) -> None:
        self.now = now = now or timezone.now()
        self.needs = {need.pk: need for need in needs}
        self._facts: dict[int, scoring.NeedFacts] = {}
        self._weights: dict = {}
        for need in self.needs.values():
            category, programme = _category_and_programme(need)
            self._facts[need.pk] = _need_facts(need, category, programme, now=now)
        records, skills = self._providers(list(self._facts.values()), now)
        self.index = scoring_batch.CandidateIndex(records, skills)
        self.free_places = {
            r.provider_id: max(r.capacity - r.live_matches, 0) for r in self.index.records
        }
        self._history()

    def _providers(self, facts, now):
        if not facts:
            return [], {}
        (min_lat, max_lat), (min_lon, max_lon) = _providers_box(facts)
        rows = list(
            ProviderProfile.objects.filter(
                status=ProviderStatus.ACTIVE,
                latitude__range=(min_lat, max_lat),
                longitude__range=(min_lon, max_lon),
            )
            .order_by()
            # Languages as text, decoded once per distinct list (_languages) rather than
            # once a provider by the JSON field.
            .annotate(**_VISITS_FOLDED, languages_text=Cast("languages", CharField()))
            .values_list(
                *_COLUMNS[:6],
                "languages_text",
                *_COLUMNS[7:9],
                "steps_offered",
                "offers_accepted",
                "steps_kept",
            )
        )
        ids = {row[0] for row in rows}
        live = Counter(
            dict(
                Match.objects.filter(status__in=CAPACITY_STATUSES)
                .order_by()
                .values("provider_id")
                .annotate(n=Count("pk"))
                .values_list("provider_id", "n")
            )
        )
        recent = Counter(
            dict(
                Match.objects.filter(offered_at__gt=now - FAIRNESS_WINDOW, offered_at__lte=now)
                .order_by()
                .values("provider_id")
                .annotate(n=Count("pk"))
                .values_list("provider_id", "n")
            )
        )
        categories = {need.category_id for need in self.needs.values()}
        skills: dict[int, set] = {}
        for provider_id, category_id in Category.providers.through.objects.filter(
            category_id__in=sorted(categories)
        ).values_list("providerprofile_id", "category_id"):
            if provider_id in ids:
                skills.setdefault(provider_id, set()).add(category_id)
        required = sorted({kind for f in facts for kind in f.required_checks})
        checks: dict[int, dict] = {}
        for provider_id, kind, expires_at in (
            Check.objects.filter(status=CheckStatus.VERIFIED, kind__in=required)
            .order_by()
            .values_list("provider_id", "kind", "expires_at")
        ):
            if provider_id in ids:
                checks.setdefault(provider_id, {})[kind] = expires_at
        availability: dict[int, list] = {}
        if any(f.slots for f in facts):
            # Some 60,000 rows in a 20,000-provider city: read as text, which the driver
            # (SQLite's) would otherwise parse into times, twice a row.
            windows = (
                Availability.objects.order_by()
                .annotate(start=Cast("starts_at", CharField()), end=Cast("ends_at", CharField()))
                .values_list("provider_id", "weekday", "start", "end")
            )
            for provider_id, weekday, start, end in windows:
                if provider_id in ids:
                    availability.setdefault(provider_id, []).append(
                        (weekday, _raw_minutes(start), _raw_minutes(end))
                    )
        # Dates away covering the day any need of the batch would start; the engine
        # decides per need.
        days = [f.first_day or f.on_date for f in facts]
        away: dict[int, list] = {}
        for provider_id, first, last in (
            TimeAway.objects.filter(starts_on__lte=max(days), ends_on__gte=min(days))
            .order_by()
            .values_list("provider_id", "starts_on", "ends_on")
        ):
            if provider_id in ids:
                away.setdefault(provider_id, []).append((first, last))
        records = [
            scoring.CandidateFacts(
                provider_id=row[0],
                kind=row[1],
                is_active=True,  # filtered in SQL
                lat=row[2],
                lon=row[3],
                radius_km=row[4],
                capacity=row[5],
                languages=_languages(row[6]),
                rating_sum=float(row[7]),
                rating_count=row[8],
                offers_received=row[9],
                offers_accepted=row[10],
                matches_completed=row[11],
                live_matches=live[row[0]],
                recent_offers=recent[row[0]],
                checks=checks.get(row[0], {}),
                availability=tuple(availability.get(row[0], ())),
                away=tuple(away.get(row[0], ())),
            )
            for row in rows
            if row[0] in skills
        ]
        return records, skills

    def _history(self) -> None:
        """Blocks, completed matches per resident, and who turned each need down."""
        keys = {f.resident_id for f in self._facts.values()}
        people = keys | {
            person
            for need in self.needs.values()
            for person in (need.resident_id, need.requested_by_id)
            if person is not None
        }
        self._blocked: dict[int, set[int]] = {}
        for chunk in _chunks(people):
            for provider_id, resident_id in Block.objects.filter(resident_id__in=chunk).values_list(
                "provider_id", "resident_id"
            ):
                self._blocked.setdefault(resident_id, set()).add(provider_id)
        self._completed: dict[int, Counter] = {}
        for chunk in _chunks(keys):
            for provider_id, resident_id, requested_by_id in (
                Match.objects.filter(
                    Q(need__resident_id__in=chunk)
                    | Q(need__resident__isnull=True, need__requested_by_id__in=chunk),
                    status=MatchStatus.COMPLETED,
                )
                .order_by()
                .values_list("provider_id", "need__resident_id", "need__requested_by_id")
            ):
                key = resident_id if resident_id is not None else requested_by_id
                self._completed.setdefault(key, Counter())[provider_id] += 1
        self._declined: dict[int, set[int]] = {}
        for chunk in _chunks(self.needs):
            for need_id, provider_id in (
                Match.objects.filter(need_id__in=chunk, status__in=DECLINED_STATUSES)
                .order_by()
                .values_list("need_id", "provider_id")
            ):
                self._declined.setdefault(need_id, set()).add(provider_id)

    def _weights_for(self, need) -> scoring.Weights:
        programme = need.programme if need.programme_id is not None else None
        if need.programme_id not in self._weights:
            self._weights[need.programme_id] = programme_weights(programme)
        return self._weights[need.programme_id]

    def _per_need(self, need) -> dict:
        blocked = set()
        for person in {need.resident_id, need.requested_by_id} - {None}:
            blocked |= self._blocked.get(person, set())
        return {
            "completed": self._completed.get(self._facts[need.pk].resident_id, {}),
            "declined": self._declined.get(need.pk, set()),
            "blocked": blocked,
        }

    def rank(self, need, *, limit: int) -> scoring.Ranking:
        """`rank_need(need, limit=limit)`'s ranking, read from the batch (no query)."""
        return self.index.top(
            self._facts[need.pk],
            need.category_id,
            self._weights_for(need),
            limit=limit,
            **self._per_need(need),
        )

    def edges(self, need, *, limit: int) -> list[tuple[int, float]] | None:
        """`rank`'s ranked providers as (provider id, score), best first, worked out by NumPy
        alone where that is provably the engine's answer (`CandidateIndex.top_scores`);
        None where only the engine can tell (then ask `rank`)."""
        return self.index.top_scores(
            self._facts[need.pk],
            need.category_id,
            self._weights_for(need),
            limit=limit,
            **self._per_need(need),
        )

    def explanation(self, need_id: int, provider_id: int) -> dict:
        """The engine's explanation of one edge (built for assigned edges only: they are big)."""
        need = self.needs[need_id]
        record = self.index.record(provider_id, **self._per_need(need))
        ranking = scoring.rank(self._facts[need_id], [record], self._weights_for(need))
        return ranking.ranked[0].explanation


__all__ = [
    "DEFAULT_MAX_DISTANCE_KM",
    "FAIRNESS_WINDOW",
    "MAX_TRAVEL_RADIUS_KM",
    "NEARBY_KM",
    "SEARCH_RADIUS_CAP_KM",
    "CandidateBatch",
    "candidate_facts",
    "need_facts",
    "programme_weights",
    "provider_query",
    "rank_need",
    "resident_key",
    "search_radius_km",
]
