"""Visits: planned at activation and by plan_visits, recorded by each side, and what
follows (the other side told, staff told, the match ending after missed visits)."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.exceptions import TransitionError
from matchmaking import lifecycle, visits
from matchmaking.constants import MatchStatus, VisitStatus
from matchmaking.models import Match, Notification, Visit
from matchmaking.scoping import grant_area
from services.constants import NeedStatus
from services.models import NeedSlot
from tests.factories import AreaFactory, NeedFactory, StaffFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def next_sunday_noon():
    """A fixed point for planning: a whole week of slots still ahead, whenever the test runs."""
    today = timezone.localdate()
    sunday = today + datetime.timedelta(days=6 - today.weekday() or 7)
    return timezone.make_aware(datetime.datetime.combine(sunday, datetime.time(12)))


def weekly_need(*slots):
    need = NeedFactory(
        schedule="weekly", on_date=None, starts_at=None, ends_at=None, status=NeedStatus.MATCHED
    )
    for weekday, hour in slots:
        NeedSlot.objects.create(
            need=need,
            weekday=weekday,
            starts_at=datetime.time(hour),
            ends_at=datetime.time(hour + 1),
        )
    return need


@pytest.fixture
def weekly_match():
    need = weekly_need((0, 10), (3, 14))  # Mondays 10:00, Thursdays 14:00
    need.on_date = timezone.localdate()  # eligible_cook reads a weekday from it
    return make_match(need, eligible_cook(need), MatchStatus.ACCEPTED)


@pytest.fixture
def one_off_match():
    need = NeedFactory(status=NeedStatus.MATCHED)
    return make_match(need, eligible_cook(need), MatchStatus.ACTIVE)


def a_visit(match, *, starts_in, status=VisitStatus.PLANNED):
    start = timezone.now() + starts_in
    return Visit.objects.create(match=match, starts_at=start, ends_at=start + HOUR, status=status)


# --- planning ---------------------------------------------------------------------------------


def test_confirming_a_weekly_match_plans_one_visit_per_slot_per_week_four_weeks_ahead(
    weekly_match,
):
    lifecycle.match_confirm(
        match=weekly_match, actor=weekly_match.need.requested_by, now=next_sunday_noon()
    )
    planned = list(weekly_match.visits.all())
    assert len(planned) == 8  # two slots a week, four weeks
    local = [timezone.localtime(v.starts_at) for v in planned]
    assert {(t.weekday(), t.hour) for t in local} == {(0, 10), (3, 14)}
    assert all(v.status == VisitStatus.PLANNED for v in planned)


def test_a_one_off_match_has_its_one_visit_at_the_need_time():
    need = NeedFactory(status=NeedStatus.OPEN)
    match = make_match(need, eligible_cook(need), MatchStatus.ACCEPTED)
    lifecycle.match_confirm(match=match, actor=need.requested_by)
    (visit,) = match.visits.all()
    local = timezone.localtime(visit.starts_at)
    assert (local.date(), local.hour, timezone.localtime(visit.ends_at).hour) == (
        need.on_date,
        12,
        13,
    )


def test_plan_visits_is_idempotent_and_rolls_forward(weekly_match):
    Match.objects.filter(pk=weekly_match.pk).update(status=MatchStatus.ACTIVE)
    sunday = next_sunday_noon()
    visits.visits_plan(now=sunday)
    visits.visits_plan(now=sunday)
    assert weekly_match.visits.count() == 8
    # A week later the plan reaches a week further.
    visits.visits_plan(now=sunday + datetime.timedelta(days=7))
    assert weekly_match.visits.count() == 10


def test_the_plan_visits_command_plans_active_matches_only(weekly_match, one_off_match):
    call_command("plan_visits")
    assert not weekly_match.visits.exists()  # accepted, not yet active
    assert one_off_match.visits.count() == 1


def test_completing_a_weekly_match_ends_its_future_visits(weekly_match):
    lifecycle.match_confirm(match=weekly_match, actor=weekly_match.need.requested_by)
    lifecycle.match_complete(match=weekly_match, actor=weekly_match.provider.user)
    assert not weekly_match.visits.filter(starts_at__gt=timezone.now()).exists()


def test_cancelling_a_match_ends_its_future_visits(weekly_match):
    lifecycle.match_confirm(match=weekly_match, actor=weekly_match.need.requested_by)
    lifecycle.match_cancel(
        match=weekly_match, actor=weekly_match.need.requested_by, reason="Moving away"
    )
    assert not weekly_match.visits.exists()


# --- the provider records -------------------------------------------------------------------


def test_the_provider_marks_a_visit_done_once_it_has_started(one_off_match):
    visit = a_visit(one_off_match, starts_in=HOUR)
    with pytest.raises(TransitionError, match="cannot be marked as done before then"):
        visits.visit_mark_done(visit=visit, actor=one_off_match.provider.user)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED

    started = a_visit(one_off_match, starts_in=-HOUR / 2)
    visits.visit_mark_done(visit=started, actor=one_off_match.provider.user)
    started.refresh_from_db()
    assert (started.status, started.recorded_by) == (
        VisitStatus.DONE,
        one_off_match.provider.user,
    )


def test_only_the_provider_marks_a_visit_done(one_off_match):
    visit = a_visit(one_off_match, starts_in=-HOUR / 2)
    for person in (one_off_match.need.requested_by, UserFactory()):
        with pytest.raises(TransitionError, match="Only the helper"):
            visits.visit_mark_done(visit=visit, actor=person)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_the_provider_cannot_come_and_the_resident_is_told_at_once(one_off_match):
    visit = a_visit(one_off_match, starts_in=datetime.timedelta(hours=5))
    visits.visit_cancel(visit=visit, actor=one_off_match.provider.user)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED_BY_PROVIDER
    assert 4.9 <= visit.notice_hours <= 5.0
    told = Notification.objects.get(user=one_off_match.need.requested_by)
    assert "cannot come" in told.message


def test_short_notice_counts_against_reliability_and_a_days_notice_does_not(one_off_match):
    provider_user = one_off_match.provider.user
    short = a_visit(one_off_match, starts_in=datetime.timedelta(hours=3))
    ample = a_visit(one_off_match, starts_in=datetime.timedelta(days=3))
    kept = a_visit(one_off_match, starts_in=-HOUR * 2)
    visits.visit_cancel(visit=short, actor=provider_user)
    visits.visit_cancel(visit=ample, actor=provider_user)
    visits.visit_mark_done(visit=kept, actor=provider_user)
    assert visits.visit_figures([one_off_match.provider_id]) == {one_off_match.provider_id: (1, 1)}


def test_a_visit_that_is_over_cannot_be_cancelled(one_off_match):
    visit = a_visit(one_off_match, starts_in=-HOUR * 3)
    with pytest.raises(TransitionError, match="over"):
        visits.visit_cancel(visit=visit, actor=one_off_match.provider.user)


# --- the resident's side ----------------------------------------------------------------------


def test_the_resident_says_a_visit_did_not_happen_and_staff_of_the_area_are_told(one_off_match):
    staff, elsewhere = StaffFactory(), StaffFactory()
    grant_area(staff, one_off_match.need.area)
    grant_area(elsewhere, AreaFactory())
    visit = a_visit(one_off_match, starts_in=-HOUR * 2)
    visits.visit_report_missed(visit=visit, actor=one_off_match.need.requested_by)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.MISSED and visit.flagged_at is not None
    alerted = Notification.objects.filter(message__contains="did not happen")
    assert set(alerted.values_list("user", flat=True)) == {staff.pk}


def test_the_resident_cannot_say_a_visit_did_not_happen_before_it_starts(one_off_match):
    visit = a_visit(one_off_match, starts_in=HOUR)
    with pytest.raises(TransitionError, match="after that"):
        visits.visit_report_missed(visit=visit, actor=one_off_match.need.requested_by)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_the_provider_cannot_say_their_own_visit_did_not_happen(one_off_match):
    visit = a_visit(one_off_match, starts_in=-HOUR * 2)
    with pytest.raises(TransitionError, match="Only the person who asked"):
        visits.visit_report_missed(visit=visit, actor=one_off_match.provider.user)


def test_the_match_ends_on_its_own_after_missed_visits_in_a_row_and_staff_are_told(
    one_off_match, settings
):
    settings.MISSED_VISITS_TO_END = 3
    staff = StaffFactory()
    grant_area(staff, one_off_match.need.area)
    resident = one_off_match.need.requested_by
    done = a_visit(one_off_match, starts_in=-datetime.timedelta(days=30))
    visits.visit_mark_done(visit=done, actor=one_off_match.provider.user)
    for days in (21, 14):
        visit = a_visit(one_off_match, starts_in=-datetime.timedelta(days=days))
        visits.visit_report_missed(visit=visit, actor=resident)
    one_off_match.refresh_from_db()
    assert one_off_match.status == MatchStatus.ACTIVE  # two in a row: not yet

    visit = a_visit(one_off_match, starts_in=-datetime.timedelta(days=7))
    visits.visit_report_missed(visit=visit, actor=resident)
    one_off_match.refresh_from_db()
    assert one_off_match.status == MatchStatus.CANCELLED
    assert Notification.objects.filter(user=staff, message__contains="ended on its own").exists()


# --- the page -------------------------------------------------------------------------------


def test_your_visits_shows_coming_then_past_to_both_sides(client, one_off_match):
    coming = a_visit(one_off_match, starts_in=datetime.timedelta(days=2))
    far = a_visit(one_off_match, starts_in=datetime.timedelta(days=40))
    past = a_visit(one_off_match, starts_in=-datetime.timedelta(days=2))
    for person in (one_off_match.provider.user, one_off_match.need.requested_by):
        client.force_login(person)
        page = client.get(reverse("matchmaking:visits")).content.decode()
        assert f'id="visit-{coming.pk}"' in page and f'id="visit-{past.pk}"' in page
        assert f'id="visit-{far.pk}"' not in page  # beyond the four weeks
        assert page.index(f'id="visit-{coming.pk}"') < page.index(f'id="visit-{past.pk}"')


@pytest.mark.parametrize("who", ["outsider", "staff of the area", "staff elsewhere"])
def test_an_outsider_sees_no_visits_and_cannot_act_on_them(client, one_off_match, who):
    visit = a_visit(one_off_match, starts_in=-HOUR / 2)
    person = UserFactory() if who == "outsider" else StaffFactory()
    if who != "outsider":
        area = one_off_match.need.area if who == "staff of the area" else AreaFactory()
        grant_area(person, area)  # staff see visits in the admin, not as a party
    client.force_login(person)
    page = client.get(reverse("matchmaking:visits")).content.decode()
    assert f'id="visit-{visit.pk}"' not in page
    for name in ("visit_done", "visit_cancel", "visit_missed"):
        assert client.post(reverse(f"matchmaking:{name}", args=[visit.pk])).status_code == 404
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_the_provider_marks_done_on_the_page(client, one_off_match):
    visit = a_visit(one_off_match, starts_in=-HOUR / 2)
    client.force_login(one_off_match.provider.user)
    response = client.post(reverse("matchmaking:visit_done", args=[visit.pk]), follow=True)
    assert "Marked as done" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE


def test_a_refused_change_on_the_page_is_a_message_not_an_error(client, one_off_match):
    visit = a_visit(one_off_match, starts_in=HOUR)
    client.force_login(one_off_match.provider.user)
    response = client.post(reverse("matchmaking:visit_done", args=[visit.pk]), follow=True)
    assert response.status_code == 200
    assert "cannot be marked as done before then" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_the_resident_says_did_not_happen_on_the_page(client, one_off_match):
    visit = a_visit(one_off_match, starts_in=-HOUR * 2)
    client.force_login(one_off_match.need.requested_by)
    response = client.post(reverse("matchmaking:visit_missed", args=[visit.pk]), follow=True)
    assert "Council staff will look into it" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.MISSED


def test_your_visits_queries_do_not_grow_with_visits(
    client, one_off_match, django_assert_max_num_queries
):
    for days in range(1, 15):
        a_visit(one_off_match, starts_in=datetime.timedelta(days=days))
        a_visit(one_off_match, starts_in=-datetime.timedelta(days=days))
    client.force_login(one_off_match.provider.user)
    # session, user, navigation facts, coming visits, past visits (+ messages/savepoints slack)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("matchmaking:visits"))
    assert response.status_code == 200


# --- reliability ----------------------------------------------------------------------------


def reliability(need, provider, *, batch=False):
    from matchmaking import candidates

    if batch:
        ranking = candidates.CandidateBatch([need], now=timezone.now()).rank(need, limit=10)
    else:
        ranking = candidates.rank_need(need)
    (scored,) = [s for s in ranking.ranked if s.provider_id == provider.pk]
    if batch:
        return candidates.CandidateBatch([need], now=timezone.now()).explanation(
            need.pk, provider.pk
        )["components"]["reliability"]["value"]
    return scored.explanation["components"]["reliability"]["value"]


@pytest.mark.parametrize("batch", [False, True], ids=["one need", "batch allocation"])
def test_reliability_comes_from_visits_kept_and_missed_with_the_prior(one_off_match, batch):
    provider = one_off_match.provider
    new_need = NeedFactory(area=one_off_match.need.area)
    before = reliability(new_need, provider, batch=batch)
    for days in range(1, 5):
        visit = a_visit(one_off_match, starts_in=-datetime.timedelta(days=days))
        visits.visit_report_missed(visit=visit, actor=one_off_match.need.requested_by)
        Match.objects.filter(pk=one_off_match.pk).update(status=MatchStatus.ACTIVE)
    missed = reliability(new_need, provider, batch=batch)
    assert missed < before  # four missed visits count against them...
    assert missed > 0.3  # ...softened by the prior (0.8 worth five steps)

    for days in range(5, 25):
        visit = a_visit(one_off_match, starts_in=-datetime.timedelta(days=days))
        visits.visit_mark_done(visit=visit, actor=provider.user)
    assert reliability(new_need, provider, batch=batch) > missed  # visits kept restore it


# --- ratings, done properly -------------------------------------------------------------------


def test_an_active_match_can_be_rated_once_its_first_visit_was_done(one_off_match):
    from matchmaking import trust

    resident = one_off_match.need.requested_by
    with pytest.raises(TransitionError, match="once the first visit has happened"):
        trust.rating_give(match=one_off_match, actor=resident, score=5)
    visit = a_visit(one_off_match, starts_in=-HOUR)
    visits.visit_mark_done(visit=visit, actor=one_off_match.provider.user)
    rating = trust.rating_give(match=one_off_match, actor=resident, score=5)
    assert rating.score == 5


def test_a_weekly_matchs_rating_is_updated_after_each_visit_rather_than_piling_up(weekly_match):
    from matchmaking import trust
    from matchmaking.models import Rating

    Match.objects.filter(pk=weekly_match.pk).update(status=MatchStatus.ACTIVE)
    resident, helper = weekly_match.need.requested_by, weekly_match.provider.user
    first = a_visit(weekly_match, starts_in=-datetime.timedelta(days=14))
    visits.visit_mark_done(visit=first, actor=helper)
    rating = trust.rating_give(match=weekly_match, actor=resident, score=3)
    Rating.objects.filter(pk=rating.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=13)
    )
    with pytest.raises(TransitionError, match="already rated"):
        trust.rating_give(match=weekly_match, actor=resident, score=5)
    # A fortnight on, a new visit opens the same rating for an update.
    latest = a_visit(weekly_match, starts_in=-datetime.timedelta(days=1))
    visits.visit_mark_done(visit=latest, actor=helper)
    trust.rating_edit(rating=rating, actor=resident, score=5)
    assert list(Rating.objects.filter(match=weekly_match).values_list("score", flat=True)) == [5]


def test_comments_show_only_after_staff_of_the_area_approve_and_scores_count_at_once(
    client, one_off_match
):
    from matchmaking import trust

    visit = a_visit(one_off_match, starts_in=-HOUR)
    visits.visit_mark_done(visit=visit, actor=one_off_match.provider.user)
    rating = trust.rating_give(
        match=one_off_match, actor=one_off_match.need.requested_by, score=2, comment="Was late"
    )
    one_off_match.provider.refresh_from_db()
    assert one_off_match.provider.rating_count == 1  # the score counts at once

    next_need = NeedFactory(area=one_off_match.need.area)
    proposed = make_match(next_need, one_off_match.provider, MatchStatus.ACCEPTED)
    client.force_login(next_need.requested_by)
    page = reverse("matchmaking:need_match", args=[proposed.pk])
    assert "Was late" not in client.get(page).content.decode()

    elsewhere = StaffFactory()
    grant_area(elsewhere, AreaFactory())
    with pytest.raises(TransitionError, match="staff of this area"):
        trust.rating_comment_approve(rating=rating, actor=elsewhere)
    staff = StaffFactory()
    grant_area(staff, one_off_match.need.area)
    trust.rating_comment_approve(rating=rating, actor=staff)
    assert "Was late" in client.get(page).content.decode()


def test_the_resident_sees_the_smoothed_rating_the_engine_uses_explained(client, one_off_match):
    from accounts.models import ProviderProfile

    ProviderProfile.objects.filter(pk=one_off_match.provider_id).update(
        rating_count=1, rating_sum=5
    )
    client.force_login(one_off_match.need.requested_by)
    html = client.get(reverse("matchmaking:need_match", args=[one_off_match.pk])).content.decode()
    # One 5-star review against the prior: 4.2, not the raw 5.0.
    assert "4.2 out of 5 from 1 rating" in html and "5.0 out of 5" not in html
    assert "a single review cannot make or break them" in html


def test_the_dashboard_counts_visits_done_and_missed_in_the_period_and_areas(one_off_match):
    from matchmaking import dashboard
    from matchmaking.scoping import staff_area_ids

    for days, status in ((-2, VisitStatus.DONE), (-3, VisitStatus.DONE), (-4, VisitStatus.MISSED)):
        a_visit(one_off_match, starts_in=datetime.timedelta(days=days), status=status)
    a_visit(one_off_match, starts_in=-datetime.timedelta(days=40), status=VisitStatus.DONE)
    elsewhere = NeedFactory(status=NeedStatus.MATCHED)
    other = make_match(elsewhere, eligible_cook(elsewhere), MatchStatus.ACTIVE)
    a_visit(other, starts_in=-datetime.timedelta(days=2), status=VisitStatus.DONE)
    staff = StaffFactory()
    grant_area(staff, one_off_match.need.area)
    week = dashboard.Period.last_days(7)
    assert dashboard.visits_done(staff_area_ids(staff), week) == {"done": 2, "missed": 1}
