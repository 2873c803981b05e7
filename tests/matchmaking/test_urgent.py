"""Urgent needs: several providers alerted at once, the first to say yes takes it, the next
several alerted when nobody answers in time, and the least alerted preferred among equals."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.exceptions import AlreadyTaken, TransitionError
from accounts.models import ProviderProfile
from matchmaking import lifecycle, scoring, urgent
from matchmaking.admin.needs import component_bars
from matchmaking.constants import MatchStatus, ProposedBy
from matchmaking.models import Notification
from matchmaking.scoping import grant_area
from services.constants import NeedStatus, Urgency
from services.models import Need, Programme
from tests.api.conftest import token_client
from tests.factories import (
    AreaFactory,
    CommissionerFactory,
    NeedFactory,
    PostcodeFactory,
    ProgrammeFactory,
    StaffFactory,
    UserFactory,
    category,
)
from tests.matching import NOW, eligible_cook, make_match

pytestmark = pytest.mark.django_db

TAKEN = "Someone else has already said yes to this request."


def north(need, km):
    """A cook `km` north of the need (a degree of latitude is about 111 km)."""
    return eligible_cook(need, latitude=need.latitude + km / 111.2)


@pytest.fixture
def need():
    return NeedFactory(
        category=category("meals"), urgency=Urgency.URGENT, contact_name="Rose Turner"
    )


@pytest.fixture
def cooks(need):
    """Five cooks, each a kilometre further away than the one before."""
    return [north(need, km) for km in (0, 1, 2, 3, 4)]


def offered(need):
    return list(need.matches.filter(status=MatchStatus.OFFERED).order_by("-score"))


# --- alerting several at once -----------------------------------------------------------------


def test_an_urgent_need_is_offered_to_the_best_three_at_once(
    need, cooks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = lifecycle.need_offer_next(need=need, now=NOW)

    offers = offered(need)
    assert [offer.provider for offer in offers] == cooks[:3]
    assert first == offers[0]
    assert all(offer.offered_to_several for offer in offers)
    # Thirty minutes to answer, not the usual two days.
    assert {offer.expires_at for offer in offers} == {NOW + datetime.timedelta(minutes=30)}
    for cook in cooks[:3]:
        note = Notification.objects.get(user=cook.user)
        assert "We have asked 3 people at once: the first to say yes will help." in note.message
        email = next(m for m in mail.outbox if m.to == [cook.user.email])
        assert "We have asked 3 people at once" in email.body
    assert not Notification.objects.filter(user__in=[c.user for c in cooks[3:]]).exists()


def test_a_routine_need_still_goes_to_one_provider_at_a_time(need, cooks):
    need.urgency = Urgency.ROUTINE
    need.save()
    offer = lifecycle.need_offer_next(need=need, now=NOW)
    assert offered(need) == [offer] and not offer.offered_to_several
    assert "at once" not in Notification.objects.get(user=offer.provider.user).message


def test_the_programme_sets_how_many_are_alerted_and_for_how_long(need, cooks):
    need.programme = ProgrammeFactory(urgent_alert_count=2, urgent_window_minutes=10)
    need.save()
    lifecycle.need_offer_next(need=need, now=NOW)
    offers = offered(need)
    assert [offer.provider for offer in offers] == cooks[:2]
    assert {offer.expires_at for offer in offers} == {NOW + datetime.timedelta(minutes=10)}
    assert "We have asked 2 people at once" in offers[0].notifications.get().message


def test_a_programme_that_opts_in_alerts_several_for_every_need(need, cooks):
    need.urgency = Urgency.ROUTINE
    need.programme = ProgrammeFactory(alert_several=True)
    need.save()
    lifecycle.need_offer_next(need=need, now=NOW)
    assert len(offered(need)) == 3


def test_only_providers_with_a_free_place_are_alerted(need, cooks):
    make_match(NeedFactory(), cooks[1], MatchStatus.ACTIVE)
    make_match(NeedFactory(), cooks[1], MatchStatus.ACTIVE)  # capacity 2: full
    lifecycle.need_offer_next(need=need, now=NOW)
    assert [offer.provider for offer in offered(need)] == [cooks[0], cooks[2], cooks[3]]


def test_a_single_free_candidate_gets_a_plain_offer_with_the_urgent_window(need):
    only = eligible_cook(need)
    offer = lifecycle.need_offer_next(need=need, now=NOW)
    assert offer.provider == only and not offer.offered_to_several
    assert offer.expires_at == NOW + datetime.timedelta(minutes=30)
    assert "at once" not in Notification.objects.get(user=only.user).message


def test_with_nobody_free_the_urgent_need_is_marked_unmet(need):
    assert lifecycle.need_offer_next(need=need, now=NOW) is None
    need.refresh_from_db()
    assert need.unmet_since == NOW and not need.matches.exists()


# --- the first to say yes takes it --------------------------------------------------------------


def test_the_first_to_accept_takes_it_and_the_others_are_stood_down(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    winner, *others = offered(need)
    later = NOW + datetime.timedelta(minutes=5)

    lifecycle.match_accept(match=winner, actor=winner.provider.user, now=later)

    winner.refresh_from_db()
    assert winner.status == MatchStatus.ACCEPTED
    for other in others:
        other.refresh_from_db()
        assert other.status == MatchStatus.CANCELLED and other.ended_at == later
        assert other.reason == urgent.STOOD_DOWN_REASON
        messages = list(other.provider.user.notifications.values_list("message", flat=True))
        assert any(f"Someone else is helping with request {need.reference}" in m for m in messages)
        # Being stood down is not an offer they let pass: reliability does not count it.
        other.provider.refresh_from_db()
        assert other.provider.offers_received == 0
    assert any(
        "can help with request" in n.message
        for n in Notification.objects.filter(user=need.resident)
    )


def test_standing_down_never_takes_a_count_below_zero(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    winner, other, _ = offered(need)
    ProviderProfile.objects.filter(pk=other.provider_id).update(offers_received=0)
    lifecycle.match_accept(match=winner, actor=winner.provider.user, now=NOW)
    other.provider.refresh_from_db()
    assert other.provider.offers_received == 0


def test_accepting_after_someone_else_said_yes_is_refused_with_a_clear_message(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    winner, late, _ = offered(need)
    lifecycle.match_accept(match=winner, actor=winner.provider.user, now=NOW)

    with pytest.raises(AlreadyTaken, match=TAKEN):
        lifecycle.match_accept(match=late, actor=late.provider.user, now=NOW)
    late.refresh_from_db()
    assert late.status == MatchStatus.CANCELLED
    assert need.matches.filter(status=MatchStatus.ACCEPTED).get() == winner


def test_the_message_holds_after_the_winner_has_been_confirmed(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    winner, late, _ = offered(need)
    lifecycle.match_accept(match=winner, actor=winner.provider.user, now=NOW)
    lifecycle.match_confirm(match=winner, actor=need.requested_by, now=NOW)
    with pytest.raises(AlreadyTaken, match=TAKEN):
        lifecycle.match_accept(match=late, actor=late.provider.user, now=NOW)


def test_someone_else_cannot_accept_a_providers_offer(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    offer = offered(need)[0]
    with pytest.raises(TransitionError, match="Only the provider can accept"):
        lifecycle.match_accept(match=offer, actor=cooks[1].user, now=NOW)


def test_on_the_web_the_late_provider_reads_the_message(client, need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    winner, late, _ = offered(need)
    lifecycle.match_accept(match=winner, actor=winner.provider.user)
    client.force_login(late.provider.user)
    response = client.post(reverse("matchmaking:offer_accept", args=[late.pk]), follow=True)
    assert response.status_code == 200
    assert any(TAKEN in str(m) for m in response.context["messages"])


def test_over_the_api_the_late_provider_gets_a_409_with_the_message(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    winner, late, _ = offered(need)
    lifecycle.match_accept(match=winner, actor=winner.provider.user)
    response = token_client(late.provider.user).post(f"/api/v1/matches/{late.pk}/accept/")
    assert response.status_code == 409
    assert TAKEN in response.json()["detail"]
    late.refresh_from_db()
    assert late.status == MatchStatus.CANCELLED


def test_the_api_documents_the_409_of_accept(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    responses = schema["paths"]["/api/v1/matches/{id}/accept/"]["post"]["responses"]
    assert "someone else has already said yes" in responses["409"]["description"]


def test_the_database_allows_one_taken_match_per_need(need, cooks):
    make_match(need, cooks[0], MatchStatus.ACCEPTED, offered_to_several=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_match(need, cooks[1], MatchStatus.ACCEPTED, offered_to_several=True)


def test_the_database_still_allows_one_live_single_offer_per_need(need, cooks):
    make_match(need, cooks[0], MatchStatus.OFFERED)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_match(need, cooks[1], MatchStatus.OFFERED)


# --- nobody answers: the next several ---------------------------------------------------------


def test_offers_nobody_accepts_in_the_window_cascade_to_the_next_three(need):
    cooks = [north(need, km / 2) for km in range(7)]
    lifecycle.need_offer_next(need=need, now=NOW)
    first_round = offered(need)

    assert lifecycle.expire_offers(now=NOW + datetime.timedelta(minutes=29)) == 0
    later = NOW + datetime.timedelta(minutes=31)
    assert lifecycle.expire_offers(now=later) == 3

    for offer in first_round:
        offer.refresh_from_db()
        assert offer.status == MatchStatus.EXPIRED
    second_round = offered(need)
    assert [offer.provider for offer in second_round] == cooks[3:6]
    assert {offer.expires_at for offer in second_round} == {later + datetime.timedelta(minutes=30)}


def test_the_next_several_are_alerted_only_once_all_have_declined(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    first, second, third = offered(need)
    lifecycle.match_decline(match=first, actor=first.provider.user, now=NOW)
    lifecycle.match_decline(match=second, actor=second.provider.user, now=NOW)
    assert offered(need) == [third]  # still waiting for the third
    lifecycle.match_decline(match=third, actor=third.provider.user, now=NOW)
    assert [offer.provider for offer in offered(need)] == cooks[3:5]


def test_when_the_winner_cancels_the_need_is_alerted_to_others_again(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    winner = offered(need)[0]
    lifecycle.match_accept(match=winner, actor=winner.provider.user, now=NOW)
    lifecycle.match_cancel(match=winner, actor=winner.provider.user, reason="Unwell", now=NOW)
    # Those stood down, and the one who cancelled, are not asked again straight away.
    assert [offer.provider for offer in offered(need)] == cooks[3:5]


def test_withdrawing_the_need_ends_every_offer(need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    lifecycle.need_withdraw(need=need, actor=need.requested_by, reason="Sorted now")
    assert not offered(need)
    assert need.matches.filter(status=MatchStatus.CANCELLED).count() == 3
    need.refresh_from_db()
    assert need.status == NeedStatus.WITHDRAWN


# --- fairness: the least alerted first among near-equals ---------------------------------------


def scored(provider_id, score, alerts):
    return scoring.Scored(provider_id, score, 1.0, {}, {}, alerts)


def test_within_the_band_the_least_alerted_come_first():
    ranked = [scored(1, 0.80, 5), scored(2, 0.79, 0), scored(3, 0.785, 2), scored(4, 0.70, 0)]
    order = scoring.prefer_least_alerted(ranked, band=0.02)
    assert [s.provider_id for s in order] == [2, 3, 1, 4]


def test_nobody_jumps_someone_more_than_the_band_better():
    ranked = [scored(1, 0.90, 9), scored(2, 0.85, 0)]
    assert [s.provider_id for s in scoring.prefer_least_alerted(ranked, band=0.02)] == [1, 2]


def test_with_no_band_the_ranking_is_unchanged():
    ranked = [scored(1, 0.80, 5), scored(2, 0.80, 0), scored(3, 0.70, 0)]
    # Equal scores form a band of their own even at zero: the least alerted goes first.
    assert [s.provider_id for s in scoring.prefer_least_alerted(ranked, band=0)] == [2, 1, 3]
    with pytest.raises(ValueError, match="band"):
        scoring.prefer_least_alerted(ranked, band=-1)


def test_the_explanation_says_how_often_they_were_alerted_this_week():
    need = scoring.NeedFacts(
        need_id=1,
        resident_id=1,
        lat=51.45,
        lon=-0.97,
        on_date=datetime.date(2026, 12, 1),
        slots=(),
        allowed_kinds=frozenset({"cook"}),
        required_checks=frozenset(),
    )
    cand = scoring.CandidateFacts(
        provider_id=7,
        kind="cook",
        is_active=True,
        lat=51.45,
        lon=-0.97,
        radius_km=5,
        capacity=2,
        live_matches=0,
        checks={},
        availability=(),
        languages=frozenset(),
        recent_offers=4,
    )
    explanation = scoring.rank(need, [cand]).ranked[0].explanation
    assert explanation["alerts_this_week"] == 4
    labels = [label for label, *_ in component_bars(explanation)]
    assert "Shares the work fairly (alerted 4 times this week)" in labels
    assert "Shares the work fairly (alerted 1 time this week)" in [
        label for label, *_ in component_bars({**explanation, "alerts_this_week": 1})
    ]


def test_an_urgent_need_alerts_the_least_alerted_of_nearly_equal_cooks(need):
    # Fairness as a component left out, so only the band decides between these.
    need.programme = ProgrammeFactory(urgent_alert_count=2, weights={"fairness": 0})
    need.save()
    busy = north(need, 0)  # the nearest, but alerted four times this week
    for _ in range(4):
        make_match(
            NeedFactory(), busy, MatchStatus.DECLINED, offered_at=NOW - datetime.timedelta(days=1)
        )
    quiet = [north(need, 0.1), north(need, 0.2)]  # a little further, scores within the band
    far = north(need, 6)  # well outside it

    lifecycle.need_offer_next(need=need, now=NOW)

    chosen = {offer.provider for offer in offered(need)}
    assert chosen == set(quiet)
    assert busy not in chosen and far not in chosen
    assert all(offer.explanation["alerts_this_week"] == 0 for offer in offered(need))


def test_alerts_this_week_counts_the_offers_of_the_last_seven_days(need, cooks):
    old = NOW - datetime.timedelta(days=8)
    make_match(NeedFactory(), cooks[0], MatchStatus.EXPIRED, offered_at=old)
    make_match(
        NeedFactory(), cooks[0], MatchStatus.EXPIRED, offered_at=NOW - datetime.timedelta(days=2)
    )
    lifecycle.need_offer_next(need=need, now=NOW)
    offer = need.matches.get(provider=cooks[0])
    assert offer.explanation["alerts_this_week"] == 1


# --- staff start the fan-out -----------------------------------------------------------------


@pytest.fixture
def staff(need):
    user = StaffFactory()
    grant_area(user, need.area)
    return user


def test_staff_alert_the_best_several_from_the_need_page(client, need, cooks, staff):
    client.force_login(staff)
    page = client.get(reverse("admin:services_need_change", args=[need.pk])).content.decode()
    assert "Alert the best 3 now" in page
    response = client.post(
        reverse("admin:services_need_alert_several", args=[need.pk]), follow=True
    )
    offers = offered(need)
    assert [offer.provider for offer in offers] == cooks[:3]
    assert all(o.proposed_by == ProposedBy.STAFF and o.proposed_by_user == staff for o in offers)
    assert any("Alerted 3 at once" in str(m) for m in response.context["messages"])


def test_staff_cannot_alert_again_while_offers_are_out(client, need, cooks, staff):
    lifecycle.need_offer_next(need=need, now=NOW)
    client.force_login(staff)
    response = client.post(
        reverse("admin:services_need_alert_several", args=[need.pk]), follow=True
    )
    assert any("already has a live match" in str(m) for m in response.context["messages"])
    assert len(offered(need)) == 3


def test_alerting_several_is_a_post_for_staff_of_the_area(client, need, cooks):
    url = reverse("admin:services_need_alert_several", args=[need.pk])
    elsewhere = StaffFactory()
    client.force_login(elsewhere)
    assert client.post(url).status_code in (302, 404)  # another area's need is not found
    assert not need.matches.exists()
    with pytest.raises(TransitionError, match="Only council staff of this area"):
        urgent.need_alert_several(need=need, actor=elsewhere)


def test_the_button_is_shown_only_for_needs_that_alert_several(client, need, cooks, staff):
    need.urgency = Urgency.ROUTINE
    need.save()
    client.force_login(staff)
    page = client.get(reverse("admin:services_need_change", args=[need.pk])).content.decode()
    assert "Alert the best" not in page and "Suggested providers" in page


# --- commissioners opt a programme in ----------------------------------------------------------


def test_a_commissioner_sets_the_urgent_alerts_of_a_programme(client):
    from tests.admin.test_programmes_admin import ADD, form_data

    client.force_login(CommissionerFactory())
    response = client.post(
        ADD,
        form_data(
            areas=[AreaFactory().pk],
            alert_several="on",
            urgent_alert_count="5",
            urgent_window_minutes="15",
        ),
    )
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert (programme.alert_several, programme.urgent_alert_count) == (True, 5)
    assert programme.urgent_window_minutes == 15


def test_left_empty_the_urgent_settings_keep_their_defaults(client):
    from tests.admin.test_programmes_admin import ADD, form_data

    client.force_login(CommissionerFactory())
    assert client.post(ADD, form_data(areas=[AreaFactory().pk])).status_code == 302
    programme = Programme.objects.get()
    assert (programme.alert_several, programme.urgent_alert_count) == (False, 3)
    assert programme.urgent_window_minutes == 30


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("urgent_alert_count", "1", "greater than or equal to 2"),
        ("urgent_alert_count", "21", "less than or equal to 20"),
        ("urgent_window_minutes", "0", "greater than or equal to 5"),
        ("urgent_window_minutes", "soon", "Enter a whole number."),
    ],
)
def test_bad_urgent_settings_are_refused_and_nothing_is_saved(client, field, value, message):
    from tests.admin.test_programmes_admin import ADD, form_data

    client.force_login(CommissionerFactory())
    response = client.post(ADD, form_data(areas=[AreaFactory().pk], **{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Programme.objects.exists()


def test_the_database_refuses_urgent_settings_out_of_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeFactory(urgent_alert_count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeFactory(urgent_window_minutes=0)


# --- an urgent request made through the API ---------------------------------------------------


def test_an_urgent_request_made_over_the_api_is_alerted_to_several(
    django_capture_on_commit_callbacks,
):
    from tests.api.test_needs import URL, one_off

    area = AreaFactory()
    PostcodeFactory(code="RV1 2AB", area=area, latitude=51.4543, longitude=-0.9781)
    ProgrammeFactory(categories=[category("meals")], areas=[area])
    nearby = NeedFactory(category=category("meals"), latitude=51.4543, longitude=-0.9781)
    nearby.on_date = datetime.date.today() + datetime.timedelta(days=2)
    cooks = [north(nearby, km) for km in (0, 1, 2, 3)]
    resident = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(resident).post(URL, one_off(urgency="urgent"), format="json")

    assert response.status_code == 201, response.json()
    need = Need.objects.get(reference=response.json()["reference"])
    assert [offer.provider for offer in offered(need)] == cooks[:3]
    assert all(offer.offered_to_several for offer in offered(need))


def test_staff_find_the_offers_made_to_several_in_the_match_list(client, need, cooks, staff):
    lifecycle.need_offer_next(need=need, now=NOW)
    single = make_match(NeedFactory(area=need.area), cooks[4], MatchStatus.OFFERED)
    client.force_login(staff)
    url = reverse("admin:matchmaking_match_changelist")
    shown = client.get(url, {"offered_to_several__exact": "1"}).context["cl"].result_list
    assert {match.pk for match in shown} == {offer.pk for offer in offered(need)}
    assert single.pk not in {match.pk for match in shown}
    page = client.get(reverse("admin:matchmaking_match_change", args=[single.pk]))
    assert "Offered to several" in page.content.decode()


def test_the_offer_page_says_several_people_were_asked(client, need, cooks):
    lifecycle.need_offer_next(need=need, now=NOW)
    offer = offered(need)[0]
    single = make_match(NeedFactory(), cooks[4], MatchStatus.OFFERED)
    note = "We have asked several people at once: the first to say yes will help."
    client.force_login(offer.provider.user)
    page = client.get(reverse("matchmaking:offer_detail", args=[offer.pk])).content.decode()
    assert note in page
    client.force_login(cooks[4].user)
    page = client.get(reverse("matchmaking:offer_detail", args=[single.pk])).content.decode()
    assert note not in page and "Please answer by" in page
