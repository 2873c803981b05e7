"""`manage.py bench allocation`: allocate a synthetic city's open needs in one batch.

Builds the city (urgencies drawn at random: a fifth urgent, a third soon, the rest routine),
then runs the three steps of `allocation.allocation_run`, each timed: the candidate graph
("graph_seconds"), the OR-Tools min-cost flow ("solve_seconds") and writing the offers
("offers_seconds": the offers and their notifications written, their emails queued, as in
production, on the database tasks backend). The headline, "total_seconds", is their sum: what
a council waits for. Then the queued emails are rendered and handed over as a task worker
would, timed apart ("emails_seconds": in the background, after the run).
"peak_rss_mb" is the process's peak memory (city building included), "run_peak_rss_mb" the
peak from the graph on (Linux; null elsewhere). Then, on the same graph:

- a greedy baseline: most urgent need first, each takes its best candidate with a place left;
- with `--verify` only (slow): SciPy's `min_weight_full_bipartite_matching` on the same
  objective, for the record of why OR-Tools was chosen ("scipy_seconds", "scipy_exact"), and an
  independent reference: the same lexicographic objective as three integer programs solved by
  HiGHS (`scipy.optimize.milp`): most urgent matched, then most soon matched with that fixed,
  then the largest total score with both fixed ("reference_total_score", "optimal").

SciPy (a development dependency, like the benchmarks) is imported only with `--verify`.

Last line, one JSON object: needs, providers, edges, total_seconds, graph_seconds,
solve_seconds, offers_seconds, emails_seconds, emails, workers, towns, components,
largest_component_needs, peak_rss_mb, run_peak_rss_mb, matched, offered, total_score,
greedy_matched, greedy_total_score (and the references' figures with --verify).
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Value, When
from django.test.utils import override_settings
from django.utils import timezone

from matchmaking import allocation
from matchmaking.allocation import SCORE_SCALE, URGENCY_RANK, Allocation
from matchmaking.bench import database
from matchmaking.bench.city import build_city
from matchmaking.bench.options import positive_int
from services.constants import Urgency
from services.models import Need

HELP = "Allocate a synthetic city's open needs at once; compare with greedy and a reference."
URGENCY_SHARES = ((Urgency.URGENT, 0.2), (Urgency.SOON, 0.3), (Urgency.ROUTINE, 0.5))
GAP = 1e-6  # the relative gap to the reference that still counts as optimal
DISCARD_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--needs", type=positive_int, default=5_000, help="Open needs to allocate (5000)."
    )
    parser.add_argument(
        "--providers", type=positive_int, default=20_000, help="Providers in the city (20000)."
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="Random seed: the same seed builds the same city (1)."
    )
    parser.add_argument(
        "--towns",
        type=positive_int,
        default=1,
        help=(
            "Spread the people over N towns 60 km apart, a county (1: one city). Each town is "
            "an independent part of the graph, which --workers solves in parallel."
        ),
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help=(
            "Solve the graph's components on N `manage.py db_worker` processes (the database "
            "tasks backend), started against the bench's database and stopped after (1: in "
            "this process)."
        ),
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="Also solve with SciPy and the HiGHS reference, to check the optimum (slow).",
    )


def _set_urgencies(need_ids: list[int], seed: int) -> None:
    rng = random.Random(seed)
    urgencies, shares = zip(*URGENCY_SHARES, strict=True)
    chosen = {pk: rng.choices(urgencies, weights=shares)[0] for pk in need_ids}
    for urgency in urgencies:
        ids = [pk for pk, u in chosen.items() if u == urgency]
        for start in range(0, len(ids), 500):
            Need.objects.filter(pk__in=ids[start : start + 500]).update(
                urgency=Case(When(pk__gte=0, then=Value(urgency)), output_field=CharField())
            )


def _solvable(graph) -> tuple[list[int], dict]:
    """The needs with an edge to a free place, and those edges by need (as solve splits)."""
    edges_by_need: dict[int, list] = {}
    for need, provider, score in _usable(graph):
        edges_by_need.setdefault(need, []).append((provider, score))
    return sorted(edges_by_need), edges_by_need


def _usable(graph) -> list[tuple[int, int, float]]:
    return [e for e in graph.edges if graph.free_places.get(e[1], 0) > 0]


def _key(assigned: dict, scores: dict, needs: dict) -> tuple[int, int, float]:
    return (
        sum(1 for n in assigned if needs[n] == Urgency.URGENT),
        sum(1 for n in assigned if needs[n] == Urgency.SOON),
        sum(scores[n] for n in assigned),
    )


def greedy(needs: dict, free_places: dict, edges) -> Allocation:
    """Most urgent first (then by id); each need takes its best candidate with a place left."""
    left = dict(free_places)
    by_need: dict[int, list[tuple[float, int]]] = {}
    for need, provider, score in edges:
        by_need.setdefault(need, []).append((score, provider))
    assigned, scores = {}, {}
    for need in sorted(needs, key=lambda n: (-URGENCY_RANK[needs[n]], n)):
        for score, provider in sorted(by_need.get(need, ()), key=lambda c: (-c[0], c[1])):
            if left.get(provider, 0) > 0:
                left[provider] -= 1
                assigned[need], scores[need] = provider, score
                break
    return Allocation(
        assigned=assigned, scores=scores, unmatched={}, total_score=sum(scores.values())
    )


def scipy_solve(needs: dict, free_places: dict, edges) -> Allocation:
    """The same objective with SciPy's LAPJVsp: one column per free place, one bypass a need."""
    from scipy import sparse
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    need_ids = sorted({n for n, _, _ in edges})
    row = {n: i for i, n in enumerate(need_ids)}
    best = {}
    for n, _, s in edges:
        best[n] = max(best.get(n, 0), round(s * SCORE_SCALE))
    penalties, _ = allocation._penalties({n: needs[n] for n in need_ids}, best)
    degree: dict[int, int] = {}
    for _, p, _ in edges:
        degree[p] = degree.get(p, 0) + 1
    columns: dict[int, list[int]] = {}
    next_column = 0
    for p in sorted(degree):
        places = min(free_places[p], degree[p])
        columns[p] = list(range(next_column, next_column + places))
        next_column += places
    offset = max(penalties.values()) + SCORE_SCALE + 1  # every weight positive
    rows, cols, weights = [], [], []
    for n, p, s in edges:
        for c in columns[p]:
            rows.append(row[n])
            cols.append(c)
            weights.append(float(offset - round(s * SCORE_SCALE)))
    for n in need_ids:
        rows.append(row[n])
        cols.append(next_column + row[n])
        weights.append(float(offset + penalties[needs[n]]))
    matrix = sparse.csr_array(
        (weights, (rows, cols)), shape=(len(need_ids), next_column + len(need_ids))
    )
    _, matched_columns = min_weight_full_bipartite_matching(matrix)
    owner = {c: p for p, cs in columns.items() for c in cs}
    exact = {(n, p): s for n, p, s in edges}
    assigned, scores = {}, {}
    for i, c in enumerate(matched_columns):
        if c < next_column:
            n = need_ids[i]
            assigned[n], scores[n] = owner[c], exact[(n, owner[c])]
    return Allocation(
        assigned=assigned, scores=scores, unmatched={}, total_score=sum(scores.values())
    )


