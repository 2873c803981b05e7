"""Batch allocation: the pure solver against hand-checked answers and brute force, then the run."""

import gc
import itertools
import json
import random
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.exceptions import TransitionError
from matchmaking import allocation, lifecycle, scoring
from matchmaking.allocation import UnmatchedReason, solve
from matchmaking.constants import MatchStatus, ProposedBy
from matchmaking.models import AllocationRun, Match
from matchmaking.scoping import grant_area
from services.constants import Urgency
from tests.factories import AreaFactory, NeedFactory, ProgrammeFactory, StaffFactory, category
from tests.matching import NOW, eligible_cook, make_match

URGENT, SOON, ROUTINE = Urgency.URGENT, Urgency.SOON, Urgency.ROUTINE

# --- the pure solver -------------------------------------------------------------------------


def test_the_best_total_is_not_the_greedy_one():
    # Greedy gives need 1 its favourite (A, 0.9), leaving need 2 with nobody: 0.9.
    # The optimum is 1 -> B and 2 -> A: 0.8 + 0.7 = 1.5.
    result = solve(
        {1: ROUTINE, 2: ROUTINE}, {"A": 1, "B": 1}, [(1, "A", 0.9), (1, "B", 0.8), (2, "A", 0.7)]
    )
    assert result.assigned == {1: "B", 2: "A"}
    assert result.total_score == pytest.approx(1.5)
    assert result.unmatched == {}


def test_capacities_are_honoured():
    needs = dict.fromkeys(range(5), ROUTINE)
    edges = [(n, p, 0.5 + n / 10) for n in range(5) for p in ("A", "B")]
    result = solve(needs, {"A": 2, "B": 1}, edges)
    assert result.matched == 3
    assert list(result.assigned.values()).count("A") == 2
    assert list(result.assigned.values()).count("B") == 1
    # The three best-scoring needs win; the others lost to better-scoring needs.
    assert set(result.assigned) == {2, 3, 4}
    assert result.unmatched == {0: UnmatchedReason.OUTBID, 1: UnmatchedReason.OUTBID}


def test_urgent_needs_come_first_whatever_the_scores():
    # One place. The routine need scores far higher, but the urgent one gets it.
    result = solve(
        {1: ROUTINE, 2: URGENT, 3: SOON}, {"A": 1}, [(1, "A", 1.0), (2, "A", 0.01), (3, "A", 0.9)]
    )
    assert result.assigned == {2: "A"}


def test_one_more_urgent_match_beats_any_number_of_better_routine_ones():
    # Urgent need 0 can only use A; routine needs 1..3 score 1.0 with A and 0.0 elsewhere.
    needs = {0: URGENT, 1: ROUTINE, 2: ROUTINE, 3: ROUTINE}
    edges = [(0, "A", 0.05)] + [(n, "A", 1.0) for n in (1, 2, 3)]
    edges += [(n, f"P{n}", 0.001) for n in (1, 2, 3)]
    result = solve(needs, {"A": 1, "P1": 1, "P2": 1, "P3": 1}, edges)
    assert result.assigned[0] == "A"
    assert result.matched == 4


def test_soon_needs_come_before_routine_ones():
    result = solve({1: ROUTINE, 2: SOON}, {"A": 1}, [(1, "A", 0.99), (2, "A", 0.1)])
    assert result.assigned == {2: "A"}
    assert result.unmatched == {1: UnmatchedReason.OUTBID}


def test_reasons_for_needs_left_out():
    result = solve(
        {1: ROUTINE, 2: ROUTINE, 3: ROUTINE},
        {"A": 0, "B": 1},
        [(2, "A", 0.9), (3, "B", 0.5)],
    )
    assert result.assigned == {3: "B"}
    assert result.unmatched == {
        1: UnmatchedReason.NO_CANDIDATE,
        2: UnmatchedReason.CANDIDATES_FULL,
    }


def test_nothing_to_solve():
    assert solve({}, {}, []).matched == 0
    assert solve({1: URGENT}, {}, []).unmatched == {1: UnmatchedReason.NO_CANDIDATE}


