"""The commissioning dashboard page: figures from matchmaking.dashboard for the areas the
person works in, bar charts drawn on the server as SVG (no script), and every table as CSV
(`?export=<table>`)."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.constants import ROLE_GROUPS
from matchmaking import dashboard, scoping
from matchmaking.admin.common import csv_response
from matchmaking.outcomes import costs
from matchmaking.outcomes import figures as outcome_figures
from matchmaking.outcomes import statistics as outcome_stats
from matchmaking.outcomes.constants import FOLLOW_UP_WAVES, SurveyWave

MAX_DAYS = 5 * 366
# Dates outside these are typing mistakes (and 31 Dec 9999 has no day after it to end on).
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


def can_see_dashboard(user):
    """Superusers, and active staff in the council staff or commissioners group."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name__in=ROLE_GROUPS).exists()


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))
    follow_up = forms.ChoiceField(
        label="Outcomes at",
        required=False,
        choices=[(wave.value, wave.label) for wave in FOLLOW_UP_WAVES],
    )

    def clean(self):
        data = super().clean()
        default = dashboard.Period.last_days()
        start = data.get("start") or default.start
        end = data.get("end") or default.end
        if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
            raise ValidationError("Choose dates between 2000 and 2100.")
        if start > end:
            raise ValidationError("The start date must be on or before the end date.")
        if (end - start).days >= MAX_DAYS:
            raise ValidationError("Choose a period of at most five years.")
        data["period"] = dashboard.Period(start, end)
        data["follow_up"] = data.get("follow_up") or SurveyWave.MONTH_3
        return data


# --- tables: (title, header, rows) ----------------------------------------------------------


# Shown wherever a figure has nothing to be built from: never a 0 that looks like a result.
NO_DATA = "No data yet"


def _percent(share):
    return NO_DATA if share is None else f"{share * 100:.0f}%"


def _hours(delta):
    return NO_DATA if delta is None else round(delta.total_seconds() / 3600, 1)


def _money(amount):
    return NO_DATA if amount is None else f"{amount:.2f}"


def _duration(delta):
    if delta is None:
        return f"{NO_DATA}: no match became active in this period"
    hours = delta.total_seconds() / 3600
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def needs_table(area_ids, period):
    rows = dashboard.open_needs(area_ids)
    return (
        "Open and unmet needs now",
        ["Area", "Category", "Open", "Unmet"],
        [[r["area"], r["category"], r["open"], r["unmet"]] for r in rows],
    )


def supply_table(area_ids, period):
    rows = dashboard.supply_and_demand(area_ids)
    return (
        "Providers against open needs now",
        ["Area", "Category", "Active providers", "Open needs"],
        [[r["area"], r["category"], r["providers"], r["open_needs"]] for r in rows],
    )


def matching_table(area_ids, period):
    median = dashboard.median_time_to_active(area_ids, period)
    offers = dashboard.offer_acceptance(area_ids, period)
    completed = dashboard.completed_matches(area_ids, period)
    visits = dashboard.visits_done(area_ids, period)
    return (
        f"Matching, {period.start:%-d %b %Y} to {period.end:%-d %b %Y}",
        ["Figure", "Value"],
        [
            ["Median hours from request to active match", _hours(median)],
            ["Offers sent", offers["offered"]],
            ["Offers accepted", offers["accepted"]],
            ["Acceptance rate", _percent(offers["rate"])],
            ["Matches completed", completed],
            ["Visits done", visits["done"]],
            ["Visits that did not happen", visits["missed"]],
        ],
    )


def ratings_table(area_ids, period):
    rows = dashboard.ratings_distribution(area_ids, period)
    return (
        f"Ratings given, {period.start:%-d %b %Y} to {period.end:%-d %b %Y}",
        ["Score", "Ratings"],
        [[r["score"], r["count"]] for r in rows],
    )


def concerns_table(area_ids, period):
    figures = dashboard.open_concerns(area_ids)
    return (
        "Open concerns now",
        ["Kind", "Open", "Urgent"],
        [[r["kind"], r["open"], r["urgent"]] for r in figures["by_kind"]],
    )


def programmes_table(area_ids, period):
    rows = dashboard.programme_progress(area_ids)
    return (
        "Programmes",
        [
            "Programme",
            "Starts",
            "Ends",
            "Target residents",
            "Residents helped",
            "Share of target",
            "Budget",
            "Actual spend",
            "Spend as at",
            "Spend per resident helped",
            "Visits done",
            "Estimated cost of equivalent council provision",
            "Share of time gone",
        ],
        [
            [
                r["programme"],
                r["starts_on"].isoformat(),
                r["ends_on"].isoformat(),
                r["target"],
                r["helped"],
                _percent(r["target_share"]),
                _money(r["budget"]),
                _money(r["actual_spend"]),
                r["spend_as_at"].isoformat() if r["spend_as_at"] else NO_DATA,
                _money(r["spend_per_resident"]),
                r["visits_done"],
                _money(r["equivalent_cost"]),
                _percent(r["time_share"]),
            ]
            for r in rows
        ],
    )


