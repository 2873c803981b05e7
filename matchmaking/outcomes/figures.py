"""What commissioners see of outcome surveys, per group, with small numbers withheld.

Groups are the whole selection ("All"), then each programme, each area and each category in
it: one level at a time, as crossing them would leave almost every cell too small to show.
Every figure is a `statistics` value or `Suppressed`, built once here for the dashboard, its
CSV files and the API alike, so none of them can show what another withholds.

Residents only: volunteers' wellbeing is surveyed too, but is not an outcome of the service
for the people it helps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from matchmaking import dashboard, scoping
from matchmaking.models import OutcomeSurvey
from matchmaking.outcomes import costs, selectors
from matchmaking.outcomes import statistics as stats
from matchmaking.outcomes.constants import FOLLOW_UP_WAVES, RESIDENT_WAVES, SurveyWave
from services.models import Area, Category, Need, Programme

ALL = "all"
GROUP_KINDS = ("programme", "area", "category")
GROUP_TITLES = {ALL: "All", "programme": "Programme", "area": "Area", "category": "Category"}

# (score key from instruments.scores, label, whether a fall is an improvement)
MEASURES = (
    ("ucla3", "Loneliness (UCLA-3, 3 to 9)", True),
    ("life_satisfaction", "Life satisfaction (ONS, 0 to 10)", False),
    ("worthwhile", "Feeling things are worthwhile (ONS, 0 to 10)", False),
    ("happiness", "Happiness yesterday (ONS, 0 to 10)", False),
    ("anxiety", "Anxiety yesterday (ONS, 0 to 10)", True),
)
MEASURE_LABELS = {key: label for key, label, _ in MEASURES}


@dataclass(frozen=True)
class Group:
    kind: str  # ALL or one of GROUP_KINDS
    id: int | None
    name: str

    @property
    def label(self) -> str:
        if self.kind == ALL:
            return self.name
        return f"{GROUP_TITLES[self.kind]}: {self.name}"


@dataclass(frozen=True)
class WaveResponse:
    wave: str
    invited: int | stats.Suppressed
    answered: int | stats.Suppressed
    rate: stats.Share | stats.Suppressed


@dataclass(frozen=True)
class GroupOutcomes:
    group: Group
    people: int | stats.Suppressed  # people with a baseline and a follow-up
    changes: dict = field(default_factory=dict)  # measure key → PairedChange | Suppressed
    often_lonely: stats.SharesBeforeAfter | stats.Suppressed = stats.SUPPRESSED_NO_ANSWERS
    ascof_contact: stats.SharesBeforeAfter | stats.Suppressed = stats.SUPPRESSED_NO_ANSWERS
    responses: list[WaveResponse] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return not isinstance(self.people, stats.Suppressed)


def _response(wave, invited: int, answered: int, forced: set) -> WaveResponse:
    invited_cell = stats.SUPPRESSED_WOULD_REVEAL if "invited" in forced else stats.count(invited)
    answered_cell = stats.SUPPRESSED_WOULD_REVEAL if "answered" in forced else stats.count(answered)
    # The rate would give away a withheld number of answers, so it goes with it.
    hidden = next(
        (cell for cell in (invited_cell, answered_cell) if isinstance(cell, stats.Suppressed)),
        None,
    )
    return WaveResponse(
        wave=wave,
        invited=invited_cell,
        answered=answered_cell,
        rate=hidden or stats.share(answered, invited),
    )


def _groups(programme_ids, area_ids, category_ids, all_name, kinds):
    names = {
        "programme": Programme.objects.filter(pk__in=programme_ids).order_by("name"),
        "area": Area.objects.filter(pk__in=area_ids).order_by("name"),
        "category": Category.objects.filter(pk__in=category_ids).order_by("position", "name"),
    }
    groups = [Group(ALL, None, all_name)]
    for kind in kinds:
        groups += [Group(kind, pk, name) for pk, name in names[kind].values_list("pk", "name")]
    return groups


def _member(group: Group, programme_id, area_id, category_id) -> bool:
    if group.kind == ALL:
        return True
    return {"programme": programme_id, "area": area_id, "category": category_id}[
        group.kind
    ] == group.id


def _in_areas(area_id, area_ids) -> bool:
    return area_ids is None or area_id in area_ids


def _response_counts(area_ids, period, programme_id):
    """{(programme, area, category): {wave: [invited, answered]}} for residents' waves.

    The baseline is offered to everyone finishing Request help, so its "invited" is the
    requests made in the period (as selectors.response_counts counts it)."""
    surveys = OutcomeSurvey.objects.filter(period.q("invited_at"), wave__in=FOLLOW_UP_WAVES)
    needs = scoping.needs_in_areas(Need.objects.filter(period.q("created_at")), area_ids)
    baselines = OutcomeSurvey.objects.answered().filter(wave=SurveyWave.BASELINE, need__in=needs)
    if area_ids is not None:
        surveys = surveys.filter(area__in=area_ids)
    if programme_id is not None:
        surveys = surveys.filter(programme=programme_id)
        needs = needs.filter(programme=programme_id)
        baselines = baselines.filter(programme=programme_id)
    counts = defaultdict(lambda: {wave: [0, 0] for wave in RESIDENT_WAVES})
    for row in (
        surveys.order_by()
        .values("programme_id", "area_id", "category_id", "wave")
        .annotate(
            invited=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False, withdrawn_at__isnull=True)),
        )
    ):
        key = (row["programme_id"], row["area_id"], row["category_id"])
        counts[key][row["wave"]] = [row["invited"], row["answered"]]
    for index, queryset in enumerate((needs, baselines)):
        for row in (
            queryset.order_by()
            .values("programme_id", "area_id", "category_id")
            .annotate(n=Count("pk"))
        ):
            key = (row["programme_id"], row["area_id"], row["category_id"])
            counts[key][SurveyWave.BASELINE][index] = row["n"]  # 0: invited, 1: answered
    return counts


def outcomes_by_group(
    area_ids,
    period,
    *,
    follow_up_wave=SurveyWave.MONTH_3,
    programme_id=None,
    all_name="All",
    kinds=GROUP_KINDS,
) -> list[GroupOutcomes]:
    """Per group: response rates by wave (invitations sent in the period), and over the people
    whose follow-up was answered in the period: the paired change of each measure with its
    95% interval, and the shares often or always lonely and with as much social contact as
    they want (ASCOF 1I), before and after. Groups nobody in the selection belongs to are
    left out; a group with fewer than 5 people is listed with every figure withheld."""
    since, until = period.bounds
    pairs = [
        pair
        for pair in selectors.outcome_pairs(
            programme=programme_id, since=since, until=until, follow_up_wave=follow_up_wave
        )
        if _in_areas(pair.area_id, area_ids)
    ]
    counts = _response_counts(area_ids, period, programme_id)
    keys = {(p.programme_id, p.area_id, p.category_id) for p in pairs} | set(counts)
    groups = _groups(
        {k[0] for k in keys if k[0]},
        {k[1] for k in keys if k[1]},
        {k[2] for k in keys if k[2]},
        all_name,
        kinds,
    )
    # Raw numbers of people behind every figure of every group, before any is withheld.
    members, people = {}, {}
    for group in groups:
        members[group] = [
            p for p in pairs if _member(group, p.programme_id, p.area_id, p.category_id)
        ]
        waves = {wave: [0, 0] for wave in RESIDENT_WAVES}
        for key, by_wave in counts.items():
            if _member(group, *key):
                for wave, (invited, answered) in by_wave.items():
                    waves[wave][0] += invited
                    waves[wave][1] += answered
        people[group] = {
            "people": len(members[group]),
            **{
                key: len(selectors.paired_values(members[group], key))
                for key in [*MEASURE_LABELS, "often_lonely", "ascof_contact"]
            },
            **{(wave, "invited"): waves[wave][0] for wave in RESIDENT_WAVES},
            **{(wave, "answered"): waves[wave][1] for wave in RESIDENT_WAVES},
        }
    groups = [
        group
        for group in groups
        if group.kind == ALL
        or people[group]["people"]
        or any(people[group][(wave, "invited")] for wave in RESIDENT_WAVES)
    ]
    forced = _secondary_suppression(groups, people)
    return [_group_outcomes(group, members[group], people[group], forced) for group in groups]


def _group_outcomes(group, members, people, forced) -> GroupOutcomes:
    def cell(figure, build):
        return stats.SUPPRESSED_WOULD_REVEAL if (group, figure) in forced else build()

    def shares(key):
        return cell(key, lambda: stats.shares_before_after(selectors.paired_values(members, key)))

    def change(key):
        return cell(key, lambda: stats.paired_change(selectors.paired_values(members, key)))

    return GroupOutcomes(
        group=group,
        people=cell("people", lambda: stats.count(len(members))),
        changes={key: change(key) for key in MEASURE_LABELS},
        often_lonely=shares("often_lonely"),
        ascof_contact=shares("ascof_contact"),
        responses=[
            _response(
                wave,
                people[(wave, "invited")],
                people[(wave, "answered")],
                {side for side in ("invited", "answered") if (group, (wave, side)) in forced},
            )
            for wave in RESIDENT_WAVES
        ],
    )


def _secondary_suppression(groups, people) -> set:
    """{(group, figure)} withheld so that no small group can be worked out from the total
    and the other groups of its breakdown."""
    (everybody,) = [g for g in groups if g.kind == ALL]
    forced = set()
    for kind in GROUP_KINDS:
        breakdown = [g for g in groups if g.kind == kind]
        for figure in people[everybody]:
            hidden = stats.also_withheld(
                {g: people[g][figure] for g in breakdown}, people[everybody][figure]
            )
            forced |= {(g, figure) for g in hidden}
    return forced


@dataclass(frozen=True)
class ProgrammeSummary:
    """What anyone may read about a programme: aggregates only, small numbers withheld."""

    programme: Programme
    period_start: object
    period_end: object
    residents_helped: int | stats.Suppressed
    visits_done: int | stats.Suppressed
    outcomes: GroupOutcomes


def programme_summary(programme: Programme, *, today=None) -> ProgrammeSummary:
    """The programme over its life so far: residents helped, visits done, and the outcome
    figures of everyone in it (no breakdown by area or category: the fewer the cells
    published, the less can be worked out from them)."""
    today = today or timezone.localdate()
    period = dashboard.Period(
        programme.starts_on, max(programme.starts_on, min(today, programme.ends_on))
    )
    helped = dashboard.residents_helped([programme], None).get(programme.pk, 0)
    visits = sum(costs.visits_done_by_category([programme.pk], None).get(programme.pk, {}).values())
    (everybody,) = outcomes_by_group(
        None, period, programme_id=programme.pk, all_name=programme.name, kinds=()
    )
    return ProgrammeSummary(
        programme=programme,
        period_start=period.start,
        period_end=period.end,
        residents_helped=stats.count(helped),
        # Visits are counted per resident helped: as few residents, as few to protect.
        visits_done=(helped and stats.withheld(helped)) or visits,
        outcomes=everybody,
    )