def _key(assignment, needs, scores):
    """What the solver maximises, lexicographically."""
    return (
        sum(1 for n in assignment if needs[n] == URGENT),
        sum(1 for n in assignment if needs[n] == SOON),
        round(sum(scores[(n, p)] for n, p in assignment.items()), 9),
    )


def _brute_force(needs, capacity, edges):
    scores = {(n, p): s for n, p, s in edges}
    options = {n: [None] + [p for m, p, _ in edges if m == n] for n in needs}
    best = None
    order = sorted(needs)
    for choice in itertools.product(*(options[n] for n in order)):
        used = {}
        for p in choice:
            if p is not None:
                used[p] = used.get(p, 0) + 1
        if any(count > capacity[p] for p, count in used.items()):
            continue
        assignment = {n: p for n, p in zip(order, choice, strict=True) if p is not None}
        key = _key(assignment, needs, scores)
        if best is None or key > best:
            best = key
    return best


@pytest.mark.parametrize("seed", range(60))
def test_optimal_against_brute_force_on_small_random_graphs(seed):
    rng = random.Random(seed)
    needs = {n: rng.choice([URGENT, SOON, ROUTINE]) for n in range(rng.randint(1, 6))}
    providers = [f"P{i}" for i in range(rng.randint(1, 4))]
    capacity = {p: rng.randint(0, 2) for p in providers}
    edges = [(n, p, round(rng.random(), 3)) for n in needs for p in providers if rng.random() < 0.6]
    result = solve(needs, capacity, edges)

    used = {}
    for p in result.assigned.values():
        used[p] = used.get(p, 0) + 1
    assert all(count <= capacity[p] for p, count in used.items())
    scores = {(n, p): s for n, p, s in edges}
    assert all((n, p) in scores for n, p in result.assigned.items())
    assert _key(result.assigned, needs, scores) == _brute_force(needs, capacity, edges)
    assert set(result.assigned) | set(result.unmatched) == set(needs)
    assert not set(result.assigned) & set(result.unmatched)


@pytest.mark.parametrize("seed", range(40))
def test_components_solved_apart_give_the_single_problems_optimum(seed):
    # Several towns: needs and providers of one town share edges, towns share none (and now
    # and then one provider serves two towns, joining them).
    rng = random.Random(seed)
    needs, capacity, edges = {}, {}, []
    for town in range(rng.randint(1, 5)):
        providers = [f"T{town}P{i}" for i in range(rng.randint(1, 6))]
        capacity.update({p: rng.randint(0, 2) for p in providers})
        for n in range(town * 100, town * 100 + rng.randint(1, 12)):
            needs[n] = rng.choice([URGENT, SOON, ROUTINE])
            edges += [(n, p, round(rng.random(), 3)) for p in providers if rng.random() < 0.5]
        if town and rng.random() < 0.3:
            edges.append((town * 100, "T0P0", 0.5))
            capacity.setdefault("T0P0", 1)
    scores = {(n, p): s for n, p, s in edges}
    split = solve(needs, capacity, edges)
    whole = solve(needs, capacity, edges, split=False)
    assert _key(split.assigned, needs, scores) == _key(whole.assigned, needs, scores)
    assert set(split.assigned) | set(split.unmatched) == set(needs)
    assert not set(split.assigned) & set(split.unmatched)
    if len(needs) <= 8:
        assert _key(split.assigned, needs, scores) == _brute_force(needs, capacity, edges)


def _towns(seed):
    rng = random.Random(seed)
    needs, capacity, edges = {}, {}, []
    for town in range(rng.randint(2, 6)):
        providers = [town * 1000 + i for i in range(rng.randint(1, 6))]
        capacity.update({p: rng.randint(0, 2) for p in providers})
        for n in range(town * 100, town * 100 + rng.randint(1, 12)):
            needs[n] = rng.choice([URGENT, SOON, ROUTINE])
            edges += [(n, p, round(rng.random(), 3)) for p in providers if rng.random() < 0.5]
    return needs, capacity, edges


