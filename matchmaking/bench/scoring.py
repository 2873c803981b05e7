"""`manage.py bench scoring`: rank every need of a synthetic city, against the naive baseline.

Times `candidates.rank_need` per need (its queries included), then the naive implementation on
the first few needs, checks both agree on the top ten, and ends with one JSON line:
{"providers", "needs", "index_build_ms", "median_ms", "p95_ms", "query_median_ms",
"query_p95_ms", "naive_needs", "same_needs_median_ms", "naive_median_ms", "speedup"}.
median_ms and p95_ms are over every need, with the provider index (matchmaking.provider_index)
built first, as a server has it until providers' facts change: index_build_ms is that build
(null where the index is off). query_median_ms and query_p95_ms time the provider query alone,
run again for every need: what each ranking would cost the database without the index. The
speedup compares both ways on the same needs (the naive ones): the first needs of a city need
not be typical.
"""

from __future__ import annotations

import gc
import json
import math
import statistics
import time
from contextlib import nullcontext
from typing import NamedTuple

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from matchmaking import candidates, provider_index
from matchmaking.bench import database, offer_ranking
from matchmaking.bench.city import build_city
from matchmaking.bench.naive import naive_rank_need
from matchmaking.bench.options import positive_int
from services.models import Need

HELP = "Time candidate building and ranking per need on a synthetic city."
TOP = 10  # the head of the ranking the two implementations must agree on


def add_arguments(parser) -> None:
    parser.add_argument(
        "--providers", type=positive_int, default=20_000, help="Providers in the city (20000)."
    )
    parser.add_argument("--needs", type=positive_int, default=200, help="Needs to rank (200).")
    parser.add_argument(
        "--seed", type=int, default=1, help="Random seed: the same seed builds the same city (1)."
    )
    parser.add_argument(
        "--naive-needs",
        type=positive_int,
        default=5,
        help="Needs also ranked the naive way, which is slow (5).",
    )
    offer_ranking.add_arguments(parser)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class _Seen(NamedTuple):
    """What the bench keeps of a ranking: its head and its sizes."""

    head: list[tuple[int, float]]
    ranked: int
    considered: int


def _time(function, need, now) -> tuple[float, _Seen]:
    """Rank `need`; return the milliseconds it took and what the bench keeps of it.

    Only a summary is kept, as a server drops a ranking once the page is sent: a hundred whole
    rankings (thousands of records each) left alive made Python's cycle collector walk them
    all, again and again, inside the needs timed after them."""
    started = time.perf_counter()
    ranking = function(need, now=now)
    elapsed = (time.perf_counter() - started) * 1000
    head = [(s.provider_id, round(s.score, 9)) for s in ranking.ranked[:TOP]]
    return elapsed, _Seen(head, len(ranking.ranked), len(ranking.ranked) + len(ranking.excluded))


def _time_query(need, now) -> float:
    """Milliseconds to run rank_need's provider query for `need` and read its rows."""
    sql, params = candidates.provider_query(need, now=now)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def run(options: dict, *, write, fresh_database: bool = True) -> dict:
    """Build the city, time both implementations and return the figures (also written).

    `options` are the parsed arguments (see add_arguments); `write` prints a line.
    """
    providers, needs, seed = options["providers"], options["needs"], options["seed"]
    naive_needs = min(options["naive_needs"], needs)
    place = database.fresh_database() if fresh_database else nullcontext(None)
    with place as database_name:
        if database_name:
            write(f"Fresh {connection.vendor} database: {database_name}")
        started = time.perf_counter()
        city = build_city(providers=providers, needs=needs, seed=seed)
        built = time.perf_counter() - started
        write(
            f"Built a city of {city.providers} providers ({city.active_providers} active) and "
            f"{len(city.needs)} open needs in {built:.1f} s: "
            + ", ".join(f"{count} {what}" for what, count in city.counts.items())
        )
        # What a long-running database has: planner statistics for the indexes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # What a long-running process has: no garbage left from building a city. Building it
        # leaves about 200,000 objects in reference cycles, which the cycle collector would
        # otherwise walk again and again inside the needs timed first, until a full pass.
        gc.collect()
        now = timezone.now()
        # Plain need rows, as a caller would have them: rank_need fetches the rest itself.
        rows = {need.pk: need for need in Need.objects.filter(pk__in=city.needs)}
        ordered = [rows[pk] for pk in city.needs]

        started = time.perf_counter()
        index = provider_index.current(connection.alias)
        build_ms = round((time.perf_counter() - started) * 1000, 1) if index is not None else None
        write(
            f"Provider index: {len(index)} providers read in {build_ms} ms."
            if index is not None
            else "Provider index: off (settings.PROVIDER_INDEX); every ranking runs the query."
        )
        # DEBUG records every query, which costs the naive way far more than the fast one:
        # time both without it.
        with override_settings(DEBUG=False):
            fast = [_time(candidates.rank_need, need, now) for need in ordered]
            query_ms = [_time_query(need, now) for need in ordered]
            naive = [_time(naive_rank_need, need, now) for need in ordered[:naive_needs]]
        # Reverse ranking (one offer, many residents), only when asked for.
        offer_figures = offer_ranking.run(options, write=write)

    fast_ms = [ms for ms, _ in fast]
    naive_ms = [ms for ms, _ in naive]
    ranked = [seen.ranked for _, seen in fast]
    considered = [seen.considered for _, seen in fast]
    write(
        f"Candidates per need from SQL: median {statistics.median(considered):.0f}, "
        f"max {max(considered)}; ranked after the hard filters: median "
        f"{statistics.median(ranked):.0f}, max {max(ranked)}."
    )
    # Both ways must agree; a difference is reported, not raised, so the figures still print.
    differ = 0
    for need, (_, fast_seen), (_, naive_seen) in zip(ordered, fast, naive, strict=False):
        if fast_seen.head != naive_seen.head:
            differ += 1
            write(
                f"WARNING: need {need.pk}: the top {TOP} differ "
                f"(fast {fast_seen.head}, naive {naive_seen.head})."
            )
    if not differ:
        write(f"The top {TOP} agree for all {len(naive)} needs ranked both ways.")
    median_ms = statistics.median(fast_ms)
    # The speedup divides medians over the same needs: the fast way's on the naive needs only.
    same_needs_ms = statistics.median(fast_ms[: len(naive_ms)])
    naive_median_ms = statistics.median(naive_ms)
    figures = {
        "providers": city.providers,
        "needs": len(city.needs),
        "index_build_ms": build_ms,
        "median_ms": round(median_ms, 2),
        "p95_ms": round(percentile(fast_ms, 0.95), 2),
        "query_median_ms": round(statistics.median(query_ms), 2),
        "query_p95_ms": round(percentile(query_ms, 0.95), 2),
        "naive_needs": len(naive_ms),
        "same_needs_median_ms": round(same_needs_ms, 2),
        "naive_median_ms": round(naive_median_ms, 1),
        "speedup": round(naive_median_ms / same_needs_ms, 1) if same_needs_ms else 0.0,
    }
    write(
        f"rank_need: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms over "
        f"{len(fast_ms)} needs. On the {len(naive_ms)} needs ranked both ways: median "
        f"{figures['same_needs_median_ms']} ms against the naive way's "
        f"{figures['naive_median_ms']} ms, speedup {figures['speedup']}x."
    )
    write(
        f"The provider query alone: median {figures['query_median_ms']} ms, p95 "
        f"{figures['query_p95_ms']} ms."
    )
    figures.update(offer_figures)
    write(json.dumps(figures))
    return figures