def reference(needs: dict, free_places: dict, edges) -> tuple[float, tuple]:
    """The optimum by HiGHS, stage by stage (independent of the flow formulation)."""
    import numpy as np
    from scipy import optimize, sparse

    if not edges:
        return 0.0, (0, 0, 0.0)
    need_ids = sorted({n for n, _, _ in edges})
    provider_ids = sorted({p for _, p, _ in edges})
    need_row = {n: i for i, n in enumerate(need_ids)}
    provider_row = {p: len(need_ids) + i for i, p in enumerate(provider_ids)}
    count = len(edges)
    rows = [need_row[n] for n, _, _ in edges] + [provider_row[p] for _, p, _ in edges]
    a = sparse.csr_array(
        (np.ones(2 * count), (rows, list(range(count)) * 2)),
        shape=(len(need_ids) + len(provider_ids), count),
    )
    upper = np.array([1] * len(need_ids) + [free_places[p] for p in provider_ids], dtype=float)
    constraints = [optimize.LinearConstraint(a, -np.inf, upper)]
    tier = np.array([needs[n] for n, _, _ in edges])
    score = np.array([s for _, _, s in edges])
    integrality = np.ones(count)
    bounds = optimize.Bounds(0, 1)
    key = []
    for urgency in (Urgency.URGENT, Urgency.SOON):
        mask = (tier == urgency).astype(float)
        result = optimize.milp(
            -mask, constraints=constraints, integrality=integrality, bounds=bounds
        )
        best = round(-result.fun)
        key.append(best)
        constraints.append(optimize.LinearConstraint(mask.reshape(1, -1), best, np.inf))
    result = optimize.milp(-score, constraints=constraints, integrality=integrality, bounds=bounds)
    if not result.success:
        raise RuntimeError(f"The reference solve failed: {result.message}")
    return float(-result.fun), (*key, float(-result.fun))


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _database_url() -> str:
    """DATABASE_URL for the database this process uses now (the bench's fresh one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


@contextmanager
def task_workers(count: int):
    """`count` db_worker processes against this process's database, stopped on exit (each
    by its own process id). Yields nothing when count is 1: the solve stays in process."""
    if count <= 1:
        yield []
        return
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "TASKS_BACKEND": DATABASE_TASKS["default"]["BACKEND"],
    }
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker"]
    command += ["--no-reload", "--no-startup-delay", "--interval", "0.05"]
    workers = [
        subprocess.Popen(
            [*command, "--worker-id", f"bench-{index}"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for index in range(count)
    ]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


def _queued_emails_send() -> int:
    """Do what the task workers do with the run's queued email tasks: render and hand over
    each email (in this process, with the inline backend, so nothing stays queued)."""
    from django_tasks_db.models import DBTaskResult

    from matchmaking.notifications import notification_emails_send
    from matchmaking.tasks import send_notification_emails

    queued = DBTaskResult.objects.filter(task_path=send_notification_emails.module_path)
    sent = 0
    for args_kwargs in queued.values_list("args_kwargs", flat=True):
        sent += notification_emails_send(*args_kwargs["args"], **args_kwargs["kwargs"])
    queued.delete()
    return sent


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss is KB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def reset_run_peak() -> bool:
    """Start measuring the peak memory afresh (Linux: VmHWM), so building the synthetic city,
    which a real run never does, is left out of `run_peak_rss_mb`. False where unsupported."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def run_peak_rss_mb() -> float | None:
    """The peak resident set size since `reset_run_peak`, in MB (None where unsupported)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run(options: dict, *, write, fresh_database: bool = True) -> dict:
    """Build the city, allocate it (graph, solve, offers) and return the figures (also written).

    `total_seconds` is what a council waits for: the candidate graph, the solve and writing
    the offers, the three steps of `allocation.allocation_run`. The references (SciPy and
    HiGHS) run only with `--verify`: HiGHS alone takes longer than all the rest.
    """
    providers, needs, seed = options["providers"], options["needs"], options["seed"]
    verify = options.get("verify", False)
    workers = options.get("workers", 1)
    place = database.fresh_database() if fresh_database else nullcontext(None)
    with place as database_name:
        if database_name:
            write(f"Fresh {connection.vendor} database: {database_name}")
        started = time.perf_counter()
        city = build_city(
            providers=providers, needs=needs, seed=seed, towns=options.get("towns", 1)
        )
        _set_urgencies(city.needs, seed)
        write(
            f"Built a city of {city.providers} providers ({city.active_providers} active) and "
            f"{len(city.needs)} open needs in {time.perf_counter() - started:.1f} s."
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        measured_apart = reset_run_peak()
        now = timezone.now()
        # As in production, the tasks go to the database backend: the run writes the offers
        # and their notifications and queues their emails (one task a transaction), and the
        # task workers send them in the background. Rendering and handing over those emails
        # is timed apart ("emails_seconds"), not delivered: the console backend would print
        # thousands here.
        with override_settings(DEBUG=False, EMAIL_BACKEND=DISCARD_EMAIL, TASKS=DATABASE_TASKS):
            # The task workers start before the graph (a Django start-up each) and stop once
            # they have solved: left running, they would take the offers' email tasks too.
            with task_workers(workers):
                rows = allocation.open_needs().filter(pk__in=city.needs)
                graph = allocation.build_graph(rows, now=now)
                write(
                    f"Candidate graph: {len(graph.needs)} needs, {len(graph.free_places)} "
                    f"providers, {len(graph.edges)} edges, built in {graph.seconds:.1f} s."
                )
                solve_seconds, result = _timed(
                    allocation.solve,
                    graph.needs,
                    graph.free_places,
                    graph.edges,
                    workers=workers,
                )
            one_process = None
            if workers > 1:
                # The same graph in this process, for the comparison: the same optimum.
                one_process = _timed(allocation.solve, graph.needs, graph.free_places, graph.edges)
            offers_seconds, (offered, _, skipped) = _timed(
                allocation.allocation_offers_send, graph=graph, allocation=result, now=now
            )
        with override_settings(EMAIL_BACKEND=DISCARD_EMAIL):
            emails_seconds, emails = _timed(_queued_emails_send)
    total_seconds = graph.seconds + solve_seconds + offers_seconds
    peak_mb = peak_rss_mb()
    run_peak_mb = run_peak_rss_mb() if measured_apart else None
    key = _key(result.assigned, result.scores, graph.needs)
    components = allocation._components(*_solvable(graph))
    write(
        f"{len(components)} connected components, the largest with "
        f"{max(map(len, components), default=0)} needs; solved on "
        f"{workers if workers > 1 else 'no'} task workers."
    )
    write(
        f"OR-Tools: {solve_seconds:.3f} s, {result.matched} matched "
        f"(urgent {key[0]}, soon {key[1]}), total score {result.total_score:.6f}."
    )
    if one_process is not None:
        alone_seconds, alone = one_process
        same = _key(alone.assigned, alone.scores, graph.needs)[:2] == key[:2] and abs(
            alone.total_score - result.total_score
        ) <= GAP * max(abs(alone.total_score), 1.0)
        write(
            f"The same graph in one process: {alone_seconds:.3f} s, "
            f"{'the same optimum' if same else 'A DIFFERENT RESULT'}."
        )
        if not same:
            write("WARNING: the workers' optimum differs from the single process's.")
    write(f"Offers: {offered} written in {offers_seconds:.1f} s ({len(skipped)} skipped).")
    write(f"Their {emails} emails rendered and handed over in {emails_seconds:.1f} s (a worker's).")
    usable = _usable(graph)
    greedy_result = greedy(graph.needs, graph.free_places, usable)
    write(f"Greedy: {greedy_result.matched} matched, total score {greedy_result.total_score:.6f}.")
    if result.matched < greedy_result.matched:
        write("WARNING: greedy matched more needs.")
    figures = {
        "needs": len(graph.needs),
        "providers": city.providers,
        "edges": len(graph.edges),
        "total_seconds": round(total_seconds, 3),
        "graph_seconds": round(graph.seconds, 3),
        "solve_seconds": round(solve_seconds, 3),
        "offers_seconds": round(offers_seconds, 3),
        "emails_seconds": round(emails_seconds, 3),
        "emails": emails,
        "workers": workers,
        "towns": options.get("towns", 1),
        "one_process_solve_seconds": round(one_process[0], 3) if one_process else None,
        "components": len(components),
        "largest_component_needs": max(map(len, components), default=0),
        "peak_rss_mb": round(peak_mb, 1),
        "run_peak_rss_mb": round(run_peak_mb, 1) if run_peak_mb is not None else None,
        "matched": result.matched,
        "offered": offered,
        "total_score": round(result.total_score, 6),
        "greedy_matched": greedy_result.matched,
        "greedy_total_score": round(greedy_result.total_score, 6),
    }
    if verify:
        figures.update(_verify(graph, result, key, usable, write))
    write(
        f"Total {figures['total_seconds']} s (graph {figures['graph_seconds']} s, solve "
        f"{figures['solve_seconds']} s, offers {figures['offers_seconds']} s), peak RSS "
        f"{figures['peak_rss_mb']} MB ({figures['run_peak_rss_mb']} MB from the graph on)."
    )
    write(json.dumps(figures))
    return figures


def _verify(graph, result, key, usable, write) -> dict:
    """The same graph solved by SciPy and by the HiGHS reference: is OR-Tools optimal?"""
    scipy_seconds, scipy_result = _timed(scipy_solve, graph.needs, graph.free_places, usable)
    scipy_key = _key(scipy_result.assigned, scipy_result.scores, graph.needs)
    write(
        f"SciPy LAPJVsp: {scipy_seconds:.3f} s, {scipy_result.matched} matched "
        f"(urgent {scipy_key[0]}, soon {scipy_key[1]}), total score "
        f"{scipy_result.total_score:.6f}."
    )
    reference_seconds, (reference_total, reference_key) = _timed(
        reference, graph.needs, graph.free_places, usable
    )
    gap = abs(result.total_score - reference_total) / max(abs(reference_total), 1e-12)
    exact = key[:2] == reference_key[:2] and gap <= GAP
    scipy_exact = (
        scipy_key[:2] == reference_key[:2]
        and abs(scipy_result.total_score - reference_total) / max(reference_total, 1e-12) <= GAP
    )
    write(
        f"Reference (HiGHS, three stages, {reference_seconds:.1f} s): urgent {reference_key[0]}, "
        f"soon {reference_key[1]}, total score {reference_total:.6f}; relative gap {gap:.2e}; "
        f"SciPy {'exact' if scipy_exact else 'NOT optimal'}."
    )
    if not exact:
        write("WARNING: the allocation differs from the reference optimum.")
    return {
        "reference_total_score": round(reference_total, 6),
        "relative_gap": gap,
        "optimal": exact,
        "scipy_seconds": round(scipy_seconds, 3),
        "scipy_exact": scipy_exact,
    }