@pytest.mark.parametrize("seed", range(20))
def test_components_solved_as_tasks_give_the_single_process_optimum(seed, monkeypatch):
    # The task path for real (the inline tasks backend runs each job as it is queued): the
    # components go out as JSON, come back as JSON, and the answer is the one-process one.
    monkeypatch.setattr(allocation, "WORKERS_FROM_EDGES", 0)
    jobs = []
    solve_for_real = allocation.components_solve
    monkeypatch.setattr(
        allocation,
        "components_solve",
        lambda problem: jobs.append(problem) or solve_for_real(problem),
    )
    needs, capacity, edges = _towns(seed)
    scores = {(n, p): s for n, p, s in edges}
    on_workers = solve(needs, capacity, edges, workers=3)
    here = solve(needs, capacity, edges)
    whole = solve(needs, capacity, edges, split=False)

    if len(allocation._components(*_solvable(needs, capacity, edges))) > 1:
        assert 1 < len(jobs) <= 3
    assert on_workers.assigned == here.assigned
    assert on_workers.unmatched == here.unmatched
    assert _key(on_workers.assigned, needs, scores) == _key(whole.assigned, needs, scores)


def _solvable(needs, capacity, edges):
    edges_by_need = {n: [] for n in needs}
    for n, p, s in edges:
        if capacity.get(p, 0) > 0:
            edges_by_need[n].append((p, s))
    return [n for n, arcs in edges_by_need.items() if arcs], edges_by_need


def test_components_are_dealt_to_workers_by_their_size():
    edges_by_need = {n: [("P", 0)] * size for n, size in enumerate([5, 4, 3, 2, 1, 1])}
    components = [[n] for n in edges_by_need]
    assert allocation._bins(components, edges_by_need, 2) == [[[0], [3], [4]], [[1], [2], [5]]]
    assert allocation._bins(components[:1], edges_by_need, 4) == [[[0]]]


def test_components_are_the_connected_parts_of_the_graph():
    edges_by_need = {1: [("A", 0)], 2: [("A", 0), ("B", 0)], 3: [("B", 0)], 4: [("C", 0)], 5: []}
    assert sorted(allocation._components([1, 2, 3, 4, 5], edges_by_need)) == [
        [1, 2, 3],
        [4],
        [5],
    ]


