"""Batch allocation: offer many open needs at once, as one min-cost-flow problem.

`solve` is pure (plain data in, plain data out); `allocation_run` reads a scope (a programme,
an area, or both) from the database, ranks each open need without a live match against the
scope's providers read once (`candidates.CandidateBatch`, the same ranking as
`candidates.rank_need`), solves, and offers each assigned need to its provider through
`lifecycle.need_offer_allocated_many`. Each programme or area is an independent problem, so runs
can be spread over workers (one background task per scope).

The objective, lexicographic in this order:

1. as many urgent needs matched as possible;
2. then as many needs due soon;
3. then the largest total score (routine needs compete on score alone, and since every score
   is positive an extra match nearly always adds to the total).

It is written as one integer cost: each need may take a bypass arc to the sink ("left
unmatched") that costs a penalty by urgency, and each candidate arc costs minus its score
scaled to an integer (SCORE_SCALE). With S the sum over needs of their best scaled score, the
penalties are 0 (routine), S + 1 (soon) and 2 (S + 1) (urgent). Why that is enough: if an
allocation G matched more urgent needs than the optimum F, G - F would split into cycles of F's
residual graph, one of them matching one more urgent need. A simple cycle passes the sink once,
so it matches at most one need and unmatches at most one (here not an urgent one: at most
S + 1), and gains at most S in scores: its cost is at most -2 (S + 1) + (S + 1) + S < 0, so F
was not optimal. Likewise for needs due soon once the urgent count is fixed (-(S + 1) + 0 + S),
and then the bypass costs are equal and the lowest cost is the largest score. The costs stay
below 2 (S + 1) <= 2 n SCORE_SCALE + 2 for n needs: linear in n (they grew with n squared
before), so 200,000 needs in one scope fit OR-Tools' int64 arithmetic with room to spare.

Connected components of the candidate graph (needs and providers sharing no edge, directly or
not) are independent problems: `solve` splits them and solves each exactly, which gives the
same optimum as one solve (tested) and keeps each problem, and its costs, small.

Solver chosen by measurement (`manage.py bench allocation`, 5,000 needs, 20,000 providers,
see matchmaking/bench/allocation.py): OR-Tools' SimpleMinCostFlow (cost scaling on integers,
exact) against SciPy's `min_weight_full_bipartite_matching` (LAPJVsp on floats, which needs
every provider expanded into one column per free place and one bypass column per need, and
loses exactness once the urgency penalties reach 10^12). OR-Tools was both faster and exact.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from ortools.graph.python import min_cost_flow

from accounts.exceptions import TransitionError
from matchmaking import candidates, lifecycle, scoping
from matchmaking.constants import LIVE_STATUSES
from matchmaking.models import AllocationRun, Match
from services.constants import NeedStatus, Urgency
from services.models import Need
from services.selectors import slots_attach

# Offers written and committed together by allocation_offers_send.
OFFERS_PER_TRANSACTION = 500
# Scores are in [0, 1]; the solver works on integers.
SCORE_SCALE = 10**6
# OR-Tools multiplies costs by the number of nodes + 1 while scaling: keep that within int64.
_INT64_MAX = 2**63 - 1
# Lowest tier first.
URGENCY_TIERS = (Urgency.ROUTINE, Urgency.SOON, Urgency.URGENT)
URGENCY_RANK = {urgency: rank for rank, urgency in enumerate(URGENCY_TIERS)}
# Below this many arcs one process solves the graph faster than handing it to workers.
WORKERS_FROM_EDGES = 20_000
# How long `solve_on_workers` waits for the task workers before giving up.
WORKERS_WAIT_SECONDS = 600
# New objects between two of Python's youngest cycle collections during a run (default 700).
BATCH_GC_THRESHOLD = 20_000


@contextmanager
def _collecting_rarely():
    """Run Python's cycle collector less often for the duration of a batch step.

    A run holds a large graph alive (providers' records, edges, needs) while it creates
    hundreds of thousands of objects more, and at the default threshold the collector walked
    all of it again and again: in `bench allocation`'s 5,000 × 20,000 run, 8 full collections
    took 1.3 s of a 9.6 s run; at 20,000, one took 0.16 s (all collections 0.4 s against 1.5),
    with the same peak memory. Garbage is still collected, only in bigger steps. Nested steps,
    or a process already collecting rarely, keep the threshold they found.
    """
    thresholds = gc.get_threshold()
    if thresholds[0] >= BATCH_GC_THRESHOLD:
        yield
        return
    gc.set_threshold(BATCH_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class UnmatchedReason:
    """Why a need was left without an offer (keys of AllocationRun.figures["unmatched"])."""

    NO_CANDIDATE = "no_candidate"  # nobody passes the hard filters
    CANDIDATES_FULL = "candidates_full"  # only providers with no free place passed
    OUTBID = "outbid"  # its candidates went to more urgent or better-scoring needs
    SKIPPED = "skipped"  # assigned, but the need or provider changed before the offer

    ALL = (NO_CANDIDATE, CANDIDATES_FULL, OUTBID, SKIPPED)


@dataclass(frozen=True, slots=True)
class Allocation:
    """The solver's answer: need id -> provider id, and why the others were left out."""

    assigned: dict[int, int]
    scores: dict[int, float]  # need id -> score of its assigned edge
    unmatched: dict[int, str]  # need id -> UnmatchedReason
    total_score: float = field(default=0.0)

    @property
    def matched(self) -> int:
        return len(self.assigned)


def _penalties(
    urgency_of: Mapping[int, str], best: Mapping[int, int]
) -> tuple[dict[str, int], int]:
    """Bypass cost per urgency, and the largest of them (see the module docstring)."""
    most_score = sum(best.values())
    penalties: dict[str, int] = {}
    for rank, urgency in enumerate(URGENCY_TIERS):
        penalties[urgency] = rank * (most_score + 1)
    return penalties, max(penalties.values())


@_collecting_rarely()
def solve(
    needs: Mapping[int, str],
    free_places: Mapping[int, int],
    edges: Iterable[tuple[int, int, float]],
    *,
    score_scale: int = SCORE_SCALE,
    split: bool = True,
    workers: int = 1,
) -> Allocation:
    """Assign needs to providers: at most one provider a need, at most `free_places` a provider.

    `needs` maps need id -> urgency (a services.constants.Urgency value); `free_places` maps
    provider id -> places left; `edges` are (need id, provider id, score in [0, 1]). Edges
    to unknown needs or to providers without a free place are ignored. The objective is
    lexicographic: urgent needs matched, then needs due soon, then the total score (module
    docstring). Deterministic for the same input. Each connected component of the graph is
    solved on its own (`split=False` solves them as one problem: the same optimum, slower);
    with `workers` > 1 and a large graph, groups of components are solved as background
    tasks on the task workers (`solve_on_workers`), each exactly, so the optimum is the same.
    """
    edges_by_need: dict[int, list[tuple[int, int]]] = {need: [] for need in needs}
    seen_any: set[int] = set()
    exact: dict[tuple[int, int], float] = {}
    for need, provider, score in edges:
        if need not in edges_by_need:
            continue
        seen_any.add(need)
        if free_places.get(provider, 0) <= 0 or (need, provider) in exact:
            continue
        exact[(need, provider)] = score
        edges_by_need[need].append((provider, round(score * score_scale)))

    unmatched: dict[int, str] = {}
    for need, arcs in edges_by_need.items():
        if not arcs:
            unmatched[need] = (
                UnmatchedReason.CANDIDATES_FULL
                if need in seen_any
                else UnmatchedReason.NO_CANDIDATE
            )
    solvable = {need: needs[need] for need, arcs in edges_by_need.items() if arcs}
    if not solvable:
        return Allocation(assigned={}, scores={}, unmatched=unmatched)

    assigned: dict[int, int] = {}
    components = _components(solvable, edges_by_need) if split else [sorted(solvable)]
    arcs = sum(len(edges_by_need[need]) for need in solvable)
    if workers > 1 and len(components) > 1 and arcs >= WORKERS_FROM_EDGES:
        assigned = solve_on_workers(
            components, solvable, edges_by_need, free_places, score_scale, workers=workers
        )
    else:
        for component in components:
            assigned.update(_flow(component, solvable, edges_by_need, free_places, score_scale))
    scores = {need: exact[(need, provider)] for need, provider in assigned.items()}
    for need in sorted(solvable):
        if need not in assigned:
            unmatched[need] = UnmatchedReason.OUTBID
    return Allocation(
        assigned=assigned,
        scores=scores,
        unmatched=unmatched,
        total_score=sum(scores.values()),
    )


def _components(needs: Iterable[int], edges_by_need) -> list[list[int]]:
    """The needs of each connected component of the candidate graph (union-find on providers,
    by position: a need is its index, a provider the index after the needs it was first
    met at; tuples as nodes cost half a second for a 5,000-need city)."""
    needs = list(needs)
    parent = list(range(len(needs)))
    provider_node: dict[int, int] = {}

    def root(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for index, need in enumerate(needs):
        need_root = root(index)
        for provider, _ in edges_by_need[need]:
            node = provider_node.get(provider)
            if node is None:
                # A provider first met here joins this need's component directly.
                provider_node[provider] = len(parent)
                parent.append(need_root)
                continue
            other = root(node)
            if other != need_root:
                parent[other] = need_root
    groups: dict[int, list[int]] = {}
    for index, need in enumerate(needs):
        groups.setdefault(root(index), []).append(need)
    return [sorted(group) for group in groups.values()]


def _bins(components: list[list[int]], edges_by_need, count: int) -> list[list[list[int]]]:
    """Components dealt into `count` groups of about equal work (arcs), largest first."""
    size = {id(c): sum(len(edges_by_need[n]) for n in c) for c in components}
    bins: list[list[list[int]]] = [[] for _ in range(count)]
    loads = [0] * count
    for component in sorted(components, key=lambda c: (-size[id(c)], c[0])):
        lightest = loads.index(min(loads))
        bins[lightest].append(component)
        loads[lightest] += size[id(component)]
    return [group for group in bins if group]


def solve_on_workers(
    components, urgency_of, edges_by_need, free_places, score_scale, *, workers
) -> dict[int, int]:
    """Solve groups of components as `tasks.solve_components` jobs and wait for them all.

    Each job gets its components as plain data (needs, arcs with their integer scores,
    places) and solves each component exactly with `_flow`, as this process would: the
    components share no need and no provider, so their answers simply add up. With the
    database tasks backend the `db_worker` processes take them in parallel; with the inline
    backend they run here, one after another.
    """
    from matchmaking.tasks import solve_components

    results = []
    for group in _bins(components, edges_by_need, workers):
        needs = [need for component in group for need in component]
        providers = sorted({p for need in needs for p, _ in edges_by_need[need]})
        arcs = [arc for need in needs for arc in edges_by_need[need]]
        problem = {
            "components": group,
            "urgency": [urgency_of[need] for need in needs],
            "degree": [len(edges_by_need[need]) for need in needs],
            "arc_providers": [provider for provider, _ in arcs],
            "arc_scores": [scaled for _, scaled in arcs],
            "providers": providers,
            "free_places": [free_places[p] for p in providers],
            "score_scale": score_scale,
        }
        # JSON text, not a dict: django-tasks checks every element of a structure (a
        # second for a 5,000-need city's 142,000 arcs), a string at once.
        results.append(solve_components.enqueue(json.dumps(problem, separators=(",", ":"))))
    started = time.monotonic()
    while not all(result.is_finished for result in results):
        if time.monotonic() - started > WORKERS_WAIT_SECONDS:
            raise RuntimeError(
                f"The task workers did not solve the allocation within {WORKERS_WAIT_SECONDS} s."
            )
        time.sleep(0.02)
        for result in results:
            if not result.is_finished:
                result.refresh()
    assigned: dict[int, int] = {}
    for result in results:
        answer = json.loads(result.return_value)
        assigned.update(zip(answer["needs"], answer["providers"], strict=True))
    return assigned


def components_solve(problem: str) -> str:
    """A worker's share of `solve_on_workers`, as JSON text both ways: the components' needs,
    each need's urgency and number of arcs, the arcs' providers and integer scores in need
    order, the providers with their free places; the answer is the needs matched and their
    providers."""
    problem = json.loads(problem)
    needs = [need for component in problem["components"] for need in component]
    urgency_of = dict(zip(needs, problem["urgency"], strict=True))
    free_places = dict(zip(problem["providers"], problem["free_places"], strict=True))
    arcs = list(zip(problem["arc_providers"], problem["arc_scores"], strict=True))
    edges_by_need: dict[int, list[tuple[int, int]]] = {}
    start = 0
    for need, degree in zip(needs, problem["degree"], strict=True):
        edges_by_need[need] = arcs[start : start + degree]
        start += degree
    assigned: dict[int, int] = {}
    for component in problem["components"]:
        assigned.update(
            _flow(component, urgency_of, edges_by_need, free_places, problem["score_scale"])
        )
    matched = sorted(assigned)
    return json.dumps(
        {"needs": matched, "providers": [assigned[need] for need in matched]},
        separators=(",", ":"),
    )


def _flow(need_ids, urgency_of, edges_by_need, free_places, score_scale) -> dict[int, int]:
    """One component as a min-cost flow: need id -> provider id for the needs it matches."""
    best = {need: max(cost for _, cost in edges_by_need[need]) for need in need_ids}
    penalties, largest = _penalties({need: urgency_of[need] for need in need_ids}, best)
    providers = sorted({p for need in need_ids for p, _ in edges_by_need[need]})
    # Nodes: needs 0..n-1, providers n..n+m-1, sink n+m.
    n, m = len(need_ids), len(providers)
    sink = n + m
    if max(largest, score_scale) * (n + m + 2) > _INT64_MAX:
        raise OverflowError(
            f"{n} needs are too many for one exact solve: split the run by area or programme."
        )
    provider_node = {p: n + i for i, p in enumerate(providers)}

    tails, heads, capacities, costs = [], [], [], []
    for index, need in enumerate(need_ids):
        for provider, scaled in edges_by_need[need]:
            tails.append(index)
            heads.append(provider_node[provider])
            capacities.append(1)
            costs.append(-scaled)
        # The bypass: leaving the need unmatched costs its tier's penalty.
        tails.append(index)
        heads.append(sink)
        capacities.append(1)
        costs.append(penalties[urgency_of[need]])
    edge_count = len(tails) - n
    for provider in providers:
        tails.append(provider_node[provider])
        heads.append(sink)
        capacities.append(min(free_places[provider], n))
        costs.append(0)

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(list(range(n + m + 1)), [1] * n + [0] * m + [-n])
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The min-cost-flow solver failed (status {status}).")

    assigned: dict[int, int] = {}
    flows = flow.flows(arcs[: edge_count + n])
    for arc, used in enumerate(flows):
        if used and heads[arc] != sink:
            assigned[need_ids[tails[arc]]] = providers[heads[arc] - n]
    return assigned


# --- the database run -----------------------------------------------------------------------


@dataclass
class Graph:
    """A scope's problem as plain data, with what the offers need kept alongside."""

    needs: dict[int, str]  # need id -> urgency
    free_places: dict[int, int]  # provider id -> free places
    edges: list[tuple[int, int, float]]
    full: set[int]  # needs whose only passing providers had no free place
    need_rows: dict[int, Need]
    batch: candidates.CandidateBatch | None = None
    seconds: float = 0.0

    def explanation(self, need_id: int, provider_id: int) -> dict:
        """What staff see for an edge, worked out when it is offered: 2.7 KB an edge, so
        keeping them for every edge of a county's graph would cost more than the rest."""
        return self.batch.explanation(need_id, provider_id)


def open_needs(*, programme=None, area=None, area_ids=None):
    """Open needs without a live match in the scope, by id (build_graph reads their slots)."""
    queryset = Need.objects.filter(status=NeedStatus.OPEN).exclude(
        Exists(Match.objects.filter(need=OuterRef("pk"), status__in=LIVE_STATUSES))
    )
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if area is not None:
        queryset = queryset.filter(area=area)
    if area_ids is not None:
        queryset = queryset.filter(area_id__in=area_ids)
    # Prefetched rather than joined: a scope's thousands of needs share a few categories and
    # programmes, read once each instead of once a need with their JSON columns (0.27 s of
    # 5,000 needs' 0.46 s).
    return (
        queryset.prefetch_related("category", "programme").only(*GRAPH_NEED_FIELDS).order_by("pk")
    )


# What ranking a need reads of it (candidates.need_facts, the history's people): a need has 39
# columns, most of them the resident's details, which the graph never shows.
GRAPH_NEED_FIELDS = (
    "category",
    "programme",
    "requested_by",
    "resident",
    "schedule",
    "on_date",
    "starts_at",
    "ends_at",
    "urgency",
    "latitude",
    "longitude",
    "language",
    "language_required",
)


# Each need brings its best-ranked candidates to the graph: the long tail of weak
# candidates almost never wins a place but multiplies the problem's size (in a
# 20,000-provider city about 374 providers a need pass the SQL filters and 195 are ranked,
# measured with `manage.py bench scoring --providers 20000`; 30 keeps the graph ~6x smaller).
CANDIDATES_PER_NEED = 30


@_collecting_rarely()
def build_graph(needs, *, now=None, per_need=CANDIDATES_PER_NEED) -> Graph:
    """Rank every need against the scope's providers, read once (`candidates.CandidateBatch`).

    Each need brings its `per_need` best candidates, ranked as `candidates.rank_need` would:
    by NumPy alone where that is provably the engine's ranking (`CandidateBatch.edges`), else
    by the engine on a shortlist (`CandidateBatch.rank`). Explanations wait for the offers.
    """
    started = time.perf_counter()
    needs = slots_attach(needs)
    batch = candidates.CandidateBatch(needs, now=now or timezone.now())
    graph = Graph(needs={}, free_places={}, edges=[], full=set(), need_rows={}, batch=batch)
    for need in needs:
        graph.needs[need.pk] = need.urgency
        graph.need_rows[need.pk] = need
        ranked = batch.edges(need, limit=per_need)
        if ranked is None:
            ranking = batch.rank(need, limit=per_need)
            ranked = [(scored.provider_id, scored.score) for scored in ranking.ranked]
            if not ranked and any(e.reason == "no_capacity" for e in ranking.excluded):
                graph.full.add(need.pk)
        graph.edges.extend((need.pk, provider, score) for provider, score in ranked)
    graph.free_places = {provider: batch.free_places[provider] for _, provider, _ in graph.edges}
    graph.seconds = time.perf_counter() - started
    return graph


def allocation_scope_check(*, actor, programme=None, area=None) -> None:
    """Refuse a run outside the actor's areas (a TransitionError says why)."""
    if actor is None:
        return
    if not (actor.is_active and actor.is_staff):
        raise TransitionError("Only council staff can start an allocation run.")
    if programme is None and area is None:
        raise TransitionError("Choose a programme or an area.")
    if area is not None and not scoping.works_in(actor, area.pk):
        raise TransitionError("You can only run an allocation for an area you work in.")


@_collecting_rarely()
def allocation_offers_send(*, graph: Graph, allocation: Allocation, actor=None, now=None):
    """Offer each assigned need to its provider; return (offered, their total score, skipped).

    Most urgent, then best-scoring first: if something changed since the graph was read, they
    go first. `skipped` lists the needs `lifecycle.need_offer_allocated_many` refused (the
    need or the provider changed meanwhile).
    """
    order = sorted(
        allocation.assigned,
        key=lambda need_id: (-URGENCY_RANK[graph.needs[need_id]], -allocation.scores[need_id]),
    )
    offered, total, skipped = 0, 0.0, []
    for start in range(0, len(order), OFFERS_PER_TRANSACTION):
        # need_offer_allocated_many locks, checks again and writes a group in a handful of
        # queries; groups keep the rows locked well under a second, and emails go as each
        # group commits.
        edges = []
        for need_id in order[start : start + OFFERS_PER_TRANSACTION]:
            explanation = graph.explanation(need_id, allocation.assigned[need_id])
            # The engine's score, which the graph's (from NumPy) matches to about 1e-15.
            edges.append(
                lifecycle.AllocatedEdge(
                    need=need_id,
                    provider=allocation.assigned[need_id],
                    score=explanation["score"],
                    explanation=explanation,
                )
            )
        result = lifecycle.need_offer_allocated_many(edges=edges, actor=actor, now=now)
        skipped.extend(edge.need for edge, _ in result.refused)
        offered += len(result.offers)
        total += sum(offer.score for offer in result.offers)
    return offered, total, skipped


def allocation_run(*, actor, programme=None, area=None, run=None, now=None, workers=1):
    """Allocate the scope's open needs and record an AllocationRun (returned).

    The scope is `programme`, `area` or both; staff only ever allocate needs in the areas
    they work in (a programme run by a ward officer covers the programme's needs in their
    wards). `actor=None` is the system (the demo, a scheduled job). Pass `run` to fill an
    AllocationRun created beforehand (the background task does). With `workers` > 1 a large
    graph's components are solved on the task workers (`solve_on_workers`).
    """
    allocation_scope_check(actor=actor, programme=programme, area=area)
    area_ids = scoping.staff_area_ids(actor) if actor is not None else None
    if run is None:
        run = AllocationRun.objects.create(started_by=actor, programme=programme, area=area)
    started = time.perf_counter()
    now = now or timezone.now()
    run.parameters = {
        **(run.parameters or {}),
        "programme": programme.pk if programme is not None else None,
        "area": area.pk if area is not None else None,
        "staff_areas": sorted(area_ids) if area_ids is not None else "all",
        "objective": "urgent matched, then soon matched, then total score",
        "score_scale": SCORE_SCALE,
        "solver": "ortools.SimpleMinCostFlow",
    }

    graph = build_graph(open_needs(programme=programme, area=area, area_ids=area_ids), now=now)
    solve_started = time.perf_counter()
    allocation = solve(graph.needs, graph.free_places, graph.edges, workers=workers)
    solve_seconds = time.perf_counter() - solve_started
    unmatched = dict(allocation.unmatched)
    for need_id in graph.full:
        unmatched[need_id] = UnmatchedReason.CANDIDATES_FULL

    offers_started = time.perf_counter()
    offered, total, skipped = allocation_offers_send(
        graph=graph, allocation=allocation, actor=actor, now=now
    )
    offers_seconds = time.perf_counter() - offers_started
    unmatched.update(dict.fromkeys(skipped, UnmatchedReason.SKIPPED))

    by_reason = dict.fromkeys(UnmatchedReason.ALL, 0)
    for reason in unmatched.values():
        by_reason[reason] += 1
    by_urgency = {
        urgency: {
            "considered": sum(1 for u in graph.needs.values() if u == urgency),
            "matched": sum(
                1
                for need_id in allocation.assigned
                if graph.needs[need_id] == urgency and unmatched.get(need_id) is None
            ),
        }
        for urgency in reversed(URGENCY_TIERS)
    }
    duration = time.perf_counter() - started
    run.figures = {
        "needs_considered": len(graph.needs),
        "providers": len(graph.free_places),
        "edges": len(graph.edges),
        "matched": offered,
        "total_score": round(total, 6),
        "unmatched": by_reason,
        "by_urgency": by_urgency,
        "graph_seconds": round(graph.seconds, 3),
        "solve_seconds": round(solve_seconds, 3),
        "offers_seconds": round(offers_seconds, 3),
        "duration_seconds": round(duration, 3),
    }
    run.finished_at = timezone.now()
    run.duration_ms = round(duration * 1000)
    with transaction.atomic():
        run.save()
    return run


def allocation_run_start(*, actor, programme=None, area=None, run=None):
    """Record a run for the scope and hand it to a background task (`tasks.run_allocation`).

    Refused (TransitionError) outside the actor's areas. The task is queued once the
    transaction commits, so the worker finds the row; with the inline backend it runs then.
    """
    from matchmaking.tasks import run_allocation

    allocation_scope_check(actor=actor, programme=programme, area=area)
    if run is None:
        run = AllocationRun(started_by=actor, programme=programme, area=area)
    run.started_by, run.programme, run.area = actor, programme, area
    run.parameters = {"queued": True}
    run.save()
    transaction.on_commit(lambda: run_allocation.enqueue(run.pk))
    return run
