"""Visits in the admin: a match's visits on its page, the missed-visits list scoped to the
staff's areas, and approving rating comments (through trust.rating_comment_approve)."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from matchmaking.constants import VisitStatus
from matchmaking.models import Visit

pytestmark = pytest.mark.django_db

LIST = "admin:matchmaking_visit_changelist"


def a_visit(match, *, days, status):
    start = timezone.now() + datetime.timedelta(days=days)
    return Visit.objects.create(
        match=match, starts_at=start, ends_at=start + datetime.timedelta(hours=1), status=status
    )


def test_the_missed_visits_list_shows_only_missed_visits_in_the_staffs_areas(
    as_user, ward_a, ward_b, staff_a, django_assert_max_num_queries
):
    mine = a_visit(ward_a.match, days=-3, status=VisitStatus.MISSED)
    kept = a_visit(ward_a.match, days=-10, status=VisitStatus.DONE)
    theirs = a_visit(ward_b.match, days=-3, status=VisitStatus.MISSED)
    for days in range(4, 24):
        a_visit(ward_a.match, days=-days * 7, status=VisitStatus.MISSED)
    client = as_user(staff_a)
    # session, user, two-factor, the staff's areas (grants), the page of visits (joined)...
    with django_assert_max_num_queries(14):
        response = client.get(reverse(LIST))
    rows = list(response.context["cl"].result_list)
    assert mine in rows and kept not in rows and theirs not in rows
    assert client.get(reverse("admin:matchmaking_visit_change", args=[theirs.pk])).status_code in (
        302,
        404,
    )
    everything = client.get(reverse(LIST) + "?outcome=all").context["cl"].result_list
    assert kept in list(everything) and theirs not in list(everything)


def test_staff_of_another_area_and_people_who_are_not_staff_do_not_see_the_list(
    as_user, ward_a, staff_b, outsider
):
    visit = a_visit(ward_a.match, days=-3, status=VisitStatus.MISSED)
    rows = as_user(staff_b).get(reverse(LIST)).context["cl"].result_list
    assert visit not in list(rows)
    change = reverse("admin:matchmaking_visit_change", args=[visit.pk])
    assert change not in as_user(outsider).get(reverse(LIST)).content.decode()


def test_a_matchs_page_lists_its_visits(as_user, ward_a, staff_a):
    visit = a_visit(ward_a.match, days=-3, status=VisitStatus.MISSED)
    response = as_user(staff_a).get(
        reverse("admin:matchmaking_match_change", args=[ward_a.match.pk])
    )
    assert response.status_code == 200
    assert "Did not happen" in response.content.decode()
    assert visit.pk in [v.pk for v in response.context["inline_admin_formsets"][0].formset.queryset]


def test_staff_approve_a_rating_comment_in_their_area_only(as_user, ward_a, staff_a, staff_b):
    ward_a.rating.comment = "Kind and on time"
    ward_a.rating.save()
    data = {
        "action": "approve_rating_comments",
        "index": 0,
        ACTION_CHECKBOX_NAME: [ward_a.rating.pk],
    }
    as_user(staff_b).post(reverse("admin:matchmaking_rating_changelist"), data, follow=True)
    ward_a.rating.refresh_from_db()
    assert ward_a.rating.comment_approved_at is None  # not in their area: not even listed
    as_user(staff_a).post(reverse("admin:matchmaking_rating_changelist"), data, follow=True)
    ward_a.rating.refresh_from_db()
    assert ward_a.rating.comment_approved_by == staff_a