def test_two_hundred_thousand_needs_in_one_problem_do_not_overflow():
    # One connected problem (need i may go to provider i or i + 1), a third each urgent, soon
    # and routine: the costs grew with the square of the needs and overflowed int64 between
    # 25,000 and 30,000 needs; now they grow linearly.
    count = 200_000
    tiers = (URGENT, SOON, ROUTINE)
    needs = {n: tiers[n % 3] for n in range(count)}
    edges = [(n, p, 0.5 + (n * 7 + p) % 100 / 200) for n in range(count) for p in (n, n + 1)]
    capacity = dict.fromkeys(range(count + 1), 1)
    del capacity[count // 2]  # exactly one place a need: only one way to match them all
    result = solve(needs, capacity, edges, split=False)
    assert len(set(result.assigned.values())) == result.matched  # one need a place
    assert all(p in (n, n + 1) for n, p in result.assigned.items())
    # Every urgent and every soon need can be matched, so every one is.
    assert {n for n in needs if needs[n] != ROUTINE} <= set(result.assigned)


def test_the_overflow_guard_still_refuses_what_int64_cannot_hold():
    with pytest.raises(OverflowError, match="too many for one exact solve"):
        solve({1: URGENT, 2: ROUTINE}, {"A": 1}, [(1, "A", 0.5), (2, "A", 0.5)], score_scale=10**18)


# --- the database run ------------------------------------------------------------------------


@pytest.fixture
def area():
    return AreaFactory()


def _need(area, urgency=ROUTINE, **kwargs):
    return NeedFactory(category=category("meals"), area=area, urgency=urgency, **kwargs)


@pytest.mark.django_db
def test_a_run_offers_each_assigned_need_through_the_lifecycle(
    area, django_capture_on_commit_callbacks
):
    urgent = _need(area, URGENT)
    routine = _need(area, ROUTINE)
    lonely = _need(area, ROUTINE, latitude=area_far_latitude())
    cook = eligible_cook(urgent, capacity=1)
    staff = StaffFactory()
    grant_area(staff, area)

    with django_capture_on_commit_callbacks(execute=True):
        run = allocation.allocation_run(actor=staff, area=area, now=NOW)

    match = Match.objects.get()
    assert (match.need, match.provider) == (urgent, cook)
    assert match.status == MatchStatus.OFFERED
    assert match.proposed_by == ProposedBy.ALLOCATION
    assert match.proposed_by_user == staff
    assert set(match.explanation["components"]) >= {"proximity", "trust"}
    run.refresh_from_db()
    assert run.started_by == staff and run.area == area
    assert run.finished_at is not None and run.duration_ms is not None
    figures = run.figures
    assert figures["needs_considered"] == 3
    assert figures["matched"] == 1
    assert figures["total_score"] == pytest.approx(match.score, abs=1e-6)
    assert figures["unmatched"] == {
        "no_candidate": 1,  # lonely: nobody within reach
        "candidates_full": 0,
        "outbid": 1,  # routine: lost the only place to the urgent need
        "skipped": 0,
    }
    assert figures["by_urgency"]["urgent"] == {"considered": 1, "matched": 1}
    assert routine.matches.count() == lonely.matches.count() == 0


def area_far_latitude():
    return 53.0  # far north of every cook in these tests


@pytest.mark.django_db
def test_needs_with_a_live_match_or_not_open_are_not_considered(area):
    matched = _need(area)
    cook = eligible_cook(matched, capacity=3)
    make_match(matched, cook, MatchStatus.OFFERED)
    _need(area, status="withdrawn")
    fresh = _need(area)

    run = allocation.allocation_run(actor=None, area=area, now=NOW)

    assert run.figures["needs_considered"] == 1
    assert Match.objects.get(need=fresh).provider == cook


@pytest.mark.django_db
def test_candidates_all_full_is_its_own_reason(area):
    need = _need(area)
    other = _need(area)
    cook = eligible_cook(need, capacity=1)
    make_match(other, cook, MatchStatus.ACTIVE)
    other.status = "matched"
    other.save()

    run = allocation.allocation_run(actor=None, area=area, now=NOW)

    assert run.figures["needs_considered"] == 1
    assert run.figures["unmatched"]["candidates_full"] == 1
    assert not need.matches.exists()


@pytest.mark.django_db
def test_a_need_that_got_a_live_match_meanwhile_is_skipped(area, monkeypatch):
    need = _need(area)
    cook = eligible_cook(need, capacity=2)
    solve_for_real = allocation.solve

    def solve_then_staff_step_in(*args, **kwargs):
        result = solve_for_real(*args, **kwargs)
        make_match(need, cook, MatchStatus.OFFERED)  # staff offered it by hand meanwhile
        return result

    monkeypatch.setattr(allocation, "solve", solve_then_staff_step_in)
    run = allocation.allocation_run(actor=None, area=area, now=NOW)

    assert run.figures["matched"] == 0
    assert run.figures["unmatched"]["skipped"] == 1
    assert need.matches.count() == 1


@pytest.mark.django_db
def test_the_lifecycle_refuses_an_allocated_offer_to_a_provider_without_a_place(area):
    need = _need(area)
    other = _need(area)
    cook = eligible_cook(need, capacity=1)
    make_match(other, cook, MatchStatus.ACCEPTED)

    assert (
        lifecycle.need_offer_allocated(
            need=need, provider=cook, score=0.5, explanation={}, actor=None, now=NOW
        )
        is None
    )
    cook.capacity = 2
    cook.save()
    match = lifecycle.need_offer_allocated(
        need=need, provider=cook.pk, score=0.5, explanation={}, actor=None, now=NOW
    )
    assert match.proposed_by == ProposedBy.ALLOCATION and match.score == 0.5


@pytest.mark.django_db
def test_a_programme_run_covers_only_the_programmes_needs_in_the_staffs_areas():
    mine, theirs = AreaFactory(), AreaFactory()
    programme = ProgrammeFactory(areas=[mine, theirs], categories=[category("meals")])
    in_mine = _need(mine, programme=programme)
    _need(theirs, programme=programme)
    _need(mine)  # outside the programme
    eligible_cook(in_mine, capacity=3)
    staff = StaffFactory()
    grant_area(staff, mine)

    run = allocation.allocation_run(actor=staff, programme=programme, now=NOW)

    assert run.programme == programme
    assert run.figures["needs_considered"] == 1
    assert run.parameters["staff_areas"] == [mine.pk]
    assert list(Match.objects.values_list("need", flat=True)) == [in_mine.pk]


@pytest.mark.django_db
def test_staff_cannot_run_an_area_they_do_not_work_in(area):
    staff = StaffFactory()
    grant_area(staff, AreaFactory())
    with pytest.raises(TransitionError, match="area you work in"):
        allocation.allocation_run(actor=staff, area=area)
    assert not AllocationRun.objects.exists()


@pytest.mark.django_db
def test_the_background_task_fills_the_run_it_is_given(area):
    from matchmaking.tasks import run_allocation

    need = _need(area)
    eligible_cook(need)
    staff = StaffFactory()
    grant_area(staff, area)
    run = AllocationRun.objects.create(started_by=staff, area=area)

    run_allocation.enqueue(run.pk)  # the inline backend runs it at once

    run.refresh_from_db()
    assert run.finished_at is not None
    assert run.figures["matched"] == 1


# --- manage.py bench allocation --------------------------------------------------------------

BENCH_FIGURES = {
    "needs",
    "providers",
    "edges",
    "total_seconds",
    "graph_seconds",
    "solve_seconds",
    "offers_seconds",
    "emails_seconds",
    "emails",
    "workers",
    "towns",
    "one_process_solve_seconds",
    "components",
    "largest_component_needs",
    "peak_rss_mb",
    "run_peak_rss_mb",
    "matched",
    "offered",
    "total_score",
    "greedy_matched",
    "greedy_total_score",
}
REFERENCE_FIGURES = {
    "reference_total_score",
    "relative_gap",
    "optimal",
    "scipy_seconds",
    "scipy_exact",
}


def bench_allocation(*arguments):
    out = StringIO()
    # fresh_database=False: inside pytest the city goes into the test database.
    call_command(
        "bench",
        "allocation",
        "--needs",
        "30",
        "--providers",
        "150",
        "--seed",
        "3",
        *arguments,
        fresh_database=False,
        stdout=out,
    )
    output = out.getvalue()
    assert "WARNING" not in output
    return output, json.loads(output.strip().splitlines()[-1])


@pytest.mark.django_db
def test_bench_allocation_prints_its_figures_as_the_last_line():
    _, figures = bench_allocation("--verify")
    assert set(figures) == BENCH_FIGURES | REFERENCE_FIGURES
    assert (figures["needs"], figures["providers"]) == (30, 150)
    assert figures["edges"] > 0 and figures["matched"] > 0
    assert figures["optimal"] is True
    assert figures["total_score"] == pytest.approx(figures["reference_total_score"], rel=1e-6)
    assert figures["matched"] >= figures["greedy_matched"]
    assert figures["workers"] == 1
    assert 1 <= figures["largest_component_needs"] <= figures["needs"]
    assert figures["components"] >= 1


@pytest.mark.django_db(transaction=True)  # the offers commit, so their emails are queued
def test_bench_allocation_headline_is_the_whole_run_offers_included():
    # What a council waits for: the graph, the solve and writing the offers, not the solve
    # alone. The offers are really written (one Match proposed by the allocation each).
    output, figures = bench_allocation()
    assert set(figures) == BENCH_FIGURES  # no reference without --verify: it is the slow part
    parts = figures["graph_seconds"] + figures["solve_seconds"] + figures["offers_seconds"]
    assert figures["total_seconds"] == pytest.approx(parts, abs=0.002)
    assert figures["offers_seconds"] > 0
    assert figures["offered"] == figures["matched"]
    assert Match.objects.filter(proposed_by=ProposedBy.ALLOCATION).count() == figures["offered"]
    # Each offer's email is queued by the run and sent by a worker, timed apart.
    assert figures["emails"] == figures["offered"]
    assert figures["peak_rss_mb"] > 10
    if figures["run_peak_rss_mb"] is not None:  # Linux
        assert 10 < figures["run_peak_rss_mb"] <= figures["peak_rss_mb"] * 1.05
    assert f"Total {figures['total_seconds']} s" in output
    assert "Reference" not in output


@pytest.mark.django_db
def test_bench_allocation_in_a_county_each_town_is_its_own_part_of_the_graph():
    from matchmaking.bench.city import CENTRE, KM_PER_DEGREE_LAT, TOWN_SPACING_KM
    from services.models import Need

    _, figures = bench_allocation("--towns", "3")
    assert (figures["towns"], figures["needs"]) == (3, 30)
    # The needs are spread over three towns, TOWN_SPACING_KM apart...
    step = TOWN_SPACING_KM / KM_PER_DEGREE_LAT
    towns = {
        (round((lat - CENTRE[0]) / step), round((lon - CENTRE[1]) / (step * 1.6)))
        for lat, lon in Need.objects.values_list("latitude", "longitude")
    }
    assert len(towns) == 3
    # ...no provider is a candidate in two of them, so each is its own part of the graph...
    assert figures["components"] >= 3
    # ...and every offer stays within a town.
    for match in Match.objects.filter(proposed_by=ProposedBy.ALLOCATION).select_related(
        "need", "provider"
    ):
        need, provider = match.need, match.provider
        assert (
            scoring.distance_km(
                need.latitude, need.longitude, provider.latitude, provider.longitude
            )
            < TOWN_SPACING_KM / 2
        )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["allocation", "--needs", "0"], "--needs: must be 1 or more, not 0"),
        (["allocation", "--providers", "-5"], "--providers: must be 1 or more, not -5"),
        (["allocation", "--seed", "x"], "invalid int value: 'x'"),
        (["allocation", "--workers", "0"], "--workers: must be 1 or more, not 0"),
        (["allocation", "--towns", "0"], "--towns: must be 1 or more, not 0"),
    ],
)
def test_bench_allocation_bad_arguments_are_a_command_error(arguments, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("bench", *arguments)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 40])
def test_the_graph_reads_a_scope_in_a_fixed_number_of_queries(size, django_assert_max_num_queries):
    # The open needs (only what ranking uses of them), their categories and programmes, their
    # slots, then the batch's reads: no need asks for a column left out.
    from matchmaking.bench.city import build_city

    city = build_city(providers=size * 3, needs=size, seed=size, radius_km=1.5)
    with django_assert_max_num_queries(14):
        graph = allocation.build_graph(allocation.open_needs().filter(pk__in=city.needs))
    assert len(graph.needs) == size
    assert graph.edges


def _threshold_seen(monkeypatch, step):
    """Python's youngest collection threshold while `step` runs, and after it failed."""
    seen = []

    def fail(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        raise RuntimeError("stop here")

    monkeypatch.setattr(allocation.candidates, "CandidateBatch", fail)
    with pytest.raises(RuntimeError):
        step()
    return seen[0], gc.get_threshold()[0]


def test_a_run_collects_cycles_rarely_then_puts_the_threshold_back(monkeypatch):
    before = gc.get_threshold()
    during, after = _threshold_seen(monkeypatch, lambda: allocation.build_graph([]))
    assert during == allocation.BATCH_GC_THRESHOLD > before[0]
    assert after == before[0]  # even though the step failed


def test_a_process_that_already_collects_rarely_keeps_its_threshold(monkeypatch):
    before = gc.get_threshold()
    gc.set_threshold(allocation.BATCH_GC_THRESHOLD * 5, *before[1:])
    try:
        during, after = _threshold_seen(monkeypatch, lambda: allocation.build_graph([]))
    finally:
        gc.set_threshold(*before)
    assert during == after == allocation.BATCH_GC_THRESHOLD * 5
