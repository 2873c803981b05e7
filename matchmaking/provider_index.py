"""Providers' ranking facts kept in each process, exactly as the database has them now.

Ranking one need (`candidates.rank_need`) used to find its providers with one SQL query, which
at 20,000 providers takes most of the time (`manage.py bench scoring` prints it alone as
query_median_ms). Most of what that query reads changes rarely: who is active, where they
are, how far they travel, their kind, capacity, languages, skills, checks, availability and
dates away. `ProviderIndex` keeps those facts in arrays, and `candidates` screens a need
against them with NumPy exactly as the query would, then reads per request only what changes
with every offer (live matches, recent offers, ratings, offers and visits) for the providers
left, and the resident's history.

Exactly, because ranking is a safeguarding decision: a suspended provider, or one whose check
was revoked, must never be suggested from an old copy. Database triggers (`install_triggers`,
run after every `migrate`) replace `ProviderFactsStamp.stamp` with a random number in the same
transaction as any change to those facts, however it is made (a form, the admin, the API, a
bulk update, a raw query). A request reads the stamp first; the index is used only while its
stamp, read before its facts, is the stamp now, and is rebuilt otherwise. A change committed
after the index read its stamp has replaced the stamp; one committed before is in the facts.
On PostgreSQL the triggers' updates of the one row also queue writers of providers' facts
behind each other (rare, short transactions: sign-ups, vetting, availability, suspensions).

The index is not used (`current` returns None, and `candidates` runs the query) when
settings.PROVIDER_INDEX is off, on a database without the triggers, or where they are missing.
"""

from __future__ import annotations

import datetime
import secrets

import numpy as np
from django.conf import settings
from django.db import connections

from accounts.constants import CheckStatus, ProviderStatus
from accounts.models import Availability, Check, ProviderProfile, TimeAway
from matchmaking.models import ProviderFactsStamp
from matchmaking.scoring import MINUTES_PER_DAY
from services.models import Category

# What of a provider's own row the index keeps: a change to any of these replaces the stamp
# (ratings, offers and visits are read per request: they change with every offer).
STATIC_COLUMNS = (
    "status",  # first: the index reads the others of active providers
    "kind",
    "latitude",
    "longitude",
    "travel_radius_km",
    "capacity",
    "languages",
)
VENDORS = ("sqlite", "postgresql")
_TRIGGER_PREFIX = "kith_provider_facts_"
_MICROSECONDS_PER_SECOND = 1_000_000
_MICROSECONDS_PER_MINUTE = 60 * _MICROSECONDS_PER_SECOND

# One index per database alias in this process.
_indexes: dict[str, ProviderIndex] = {}


def _fact_tables() -> list[str]:
    """Tables whose every change is a change to some provider's ranking facts."""
    return [
        Check._meta.db_table,
        Availability._meta.db_table,
        TimeAway._meta.db_table,
        Category.providers.through._meta.db_table,
    ]


def _trigger_names(vendor: str) -> list[str]:
    tables = [ProviderProfile._meta.db_table, *_fact_tables()]
    if vendor == "sqlite":
        return [
            f"{_TRIGGER_PREFIX}{t}_{op}" for t in tables for op in ("insert", "update", "delete")
        ]
    return [f"{_TRIGGER_PREFIX}{t}" for t in tables] + [
        f"{_TRIGGER_PREFIX}{ProviderProfile._meta.db_table}_row"
    ]


def _changed(old: str, new: str, vendor: str) -> str:
    differs = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"{old}.{column} {differs} {new}.{column}" for column in STATIC_COLUMNS)


