"""GET /api/v1/visits/ (mine, by date) and POST …/done/, …/cancel/ and …/did-not-happen/:
the rules of the web page (visits.py), for the owner, the other party, an outsider and staff."""

import datetime

import pytest
from django.utils import timezone

from matchmaking.constants import MatchStatus, VisitStatus
from matchmaking.models import Notification, Visit
from tests.matching import make_match

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def match(need, provider):
    return make_match(need, provider, MatchStatus.ACTIVE)


def a_visit(match, *, starts_in):
    start = timezone.now() + starts_in
    return Visit.objects.create(match=match, starts_at=start, ends_at=start + HOUR)


def test_both_sides_list_their_visits_with_first_names_only(as_user, match, resident, provider):
    visit = a_visit(match, starts_in=datetime.timedelta(days=1))
    as_provider = as_user(provider.user).get("/api/v1/visits/").json()["results"]
    as_resident = as_user(resident).get("/api/v1/visits/").json()["results"]
    assert [row["id"] for row in as_provider] == [visit.pk] == [row["id"] for row in as_resident]
    assert (as_provider[0]["side"], as_provider[0]["with_first_name"]) == ("provider", "Rose")
    assert (as_resident[0]["side"], as_resident[0]["with_first_name"]) == ("resident", "Priya")
    assert "address" not in as_provider[0] and "phone" not in as_provider[0]


def test_visits_are_filtered_by_date(as_user, match, resident):
    soon = a_visit(match, starts_in=datetime.timedelta(days=1))
    later = a_visit(match, starts_in=datetime.timedelta(days=10))
    cutoff = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    client = as_user(resident)
    before = client.get(f"/api/v1/visits/?on_or_before={cutoff}").json()["results"]
    after = client.get(f"/api/v1/visits/?on_or_after={cutoff}").json()["results"]
    assert [row["id"] for row in before] == [soon.pk]
    assert [row["id"] for row in after] == [later.pk]
    assert client.get("/api/v1/visits/?on_or_after=soon").status_code == 400


@pytest.mark.parametrize("who", ["other_resident", "other_provider", "staff", "other_staff"])
def test_nobody_else_sees_or_records_a_visit(request, as_user, match, who):
    person = request.getfixturevalue(who)
    person = getattr(person, "user", person)
    visit = a_visit(match, starts_in=-HOUR / 2)
    client = as_user(person)
    assert client.get("/api/v1/visits/").json()["results"] == []
    assert client.get(f"/api/v1/visits/{visit.pk}/").status_code == 404
    for action in ("done", "cancel", "did-not-happen"):
        assert client.post(f"/api/v1/visits/{visit.pk}/{action}/").status_code == 404
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_the_provider_marks_done_once_started_and_not_before(as_user, match, provider):
    early = a_visit(match, starts_in=HOUR)
    response = as_user(provider.user).post(f"/api/v1/visits/{early.pk}/done/")
    assert response.status_code == 400
    assert "cannot be marked as done before then" in response.json()["detail"]
    started = a_visit(match, starts_in=-HOUR / 2)
    response = as_user(provider.user).post(f"/api/v1/visits/{started.pk}/done/")
    assert response.status_code == 200 and response.json()["status"] == VisitStatus.DONE


def test_the_resident_cannot_mark_a_visit_done(as_user, match, resident):
    visit = a_visit(match, starts_in=-HOUR / 2)
    response = as_user(resident).post(f"/api/v1/visits/{visit.pk}/done/")
    assert response.status_code == 400 and "Only the helper" in response.json()["detail"]


def test_the_provider_cancels_and_the_resident_is_told(as_user, match, provider, resident):
    visit = a_visit(match, starts_in=datetime.timedelta(hours=30))
    response = as_user(provider.user).post(f"/api/v1/visits/{visit.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == VisitStatus.CANCELLED_BY_PROVIDER
    assert response.json()["notice_hours"] >= 29
    assert Notification.objects.filter(user=resident, message__contains="cannot come").exists()


def test_an_action_with_a_body_is_refused_and_changes_nothing(as_user, match, provider):
    visit = a_visit(match, starts_in=datetime.timedelta(hours=30))
    response = as_user(provider.user).post(
        f"/api/v1/visits/{visit.pk}/cancel/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_the_visit_list_does_not_grow_in_queries(
    as_user, match, provider, django_assert_max_num_queries
):
    for days in range(1, 21):
        a_visit(match, starts_in=datetime.timedelta(days=days))
    client = as_user(provider.user)
    # the page of visits with match, need, category, provider and user joined; the count
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/visits/")
    assert len(response.json()["results"]) == 20


def test_the_resident_says_a_visit_did_not_happen_and_the_provider_cannot(
    as_user, match, resident, provider
):
    visit = a_visit(match, starts_in=-HOUR * 2)
    response = as_user(provider.user).post(f"/api/v1/visits/{visit.pk}/did-not-happen/")
    assert response.status_code == 400 and "Only the person who asked" in response.json()["detail"]
    response = as_user(resident).post(f"/api/v1/visits/{visit.pk}/did-not-happen/")
    assert response.status_code == 200 and response.json()["status"] == VisitStatus.MISSED
