"""Outcomes over the API: a programme's figures for staff of its areas, and the public open
data summary. Both withhold small groups exactly as the dashboard does."""

import datetime
import json

import pytest
from django.utils import timezone
from scipy import stats as scipy_stats

from matchmaking.constants import MatchStatus
from matchmaking.scoping import grant_area
from tests.factories import AreaFactory, NeedFactory, ProgrammeFactory, StaffFactory
from tests.matching import eligible_cook, make_match
from tests.outcome_cohort import NORTH, PLANTED_NAME, SOUTH, Cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(db):
    return Cohort()


def outcomes_url(programme):
    return f"/api/v1/programmes/{programme.pk}/outcomes/"


def summary_url(programme):
    return f"/api/v1/public/programmes/{programme.pk}/summary/"


def groups_of(body):
    return {(group["kind"], group["name"]): group for group in body["groups"]}


def staff_of(*areas):
    user = StaffFactory()
    for area in areas:
        grant_area(user, area)
    return user


def south_figures():
    before = sum(b for b, _ in SOUTH) / len(SOUTH)
    after = sum(a for _, a in SOUTH) / len(SOUTH)
    return [before, after, after - before]


def test_staff_of_an_area_get_its_figures(as_user, cohort):
    response = as_user(staff_of(cohort.areas["North"])).get(outcomes_url(cohort.programme))
    assert response.status_code == 200
    body = response.json()
    assert body["programme"] == {"id": cohort.programme.pk, "name": "Meals"}
    assert body["follow_up"] == "month_3"
    groups = groups_of(body)
    assert set(groups) == {("all", "Meals"), ("area", "North"), ("category", "A hot meal")}
    north = groups[("area", "North")]
    assert north["people"] == {"value": 7, "suppressed": False, "reason": ""}
    (ucla,) = [c for c in north["changes"] if c["measure"] == "ucla3"]
    before, after = zip(*NORTH, strict=True)
    reference = scipy_stats.ttest_rel(after, before).confidence_interval(0.95)
    assert ucla["mean_change"] == pytest.approx(-16 / 7, abs=1e-4)
    assert (ucla["ci_low"], ucla["ci_high"]) == pytest.approx(
        (reference.low, reference.high), abs=1e-4
    )
    assert north["often_lonely"]["before"] == pytest.approx(5 / 7, abs=1e-4)
    assert north["often_lonely"]["after"] == pytest.approx(1 / 7, abs=1e-4)


def test_a_group_of_four_is_never_in_the_api(as_user, cohort):
    everywhere = staff_of(*cohort.areas.values())
    response = as_user(everywhere).get(outcomes_url(cohort.programme))
    groups = groups_of(response.json())
    south = groups[("area", "South")]
    assert south["people"] == {
        "value": None,
        "suppressed": True,
        "reason": "fewer than 5 people",
    }
    for change in south["changes"]:
        assert change["suppressed"] and change["mean_change"] is None
        assert change["baseline_mean"] is None and change["people"] is None
    assert south["often_lonely"]["before"] is None
    assert all(r["invited"]["value"] in (None, 0) for r in south["responses"])
    east = groups[("area", "East")]
    assert east["people"]["reason"] == "it would let a group of fewer than 5 people be worked out"
    text = response.content.decode()
    for figure in south_figures():
        assert str(round(figure, 4)) not in text