def costs_table(area_ids, period):
    rows = dashboard.programme_progress(area_ids)
    return (
        "Estimated cost of equivalent council provision: the workings",
        ["Programme", "Category", "Visits done", "Unit", "Unit cost", "Estimate", "Source"],
        [
            [
                r["programme"],
                costed.category,
                costed.visits,
                costed.unit,
                _money(costed.unit_cost),
                _money(costed.cost),
                costed.source,
            ]
            for r in rows
            for costed in r["estimate"].costed
        ],
    )


# --- outcome tables: built from outcome_figures.outcomes_by_group, shown and exported alike ---


def _cell(value, digits=2):
    return outcome_stats.show(value, digits)


def _mean(change, attribute):
    if isinstance(change, outcome_stats.Suppressed):
        return str(change)
    # A number, not text: the CSV writer guards text starting with "-" as a formula.
    return Decimal(f"{getattr(change, attribute):.2f}")


def _shares(value, side):
    if isinstance(value, outcome_stats.Suppressed):
        return str(value)
    return str(getattr(value, side))


def responses_table(outcomes, period, wave_label):
    return (
        f"Survey responses, invitations sent {period.start:%-d %b %Y} to {period.end:%-d %b %Y}",
        ["Group", "Survey", "Invited", "Answered", "Response rate"],
        [
            [
                row.group.label,
                SurveyWave(response.wave).label,
                _cell(response.invited),
                _cell(response.answered),
                _cell(response.rate),
            ]
            for row in outcomes
            for response in row.responses
        ],
    )


def changes_table(outcomes, period, wave_label):
    return (
        f"Before and after ({wave_label.lower()}), follow-ups answered "
        f"{period.start:%-d %b %Y} to {period.end:%-d %b %Y}",
        [
            "Group",
            "Measure",
            "People answering both",
            "Mean before",
            "Mean after",
            "Mean change",
            "95% CI low",
            "95% CI high",
        ],
        [
            [
                row.group.label,
                label,
                _cell(row.changes[key].people)
                if isinstance(row.changes[key], outcome_stats.PairedChange)
                else str(row.changes[key]),
                _mean(row.changes[key], "baseline_mean"),
                _mean(row.changes[key], "follow_up_mean"),
                _mean(row.changes[key], "mean_change"),
                _mean(row.changes[key], "ci_low"),
                _mean(row.changes[key], "ci_high"),
            ]
            for row in outcomes
            for key, label, _ in outcome_figures.MEASURES
        ],
    )


def loneliness_table(outcomes, period, wave_label):
    return (
        f"Often or always lonely, and social contact (ASCOF 1I), before and after "
        f"({wave_label.lower()})",
        [
            "Group",
            "People answering both",
            "Often or always lonely before",
            "Often or always lonely after",
            "As much social contact as they want before",
            "As much social contact as they want after",
        ],
        [
            [
                row.group.label,
                _cell(row.people),
                _shares(row.often_lonely, "before"),
                _shares(row.often_lonely, "after"),
                _shares(row.ascof_contact, "before"),
                _shares(row.ascof_contact, "after"),
            ]
            for row in outcomes
        ],
    )


OUTCOME_TABLES = {
    "responses": responses_table,
    "outcomes": changes_table,
    "loneliness": loneliness_table,
}


TABLES = {
    "needs": needs_table,
    "supply": supply_table,
    "matching": matching_table,
    "ratings": ratings_table,
    "concerns": concerns_table,
    "programmes": programmes_table,
    "costs": costs_table,
}


# --- charts ---------------------------------------------------------------------------------

BAR_HEIGHT = 22
LABEL_SHARE = 30  # percent of the width for labels, the rest for bars and values
BAR_SHARE = 55


def bar_chart(title, rows, series):
    """SVG geometry for a horizontal bar chart.

    `rows` are (label, {series: value}); `series` are (key, name). Widths are percentages of
    the chart, so the SVG scales with the page; the numbers are also printed.
    """
    largest = max((v for _, values in rows for v in values.values() if v), default=0)
    per_row = BAR_HEIGHT * len(series) + 8
    drawn = []
    for index, (label, values) in enumerate(rows):
        top = index * per_row
        bars = []
        for position, (key, name) in enumerate(series):
            value = values.get(key) or 0
            width = BAR_SHARE * value / largest if largest else 0
            y = top + position * BAR_HEIGHT
            bars.append(
                {
                    "series": position,
                    "name": name,
                    "value": value,
                    "y": y + 3,
                    "text_y": y + BAR_HEIGHT - 7,
                    "width": f"{width:.2f}",
                    "value_x": f"{LABEL_SHARE + width + 1:.2f}",
                }
            )
        drawn.append({"label": label, "label_y": top + BAR_HEIGHT - 7, "bars": bars})
    return {
        "title": title,
        "rows": drawn,
        "series": [name for _, name in series],
        "height": max(per_row * len(rows), BAR_HEIGHT),
        "bar_x": LABEL_SHARE,
    }


