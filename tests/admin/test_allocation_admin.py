"""Allocation runs in the admin: staff start one for an area they work in (never another),
the run goes through the background task, and every run is read-only with its figures."""

import pytest
from django.urls import reverse

from matchmaking.constants import ProposedBy
from matchmaking.models import AllocationRun, Match
from services.models import Need
from tests.factories import NeedFactory, ProgrammeFactory, category
from tests.matching import eligible_cook

pytestmark = pytest.mark.django_db

ADD = reverse("admin:matchmaking_allocationrun_add")
CHANGELIST = reverse("admin:matchmaking_allocationrun_changelist")


def change_url(run):
    return reverse("admin:matchmaking_allocationrun_change", args=[run.pk])


@pytest.fixture
def open_need(ward_a):
    need = NeedFactory(
        area=ward_a.area, category=category("meals"), postcode="RV1 1AA", latitude=51.46
    )
    eligible_cook(need)
    return need


def test_staff_start_a_run_for_their_area_and_see_its_figures(
    as_user, staff_a, ward_a, open_need, django_capture_on_commit_callbacks
):
    client = as_user(staff_a)
    page = client.get(ADD)
    assert page.status_code == 200
    assert "Start an allocation run" in page.text
    assert "Northgate" in page.text and "Southbank" not in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, {"area": ward_a.area.pk, "programme": ""})

    assert response.status_code == 302
    run = AllocationRun.objects.get()
    assert (run.started_by, run.area) == (staff_a, ward_a.area)
    assert run.finished_at is not None  # queued on commit; the inline task backend ran it
    figures = run.figures
    assert figures["matched"] == figures["needs_considered"] >= 1  # the ward's need too
    match = Match.objects.get(need=open_need)
    assert match.proposed_by == ProposedBy.ALLOCATION

    detail = client.get(change_url(run))
    assert detail.status_code == 200
    assert "Needs considered" in detail.text
    assert "Lost to a more urgent or better-scoring need" in detail.text
    assert 'name="_save"' not in detail.text  # read-only
    assert client.post(change_url(run), {}).status_code == 403
    assert f"{figures['matched']} of {figures['needs_considered']}" in client.get(CHANGELIST).text


def test_staff_cannot_run_an_area_they_do_not_work_in(as_user, staff_b, ward_a, open_need):
    client = as_user(staff_b)
    response = client.post(ADD, {"area": ward_a.area.pk, "programme": ""})

    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.text
    assert not AllocationRun.objects.exists()
    assert not Match.objects.filter(need=open_need).exists()


def test_a_programme_run_by_staff_covers_only_their_areas(
    as_user, staff_b, ward_a, ward_b, open_need, django_capture_on_commit_callbacks
):
    programme = ProgrammeFactory(areas=[ward_a.area, ward_b.area], categories=[category("meals")])
    Need.objects.filter(pk=open_need.pk).update(programme=programme)
    client = as_user(staff_b)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, {"programme": programme.pk, "area": ""})

    assert response.status_code == 302
    run = AllocationRun.objects.get()
    assert run.figures["needs_considered"] == 0
    assert not Match.objects.filter(need=open_need).exists()


def test_a_run_needs_a_scope(as_user, staff_a):
    response = as_user(staff_a).post(ADD, {"programme": "", "area": ""})
    assert "Choose a programme or an area" in response.text
    assert not AllocationRun.objects.exists()


def test_runs_of_other_areas_are_not_found(as_user, staff_a, staff_b, ward_a, open_need):
    as_user(staff_a).post(ADD, {"area": ward_a.area.pk, "programme": ""})
    run = AllocationRun.objects.get()

    client = as_user(staff_b)
    assert client.get(change_url(run)).status_code == 302  # "not found": back to the list
    assert list(client.get(CHANGELIST).context["cl"].result_list) == []


def test_people_without_the_role_cannot_start_runs(as_user, commissioner):
    assert as_user(commissioner).get(ADD).status_code == 403