def install_triggers(using: str) -> None:
    """Create the triggers (idempotent) and replace the stamp, so that every process rebuilds.

    Run after every migrate (apps.py): on SQLite, a migration that alters a table rebuilds it
    and drops its triggers with it; replacing the stamp covers any change made meanwhile.
    Nothing is done before the tables exist (a migrate to an earlier state).
    """
    connection = connections[using]
    if connection.vendor not in VENDORS:
        return
    tables = [ProviderFactsStamp._meta.db_table, ProviderProfile._meta.db_table, *_fact_tables()]
    if not set(tables) <= set(connection.introspection.table_names()):
        return
    stamp_table = ProviderFactsStamp._meta.db_table
    provider = ProviderProfile._meta.db_table
    statements = []
    if connection.vendor == "sqlite":
        touch = f"UPDATE {stamp_table} SET stamp = random();"
        for table in _fact_tables():
            for op in ("insert", "update", "delete"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {_TRIGGER_PREFIX}{table}_{op} "
                    f"AFTER {op.upper()} ON {table} BEGIN {touch} END"
                )
        for op, when in (
            ("insert", ""),
            ("delete", ""),
            ("update", f" WHEN {_changed('OLD', 'NEW', 'sqlite')}"),
        ):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {_TRIGGER_PREFIX}{provider}_{op} "
                f"AFTER {op.upper()} ON {provider}{when} BEGIN {touch} END"
            )
    else:
        function = f"{_TRIGGER_PREFIX}touch"
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN UPDATE {stamp_table} SET stamp = (random() * 9e18)::bigint; RETURN NULL; "
            "END $$"
        )
        for table in _fact_tables():
            statements.append(
                f"CREATE OR REPLACE TRIGGER {_TRIGGER_PREFIX}{table} AFTER INSERT OR UPDATE "
                f"OR DELETE OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "
                f"{function}()"
            )
        statements.append(
            f"CREATE OR REPLACE TRIGGER {_TRIGGER_PREFIX}{provider} AFTER INSERT OR DELETE "
            f"OR TRUNCATE ON {provider} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
        statements.append(
            f"CREATE OR REPLACE TRIGGER {_TRIGGER_PREFIX}{provider}_row AFTER UPDATE ON "
            f"{provider} FOR EACH ROW WHEN ({_changed('OLD', 'NEW', 'postgresql')}) "
            f"EXECUTE FUNCTION {function}()"
        )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    _new_stamp(connection)


def drop_triggers(connection) -> None:
    """Remove the triggers (migrating back past the stamp's table)."""
    if connection.vendor not in VENDORS:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _trigger_names("sqlite"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            cursor.execute(f"DROP FUNCTION IF EXISTS {_TRIGGER_PREFIX}touch() CASCADE")


def triggers_installed(connection) -> bool:
    names = _trigger_names(connection.vendor)
    marks = ", ".join(["%s"] * len(names))
    if connection.vendor == "sqlite":
        sql = f"SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})"
    else:
        sql = f"SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname IN ({marks})"
    with connection.cursor() as cursor:
        cursor.execute(sql, names)
        (count,) = cursor.fetchone()
    return count == len(names)


def _new_stamp(connection) -> None:
    table = ProviderFactsStamp._meta.db_table
    stamp = secrets.randbits(62)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET stamp = %s WHERE id = 1", [stamp])
        if cursor.rowcount == 0:
            # Two processes may find the row missing at once: the first one's stamp stays.
            cursor.execute(
                f"INSERT INTO {table} (id, stamp) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
                [stamp],
            )


def _stamp(connection) -> int:
    """The stamp now; a missing row (a flushed table) is written again, with a new stamp."""
    table = ProviderFactsStamp._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        _new_stamp(connection)
        return _stamp(connection)
    return row[0]


def current(using: str) -> ProviderIndex | None:
    """The index of database `using` as it is now, rebuilt if anything changed; None where
    it cannot be trusted (see the module docstring): then ask the database."""
    connection = connections[using]
    if not settings.PROVIDER_INDEX or connection.vendor not in VENDORS:
        return None
    stamp = _stamp(connection)
    index = _indexes.get(using)
    if index is not None and index.stamp == stamp:
        return index
    # Checked at every rebuild: without its triggers the stamp would never change.
    if not triggers_installed(connection):
        _indexes.pop(using, None)
        return None
    index = _indexes[using] = ProviderIndex(stamp, using)
    return index


def _microseconds(value: datetime.time) -> int:
    """Microsecond of the day: how the database orders times, seconds and fractions too."""
    seconds = (value.hour * 60 + value.minute) * 60 + value.second
    return seconds * _MICROSECONDS_PER_SECOND + value.microsecond


class ProviderIndex:
    """Every active provider's static ranking facts, as arrays by position (sorted by id).

    `stamp` is the stamp read before the facts. Windows are kept flat (`window_*`, one entry
    a window, `window_position` the provider's position), times as microseconds of the day,
    as the database compares them; `window_slots` are the same windows as the engine reads
    them.
    """

    def __init__(self, stamp: int, using: str) -> None:
        self.stamp = stamp
        rows = list(
            ProviderProfile.objects.using(using)
            .filter(status=ProviderStatus.ACTIVE)
            .order_by("pk")
            .values_list("pk", *STATIC_COLUMNS[1:])
        )
        count = len(rows)
        self.ids = np.fromiter((row[0] for row in rows), np.int64, count)
        self.position = {pid: i for i, pid in enumerate(self.ids.tolist())}
        self.kind = np.array([row[1] for row in rows], dtype=object)
        self.lat = np.fromiter((row[2] for row in rows), np.float64, count)
        self.lon = np.fromiter((row[3] for row in rows), np.float64, count)
        self.radius_km = np.fromiter((row[4] for row in rows), np.float64, count)
        self.capacity = [row[5] for row in rows]
        # One set per distinct list (a few dozen): 18,000 sets were as many more objects for
        # the cycle collector to walk in every full pass, in every process.
        spoken: dict[tuple, frozenset] = {}
        self.languages = [
            spoken.setdefault(tuple(row[6] or ()), frozenset(row[6] or ())) for row in rows
        ]
        self._kind_masks: dict[frozenset, np.ndarray] = {}
        self._skill_masks: dict[int, np.ndarray] = {}
        self._skills: dict[int, list[int]] = {}
        self._checks_of: dict[frozenset, list[dict]] = {}
        for provider_id, category_id in Category.providers.through.objects.using(using).values_list(
            "providerprofile_id", "category_id"
        ):
            i = self.position.get(provider_id)
            if i is not None:
                self._skills.setdefault(category_id, []).append(i)
        # Verified checks: kind -> expiry (None: never expires), per position.
        self.checks: list[dict] = [{} for _ in range(count)]
        for provider_id, kind, expires_at in (
            Check.objects.using(using)
            .filter(status=CheckStatus.VERIFIED)
            .values_list("provider_id", "kind", "expires_at")
        ):
            i = self.position.get(provider_id)
            if i is not None:
                self.checks[i][kind] = expires_at
        self.away: dict[int, list] = {}
        for provider_id, starts_on, ends_on in TimeAway.objects.using(using).values_list(
            "provider_id", "starts_on", "ends_on"
        ):
            i = self.position.get(provider_id)
            if i is not None:
                self.away.setdefault(i, []).append((starts_on, ends_on))
        windows = [
            (i, weekday, _microseconds(start), _microseconds(end))
            for provider_id, weekday, start, end in Availability.objects.using(using)
            .order_by()
            .values_list("provider_id", "weekday", "starts_at", "ends_at")
            if (i := self.position.get(provider_id)) is not None
        ]
        windows.sort()
        size = len(windows)
        self.window_position = np.fromiter((w[0] for w in windows), np.int64, size)
        self.window_weekday = np.fromiter((w[1] for w in windows), np.int64, size)
        self.window_start = np.fromiter((w[2] for w in windows), np.int64, size)
        self.window_end = np.fromiter((w[3] for w in windows), np.int64, size)
        # As the engine's slots: (weekday, start minute, end minute), seconds dropped as the
        # query's rows are read (candidates._raw_minutes).
        self.window_slots = [
            (w[1], w[2] // _MICROSECONDS_PER_MINUTE, w[3] // _MICROSECONDS_PER_MINUTE)
            for w in windows
        ]

    def __len__(self) -> int:
        return len(self.ids)

    def of_kinds(self, kinds: frozenset) -> np.ndarray:
        if kinds not in self._kind_masks:
            self._kind_masks[kinds] = np.isin(self.kind, list(kinds))
        return self._kind_masks[kinds]

    def skilled(self, category_id: int) -> np.ndarray:
        if category_id not in self._skill_masks:
            mask = np.zeros(len(self), bool)
            mask[self._skills.get(category_id, [])] = True
            self._skill_masks[category_id] = mask
        return self._skill_masks[category_id]

    def free_windows(self, slots) -> np.ndarray:
        """Indexes of the windows overlapping any of the engine's `slots` (weekday, start
        minute, end minute), by the query's test: a slot running to midnight has no end."""
        match = np.zeros(len(self.window_slots), bool)
        for weekday, start, end in slots:
            overlap = (self.window_weekday == weekday) & (
                self.window_end > start * _MICROSECONDS_PER_MINUTE
            )
            if end < MINUTES_PER_DAY:
                overlap &= self.window_start < end * _MICROSECONDS_PER_MINUTE
            match |= overlap
        return np.flatnonzero(match)

    def checks_of(self, kinds: frozenset) -> list[dict]:
        """Each provider's verified checks of `kinds` (kind -> expiry, None: never expires),
        by position; worked out once per set of kinds (a category's)."""
        if kinds not in self._checks_of:
            self._checks_of[kinds] = [
                {kind: expiry for kind, expiry in checks.items() if kind in kinds}
                for checks in self.checks
            ]
        return self._checks_of[kinds]

    def away_on(self, position: int, day: datetime.date) -> tuple:
        return tuple(
            (first, last) for first, last in self.away.get(position, ()) if first <= day <= last
        )
