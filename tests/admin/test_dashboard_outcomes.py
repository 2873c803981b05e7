"""Outcomes on the commissioning dashboard: paired changes with their interval, shares before
and after, response rates, and small groups withheld on the page and in every CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from scipy import stats as scipy_stats

from matchmaking import dashboard
from matchmaking.outcomes import figures
from matchmaking.outcomes import statistics as outcome_stats
from matchmaking.outcomes.constants import SurveyWave
from matchmaking.scoping import grant_area
from tests.factories import StaffFactory
from tests.outcome_cohort import NORTH, SOUTH, Cohort

pytestmark = pytest.mark.django_db

URL = reverse("admin:dashboard")
PERIOD = dashboard.Period.last_days(30)


@pytest.fixture
def cohort(db):
    return Cohort()


def by_label(rows):
    return {row.group.label: row for row in rows}


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_paired_change_and_shares_per_group(cohort):
    rows = by_label(figures.outcomes_by_group(None, PERIOD))
    assert list(rows) == [
        "All",
        "Programme: Meals",
        "Area: East",
        "Area: North",
        "Area: South",
        "Category: A hot meal",
    ]
    north = rows["Area: North"]
    assert north.people == 7
    change = north.changes["ucla3"]
    assert change.baseline_mean == pytest.approx(54 / 7)
    assert change.follow_up_mean == pytest.approx(38 / 7)
    assert change.mean_change == pytest.approx(-16 / 7)
    before, after = zip(*NORTH, strict=True)
    reference = scipy_stats.ttest_rel(after, before).confidence_interval(0.95)
    assert (change.ci_low, change.ci_high) == pytest.approx((reference.low, reference.high))
    assert (north.often_lonely.before.part, north.often_lonely.after.part) == (5, 1)
    assert north.ascof_contact.after.part == 6
    assert rows["All"].people == 16 and rows["Programme: Meals"].people == 16
    responses = {r.wave: r for r in rows["All"].responses}
    assert responses[SurveyWave.MONTH_3].invited == 16
    assert responses[SurveyWave.MONTH_3].answered == 16
    assert str(responses[SurveyWave.MONTH_3].rate) == "100%"


def test_a_group_of_four_is_withheld_and_so_is_the_group_that_would_give_it_away(cohort):
    rows = by_label(figures.outcomes_by_group(None, PERIOD))
    south, east = rows["Area: South"], rows["Area: East"]
    too_few = outcome_stats.Suppressed(outcome_stats.TOO_FEW)
    would_reveal = outcome_stats.Suppressed(outcome_stats.WOULD_REVEAL)
    assert south.people == too_few
    assert south.changes["ucla3"] == south.changes["life_satisfaction"] == too_few
    assert all(isinstance(v, outcome_stats.Suppressed) for v in south.changes.values())
    assert south.often_lonely == too_few and south.ascof_contact == too_few
    waves = {r.wave: r for r in south.responses}
    for wave in (SurveyWave.BASELINE, SurveyWave.MONTH_3):
        assert waves[wave].invited == waves[wave].answered == waves[wave].rate == too_few
    assert waves[SurveyWave.MONTH_6].invited == 0  # nobody asked yet: nothing to protect
    # All (16) minus North (7) would be South's 4 if East's 5 were shown.
    assert east.people == would_reveal
    assert east.changes["ucla3"] == would_reveal
    assert all(isinstance(v, outcome_stats.Suppressed) for v in east.changes.values())
    assert rows["Area: North"].people == 7


def test_staff_see_only_their_areas(cohort):
    north_only = frozenset([cohort.areas["North"].pk])
    rows = by_label(figures.outcomes_by_group(north_only, PERIOD))
    assert list(rows) == ["All", "Programme: Meals", "Area: North", "Category: A hot meal"]
    assert rows["All"].people == 7


def test_nobody_in_the_period_shows_no_figures(cohort):
    long_ago = dashboard.Period(
        PERIOD.start - datetime.timedelta(days=400), PERIOD.start - datetime.timedelta(days=370)
    )
    (everybody,) = figures.outcomes_by_group(None, long_ago)
    assert everybody.people == 0
    assert everybody.changes["ucla3"] == outcome_stats.Suppressed(outcome_stats.NO_ANSWERS)


def _south_figures():
    """Numbers only South's four could produce: their means before and after."""
    before = sum(b for b, _ in SOUTH) / len(SOUTH)
    after = sum(a for _, a in SOUTH) / len(SOUTH)
    return [f"{before:.2f}", f"{after:.2f}"]


def test_the_page_shows_outcomes_and_says_why_small_groups_are_missing(as_user, superuser, cohort):
    html = as_user(superuser).get(URL, {"follow_up": SurveyWave.MONTH_3}).content.decode()
    outcomes = html.split('id="kith-outcomes"')[1].split("</section>")[0]
    assert "Small numbers are not shown." in outcomes
    assert "fewer than 5 people are not shown or exported" in outcomes
    assert "-2.29" in outcomes  # North's mean change
    south_row = outcomes.split('<th scope="row">Area: South</th>')[1].split("</tr>")[0]
    assert "Not shown: fewer than 5 people" in south_row
    assert "4" not in south_row
    for figure in _south_figures():
        assert figure not in outcomes
    assert "Area: South" not in outcomes.split("<table>")[0]  # no bar for a withheld group


@pytest.mark.parametrize("export", ["responses", "outcomes", "loneliness"])
def test_every_outcome_table_exports_without_the_group_of_four(as_user, superuser, cohort, export):
    rows = csv_rows(as_user(superuser).get(URL, {"export": export}))
    south = [row for row in rows if row[0] == "Area: South"]
    assert south
    for row in south:
        assert all(cell.startswith("Not shown: ") or cell == "0" for cell in row[2:])
    assert any(cell == "Not shown: fewer than 5 people" for row in south for cell in row)
    east = [row for row in rows if row[0] == "Area: East"]
    assert all(cell.startswith("Not shown: ") or cell == "0" for row in east for cell in row[2:])
    assert any(cell.startswith("Not shown: it would let") for row in east for cell in row)
    text = "\n".join(",".join(row) for row in rows)
    for figure in _south_figures():
        assert figure not in text


def test_the_outcomes_csv_has_the_interval(as_user, superuser, cohort):
    rows = csv_rows(as_user(superuser).get(URL, {"export": "outcomes"}))
    assert rows[0][-3:] == ["Mean change", "95% CI low", "95% CI high"]
    north = next(r for r in rows if r[0] == "Area: North" and r[1].startswith("Loneliness"))
    assert north[2:6] == ["7", "7.71", "5.43", "-2.29"]


def test_six_month_outcomes_can_be_chosen(as_user, superuser, cohort):
    response = as_user(superuser).get(URL, {"follow_up": SurveyWave.MONTH_6, "export": "outcomes"})
    rows = csv_rows(response)
    assert rows[1][2] == "Not shown: no answers yet"  # nobody has reached six months


def test_staff_outside_every_cohort_area_see_none_of_it(as_user, cohort, ward_b):
    staff = StaffFactory()
    grant_area(staff, ward_b.area)
    rows = csv_rows(as_user(staff).get(URL, {"export": "loneliness"}))
    assert rows[1][:2] == ["All", "0"]
    groups = {row[0] for row in rows}
    assert not groups & {"Area: North", "Area: East", "Area: South", "Programme: Meals"}