def test_outsiders_and_residents_get_nothing(as_user, api, cohort):
    url = outcomes_url(cohort.programme)
    elsewhere = staff_of(AreaFactory(name="Elsewhere"))
    assert as_user(elsewhere).get(url).status_code == 404  # as if it did not exist
    assert as_user(elsewhere).get("/api/v1/programmes/999999/outcomes/").status_code == 404
    assert as_user(cohort.residents[0]).get(url).status_code == 403
    assert api.get(url).status_code == 401
    no_two_factor = StaffFactory(two_factor=False)
    grant_area(no_two_factor, cohort.areas["North"])
    response = as_user(no_two_factor).get(url)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2024-02-30"},
        {"start": "1900-01-01"},
        {"start": "2026-02-01", "end": "2026-01-01"},
        {"start": "2001-01-01", "end": "2026-01-01"},
        {"follow_up": "year"},
        {"end": "9999-12-31"},
    ],
)
def test_bad_periods_are_explained(as_user, cohort, params):
    response = as_user(staff_of(cohort.areas["North"])).get(outcomes_url(cohort.programme), params)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_the_period_and_follow_up_can_be_chosen(as_user, cohort):
    client = as_user(staff_of(cohort.areas["North"]))
    today = timezone.localdate()
    body = client.get(
        outcomes_url(cohort.programme), {"end": today.isoformat(), "follow_up": "month_6"}
    ).json()
    assert body["end"] == today.isoformat() and body["follow_up"] == "month_6"
    everybody = groups_of(body)[("all", "Meals")]
    assert everybody["people"]["value"] == 0  # nobody has reached six months yet
    assert everybody["changes"][0]["reason"] == "no answers yet"


def test_the_public_summary_is_open_aggregated_and_anonymous(api, cohort):
    response = api.get(summary_url(cohort.programme), HTTP_ORIGIN="https://council.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["people_surveyed"]["value"] == 16
    assert body["loneliness_change"]["suppressed"] is False
    assert body["loneliness_change"]["mean_change"] < 0
    assert body["loneliness_change"]["ci_low"] < body["loneliness_change"]["ci_high"]
    assert body["residents_helped"] == {"value": 0, "suppressed": False, "reason": ""}
    # Only the programme as a whole: no area or category breakdown to difference.
    assert "North" not in json.dumps(body) and "groups" not in body


def test_the_public_summary_holds_no_personal_data(api, cohort):
    need = cohort.residents[0].requests_made.get()
    for _ in range(5):
        helped = NeedFactory(
            programme=cohort.programme,
            area=cohort.areas["North"],
            contact_name="Zebedee Quartermain",
            address="1 Quartermain Lane",
            phone="07700 900123",
        )
        make_match(helped, eligible_cook(helped), MatchStatus.ACTIVE, confirmed_at=timezone.now())
    text = api.get(summary_url(cohort.programme)).content.decode()
    for personal in (
        PLANTED_NAME,
        "Zebedee",
        "quartermain.example",
        "Quartermain Lane",
        "07700",
        need.reference,
        need.postcode,
    ):
        assert personal not in text
    assert json.loads(text)["residents_helped"]["value"] == 5


def test_a_few_residents_helped_are_not_counted_in_public(api):
    programme = ProgrammeFactory()
    for _ in range(3):
        need = NeedFactory(programme=programme)
        make_match(need, eligible_cook(need), MatchStatus.ACTIVE, confirmed_at=timezone.now())
    body = api.get(summary_url(programme)).json()
    assert body["residents_helped"] == {
        "value": None,
        "suppressed": True,
        "reason": "fewer than 5 people",
    }
    assert body["visits_done"]["suppressed"] is True


def test_programmes_not_running_have_no_public_summary(api):
    stopped = ProgrammeFactory(is_active=False)
    not_started = ProgrammeFactory(
        starts_on=timezone.localdate() + datetime.timedelta(days=5),
        ends_on=timezone.localdate() + datetime.timedelta(days=50),
    )
    for programme in (stopped, not_started):
        assert api.get(summary_url(programme)).status_code == 404
    assert api.get("/api/v1/public/programmes/999999/summary/").status_code == 404


def test_queries_do_not_grow_with_people(as_user, api, cohort, django_assert_max_num_queries):
    client = as_user(staff_of(*cohort.areas.values()))
    # Staff: two-factor and area grants (2), the programme (1), the follow-ups and their
    # baselines (2), invitations, requests and baselines per group (3), and the names of
    # the programmes, areas and categories (3).
    with django_assert_max_num_queries(11):
        assert client.get(outcomes_url(cohort.programme)).status_code == 200
    # Public: the programme (1), residents helped (1), visits done (1), and the same five
    # outcome queries (no breakdown, so no names).
    with django_assert_max_num_queries(8):
        assert api.get(summary_url(cohort.programme)).status_code == 200