def _by_area(rows, keys):
    totals = {}
    for row in rows:
        area = totals.setdefault(row["area"], dict.fromkeys(keys, 0))
        for key in keys:
            area[key] += row[key]
    return list(totals.items())


def _charts(figures):
    ratings = figures["ratings"]
    return {
        "needs": bar_chart(
            "Open and unmet needs by area",
            _by_area(figures["open_needs"], ["open", "unmet"]),
            [("open", "Open"), ("unmet", "Unmet")],
        ),
        "supply": bar_chart(
            "Providers against open needs by area",
            _by_area(figures["supply"], ["providers", "open_needs"]),
            [("providers", "Active providers"), ("open_needs", "Open needs")],
        ),
        "ratings": bar_chart(
            "Ratings by score",
            [(f"{r['score']} out of 5", {"count": r["count"]}) for r in ratings],
            [("count", "Ratings")],
        ),
        "programmes": bar_chart(
            "Residents helped against target",
            [
                (r["programme"], {"helped": r["helped"], "target": r["target"]})
                for r in figures["programmes"]
            ],
            [("helped", "Residents helped"), ("target", "Target")],
        ),
    }


def _outcome_charts(outcomes):
    """Only groups whose figures are shown: a withheld group has no bar at all."""
    ucla = [
        (row.group.label, row.changes["ucla3"])
        for row in outcomes
        if isinstance(row.changes["ucla3"], outcome_stats.PairedChange)
    ]
    lonely = [
        (row.group.label, row.often_lonely)
        for row in outcomes
        if isinstance(row.often_lonely, outcome_stats.SharesBeforeAfter)
    ]
    return {
        "ucla": bar_chart(
            "Loneliness score (UCLA-3, 3 to 9, lower is better): mean before and after",
            [
                (label, {"before": round(c.baseline_mean, 1), "after": round(c.follow_up_mean, 1)})
                for label, c in ucla
            ],
            [("before", "Before"), ("after", "After")],
        ),
        "lonely": bar_chart(
            "Often or always lonely (%), before and after",
            [
                (
                    label,
                    {
                        "before": round(s.before.value * 100),
                        "after": round(s.after.value * 100),
                    },
                )
                for label, s in lonely
            ],
            [("before", "Before"), ("after", "After")],
        ),
    }


# --- the view -------------------------------------------------------------------------------


def dashboard_view(request, site):
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    period = dashboard.Period.last_days()
    follow_up = SurveyWave.MONTH_3
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
        follow_up = form.cleaned_data["follow_up"]
    wave_label = SurveyWave(follow_up).label
    area_ids = scoping.staff_area_ids(request.user)

    export = request.GET.get("export")
    if export is not None:
        if export in OUTCOME_TABLES:
            outcomes = outcome_figures.outcomes_by_group(area_ids, period, follow_up_wave=follow_up)
            _, header, rows = OUTCOME_TABLES[export](outcomes, period, wave_label)
        elif export in TABLES:
            _, header, rows = TABLES[export](area_ids, period)
        else:
            raise Http404("No such table.")
        filename = f"kith-{export}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
        return csv_response(filename, header, rows)

    figures = {
        "open_needs": dashboard.open_needs(area_ids),
        "supply": dashboard.supply_and_demand(area_ids),
        "median": dashboard.median_time_to_active(area_ids, period),
        "offers": dashboard.offer_acceptance(area_ids, period),
        "completed": dashboard.completed_matches(area_ids, period),
        "visits": dashboard.visits_done(area_ids, period),
        "ratings": dashboard.ratings_distribution(area_ids, period),
        "concerns": dashboard.open_concerns(area_ids),
        "programmes": dashboard.programme_progress(area_ids),
    }
    outcomes = outcome_figures.outcomes_by_group(area_ids, period, follow_up_wave=follow_up)
    query = request.GET.copy()
    query.pop("export", None)
    exports = {}
    for name in [*TABLES, *OUTCOME_TABLES]:
        query["export"] = name
        exports[name] = "?" + query.urlencode()
    areas = (
        None
        if area_ids is None
        else list(scoping.areas_for_staff(request.user).values_list("name", flat=True))
    )
    context = {
        **site.each_context(request),
        "title": "Commissioning dashboard",
        "form": form,
        "period": period,
        "areas": areas,
        "figures": figures,
        "median_display": _duration(figures["median"]),
        "acceptance_display": (
            f"{NO_DATA}: no offers in this period"
            if figures["offers"]["rate"] is None
            else _percent(figures["offers"]["rate"])
        ),
        "no_data": NO_DATA,
        "estimate_method": costs.ESTIMATE_METHOD,
        "charts": _charts(figures),
        "outcome_tables": [
            (*table(outcomes, period, wave_label), exports[name])
            for name, table in OUTCOME_TABLES.items()
        ],
        "outcome_charts": _outcome_charts(outcomes),
        "outcomes_withheld": sum(1 for row in outcomes if not row.shown),
        "suppression_note": outcome_stats.SUPPRESSION_NOTE,
        "wave_label": wave_label,
        "exports": exports,
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "admin/kith/dashboard.html", context)
