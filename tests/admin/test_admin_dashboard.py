"""The commissioning dashboard page: figures, charts, the period filter and CSV exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking import dashboard
from matchmaking.constants import MatchStatus, VisitStatus
from matchmaking.models import Match, Visit
from services.models import UnitCost
from tests.admin.borough import DAY, HOUR, TODAY
from tests.factories import ProgrammeFactory, UserFactory, category, enable_two_factor

pytestmark = pytest.mark.django_db


URL = reverse("admin:dashboard")


def table(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_page_shows_the_figures_and_charts(as_user, superuser, borough):
    html = as_user(superuser).get(URL).content.decode()
    assert "Commissioning dashboard" in html
    assert "20.0 hours" in html
    assert "60%" in html and "(3 of 5)" in html
    assert html.count('<svg width="100%"') == 4  # needs, supply, ratings, programmes
    assert "<script>" not in html.split("</head>")[1]  # no inline script in the page body


def test_every_table_exports_as_csv(as_user, superuser, borough):
    client = as_user(superuser)
    start, end = (TODAY - 9 * DAY).isoformat(), TODAY.isoformat()
    period = {"start": start, "end": end}
    assert table(client.get(URL, {"export": "matching", **period}))[1:] == [
        ["Median hours from request to active match", "20.0"],
        ["Offers sent", "5"],
        ["Offers accepted", "3"],
        ["Acceptance rate", "60%"],
        ["Matches completed", "2"],
        ["Visits done", "0"],
        ["Visits that did not happen", "0"],
    ]
    assert table(client.get(URL, {"export": "ratings", **period}))[4:] == [["4", "1"], ["5", "2"]]
    assert table(client.get(URL, {"export": "supply"}))[-1] == ["No area", "A hot meal", "1", "0"]
    assert table(client.get(URL, {"export": "concerns"}))[1][1:] == ["1", "1"]
    programmes = table(client.get(URL, {"export": "programmes"}))
    assert programmes[0][6:12] == [
        "Budget",
        "Actual spend",
        "Spend as at",
        "Spend per resident helped",
        "Visits done",
        "Estimated cost of equivalent council provision",
    ]
    assert programmes[1][0] == "Meals"
    assert programmes[1][4:12] == [
        "2",
        "50%",
        "1000.00",
        "No data yet",
        "No data yet",
        "No data yet",
        "0",
        "No data yet",
    ]
    assert table(client.get(URL, {"export": "needs"}))[1] == ["North", "A hot meal", "2", "1"]


def test_the_period_filter(as_user, superuser, borough):
    client = as_user(superuser)
    long_ago = {"start": (TODAY - 200 * DAY).isoformat(), "end": (TODAY - 90 * DAY).isoformat()}
    rows = table(client.get(URL, {"export": "matching", **long_ago}))
    assert rows[5] == ["Matches completed", "1"]  # the one 100 days ago


@pytest.mark.parametrize(
    "params",
    [
        {"start": "yesterday"},
        {"start": TODAY.isoformat(), "end": (TODAY - DAY).isoformat()},
        {"start": "1900-01-01", "end": TODAY.isoformat()},
        {"start": "2024-02-30"},
        {"start": "9999-12-31", "end": "9999-12-31"},
    ],
)
def test_bad_dates_are_explained_and_the_default_period_used(as_user, superuser, borough, params):
    response = as_user(superuser).get(URL, params)
    assert response.status_code == 200
    assert response.context["period"] == dashboard.Period.last_days()
    assert response.context["form"].errors


def test_an_unknown_export_is_not_found(as_user, superuser):
    assert as_user(superuser).get(URL, {"export": "everything"}).status_code == 404


def test_csv_cells_cannot_become_formulas(as_user, superuser, borough):
    borough.north.name = '=HYPERLINK("http://evil")'
    borough.north.save()
    rows = table(as_user(superuser).get(URL, {"export": "needs"}))
    assert rows[1][0].startswith("'=")


def test_who_may_see_the_dashboard(as_user, staff_a, commissioner, borough):
    assert as_user(staff_a).get(URL).status_code == 200
    html = as_user(commissioner).get(URL).content.decode()
    assert "You have not been given any area yet" in html
    assert "North" not in html.split("Open and unmet needs now")[1].split("</table>")[0]
    other_staff = UserFactory(is_staff=True)  # staff, but in neither role group
    enable_two_factor(other_staff)
    assert as_user(other_staff).get(URL).status_code == 403
    assert as_user(UserFactory()).get(URL).status_code == 302  # residents: to the admin login


def test_no_figure_without_data(as_user, superuser):
    """An empty borough: every figure says there is no data, none shows a made-up 0."""
    ProgrammeFactory(name="Just started", target_residents=0)
    client = as_user(superuser)
    html = client.get(URL).content.decode()
    assert "0.0 hours" not in html
    assert "No data yet: no match became active in this period" in html
    assert "No data yet: no offers in this period" in html
    programmes = html.split('id="kith-programmes"')[1].split("</section>")[0]
    assert "No data yet" in programmes
    assert "£0.00" not in programmes
    matching = table(client.get(URL, {"export": "matching"}))
    assert matching[1] == ["Median hours from request to active match", "No data yet"]
    assert matching[4] == ["Acceptance rate", "No data yet"]


def test_spend_and_equivalent_provision_on_the_page(as_user, superuser, borough):
    borough.programme.actual_spend = Decimal("300")
    borough.programme.save()
    UnitCost.objects.create(
        programme=borough.programme,
        category=category("meals"),
        cost=Decimal("7.50"),
        unit="a meal",
        source="Council meals price list",
    )
    north = Match.objects.get(need__programme=borough.programme, status=MatchStatus.ACTIVE)
    for days in (1, 2):
        starts = timezone.now() - days * DAY
        Visit.objects.create(
            match=north, starts_at=starts, ends_at=starts + HOUR, status=VisitStatus.DONE
        )
    client = as_user(superuser)
    html = client.get(URL).content.decode()
    assert "£150.00" in html  # £300 spent over 2 residents helped
    assert "£500.00" not in html  # the budget is not shared out as if it were spend
    costs = html.split('id="kith-costs"')[1].split("</section>")[0]
    assert "£15.00 (estimate)" in costs
    assert "2 × £7.50 per a meal" in costs and "Council meals price list" in costs
    assert "Estimate:" in costs
    workings = table(client.get(URL, {"export": "costs"}))
    assert workings[1] == [
        "Meals",
        "A hot meal",
        "2",
        "a meal",
        "7.50",
        "15.00",
        "Council meals price list",
    ]
