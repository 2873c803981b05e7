"""The match lifecycle: every transition, who may make it, and what it sets off."""

import datetime

import pytest
from django.core import mail

from accounts.exceptions import TransitionError
from matchmaking import lifecycle
from matchmaking.constants import MatchStatus
from matchmaking.models import Match, Notification
from matchmaking.scoping import grant_area
from services.constants import NeedStatus
from tests.factories import AreaFactory, NeedFactory, StaffFactory, UserFactory, category
from tests.matching import NOW, eligible_cook, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def need():
    return NeedFactory(category=category("meals"), contact_name="Rose Turner")


# --- the engine's offers ---------------------------------------------------------------------


def test_the_engine_offers_the_best_candidate_and_tells_them(
    need, django_capture_on_commit_callbacks
):
    near = eligible_cook(need)
    eligible_cook(need, latitude=need.latitude + 0.03)  # about 3 km further north
    with django_capture_on_commit_callbacks(execute=True):
        match = lifecycle.need_offer_next(need=need, now=NOW)

    assert match.provider == near
    assert match.status == MatchStatus.OFFERED
    assert match.expires_at == NOW + datetime.timedelta(hours=48)
    assert set(match.explanation["components"]) >= {"proximity", "trust", "fairness"}
    near.refresh_from_db()
    assert near.offers_received == 1
    note = Notification.objects.get(user=near.user)
    assert "Rose needs a hot meal" in note.message
    assert "Turner" not in note.message and "High Street" not in note.message
    assert mail.outbox[-1].to == [near.user.email]


def test_a_need_with_a_live_match_is_not_offered_twice(need):
    eligible_cook(need)
    eligible_cook(need)
    assert lifecycle.need_offer_next(need=need, now=NOW) is not None
    assert lifecycle.need_offer_next(need=need, now=NOW) is None
    assert Match.objects.count() == 1


def test_declining_offers_the_next_candidate_until_none_is_left(need):
    first = eligible_cook(need)
    second = eligible_cook(need, latitude=need.latitude + 0.02)
    offer = lifecycle.need_offer_next(need=need, now=NOW)
    assert offer.provider == first

    lifecycle.match_decline(match=offer, actor=first.user, reason="Away that day", now=NOW)
    second_offer = Match.objects.get(status=MatchStatus.OFFERED)
    assert second_offer.provider == second

    lifecycle.match_decline(match=second_offer, actor=second.user, now=NOW)
    need.refresh_from_db()
    assert not Match.objects.filter(status=MatchStatus.OFFERED).exists()
    assert need.status == NeedStatus.OPEN and need.unmet_since == NOW


def test_expiry_moves_on_and_running_it_again_changes_nothing(need):
    first = eligible_cook(need)
    second = eligible_cook(need, latitude=need.latitude + 0.02)
    lifecycle.need_offer_next(need=need, now=NOW)

    later = NOW + datetime.timedelta(hours=49)
    assert lifecycle.expire_offers(now=later) == 1
    statuses = dict(Match.objects.values_list("provider_id", "status"))
    assert statuses == {first.pk: MatchStatus.EXPIRED, second.pk: MatchStatus.OFFERED}
    assert lifecycle.expire_offers(now=later) == 0
    assert Match.objects.count() == 2
    assert "not answered in time" in Notification.objects.filter(user=first.user).first().message


def test_an_expired_offer_cannot_be_accepted(need):
    provider = eligible_cook(need)
    offer = make_match(
        need, provider, MatchStatus.OFFERED, expires_at=NOW - datetime.timedelta(minutes=1)
    )
    with pytest.raises(TransitionError, match="expired"):
        lifecycle.match_accept(match=offer, actor=provider.user, now=NOW)
    offer.refresh_from_db()
    assert offer.status == MatchStatus.OFFERED


def test_staff_can_offer_to_a_chosen_provider_with_a_reason(need):
    provider = eligible_cook(need)
    staff = StaffFactory()
    grant_area(staff, need.area)
    with pytest.raises(TransitionError, match="reason"):
        lifecycle.need_offer_to(need=need, provider=provider, actor=staff, reason=" ")
    match = lifecycle.need_offer_to(need=need, provider=provider, actor=staff, reason="Knows her")
    assert (match.proposed_by, match.proposed_by_user, match.staff_reason) == (
        "staff",
        staff,
        "Knows her",
    )


def test_residents_cannot_choose_a_provider_by_hand(need):
    with pytest.raises(TransitionError, match="Only council staff"):
        lifecycle.need_offer_to(
            need=need, provider=eligible_cook(need), actor=need.requested_by, reason="x"
        )


# --- the whole happy path ---------------------------------------------------------------------


def test_accept_confirm_complete(need):
    provider = eligible_cook(need)
    offer = lifecycle.need_offer_next(need=need, now=NOW)

    lifecycle.match_accept(match=offer, actor=provider.user, now=NOW)
    offer.refresh_from_db()
    assert offer.status == MatchStatus.ACCEPTED and offer.accepted_at == NOW
    assert "can help with request" in Notification.objects.get(user=need.requested_by).message

    lifecycle.match_confirm(match=offer, actor=need.requested_by, now=NOW)
    offer.refresh_from_db()
    need.refresh_from_db()
    assert offer.status == MatchStatus.ACTIVE and offer.shares_contact_details
    assert need.status == NeedStatus.MATCHED

    # Done once the help has started (the need is a few days ahead of NOW).
    lifecycle.match_complete(match=offer, actor=provider.user, now=lifecycle.help_starts_at(need))
    offer.refresh_from_db()
    need.refresh_from_db()
    provider.refresh_from_db()
    assert offer.status == MatchStatus.COMPLETED and not offer.shares_contact_details
    assert need.status == NeedStatus.FULFILLED
    assert (provider.offers_received, provider.offers_accepted, provider.matches_completed) == (
        1,
        1,
        1,
    )


def test_asking_for_someone_else_offers_the_next_candidate(need):
    first = eligible_cook(need)
    second = eligible_cook(need, latitude=need.latitude + 0.02)
    offer = make_match(need, first, MatchStatus.ACCEPTED)
    lifecycle.match_ask_for_someone_else(match=offer, actor=need.requested_by, now=NOW)
    offer.refresh_from_db()
    assert (offer.status, offer.declined_by) == (MatchStatus.DECLINED, "resident")
    assert Match.objects.get(status=MatchStatus.OFFERED).provider == second


def test_cancelling_an_active_match_reopens_the_need_and_hides_the_address(need):
    provider = eligible_cook(need)
    match = make_match(need, provider, MatchStatus.ACTIVE)
    need.status = NeedStatus.MATCHED
    need.save()
    lifecycle.match_cancel(match=match, actor=provider.user, reason="I broke my wrist", now=NOW)
    match.refresh_from_db()
    need.refresh_from_db()
    assert match.status == MatchStatus.CANCELLED and not match.shares_contact_details
    assert (match.cancelled_by, match.reason) == (provider.user, "I broke my wrist")
    assert need.status == NeedStatus.OPEN
    assert "I broke my wrist" in Notification.objects.get(user=need.requested_by).message


def test_cancelling_needs_a_reason(need):
    match = make_match(need, eligible_cook(need), MatchStatus.ACTIVE)
    with pytest.raises(TransitionError, match="reason"):
        lifecycle.match_cancel(match=match, actor=need.requested_by, reason="")


def test_withdrawing_a_need_cancels_its_offer_and_asks_nobody_else(need):
    provider = eligible_cook(need)
    eligible_cook(need)
    offer = lifecycle.need_offer_next(need=need, now=NOW)
    lifecycle.need_withdraw(need=need, actor=need.requested_by, reason="Sorted now")
    offer.refresh_from_db()
    need.refresh_from_db()
    assert offer.status == MatchStatus.CANCELLED
    assert need.status == NeedStatus.WITHDRAWN
    assert Match.objects.filter(status__in=["offered", "accepted", "active"]).count() == 0
    assert Notification.objects.filter(user=provider.user, message__contains="cancelled").exists()


# --- who may act -----------------------------------------------------------------------------


def test_only_the_provider_can_accept_or_decline(need):
    offer = make_match(need, eligible_cook(need), MatchStatus.OFFERED)
    for outsider in (need.requested_by, UserFactory(), eligible_cook(need).user):
        with pytest.raises(TransitionError, match="Only the provider"):
            lifecycle.match_accept(match=offer, actor=outsider, now=NOW)
        with pytest.raises(TransitionError, match="Only the provider"):
            lifecycle.match_decline(match=offer, actor=outsider, now=NOW)
    offer.refresh_from_db()
    assert offer.status == MatchStatus.OFFERED


def test_only_the_resident_side_or_staff_can_confirm(need):
    provider = eligible_cook(need)
    accepted = make_match(need, provider, MatchStatus.ACCEPTED)
    for outsider in (provider.user, UserFactory()):
        with pytest.raises(TransitionError, match="Only the person who asked"):
            lifecycle.match_confirm(match=accepted, actor=outsider, now=NOW)
    other_ward = StaffFactory()
    grant_area(other_ward, AreaFactory())
    with pytest.raises(TransitionError, match="Only the person who asked"):
        lifecycle.match_confirm(match=accepted, actor=other_ward, now=NOW)
    this_ward = StaffFactory()
    grant_area(this_ward, need.area)
    lifecycle.match_confirm(match=accepted, actor=this_ward, now=NOW)
    accepted.refresh_from_db()
    assert accepted.status == MatchStatus.ACTIVE


def test_staff_of_another_ward_cannot_offer_or_cancel(need):
    provider = eligible_cook(need)
    staff = StaffFactory()
    grant_area(staff, AreaFactory())
    with pytest.raises(TransitionError, match="of this area"):
        lifecycle.need_offer_to(need=need, provider=provider, actor=staff, reason="x")
    match = make_match(need, provider, MatchStatus.ACTIVE)
    with pytest.raises(TransitionError, match="cannot cancel"):
        lifecycle.match_cancel(match=match, actor=staff, reason="x")


def test_strangers_cannot_cancel_or_complete(need):
    match = make_match(need, eligible_cook(need), MatchStatus.ACTIVE)
    stranger = UserFactory()
    with pytest.raises(TransitionError):
        lifecycle.match_cancel(match=match, actor=stranger, reason="x")
    with pytest.raises(TransitionError):
        lifecycle.match_complete(match=match, actor=stranger)
    match.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE


def test_accepting_beyond_capacity_is_refused(need):
    provider = eligible_cook(need, capacity=1)
    make_match(NeedFactory(), provider, MatchStatus.ACTIVE)
    offer = make_match(need, provider, MatchStatus.OFFERED)
    with pytest.raises(TransitionError, match="your limit"):
        lifecycle.match_accept(match=offer, actor=provider.user, now=NOW)
    offer.refresh_from_db()
    assert offer.status == MatchStatus.OFFERED


# --- the transition table -------------------------------------------------------------------


def run(action, match, need, provider):
    later = NOW + datetime.timedelta(hours=49)
    calls = {
        "offer": lambda: lifecycle.match_offer(match=match, now=NOW),
        "accept": lambda: lifecycle.match_accept(match=match, actor=provider.user, now=NOW),
        "decline": lambda: lifecycle.match_decline(match=match, actor=provider.user, now=NOW),
        "expire": lambda: lifecycle.match_expire(match=match, now=later),
        "confirm": lambda: lifecycle.match_confirm(match=match, actor=need.requested_by, now=NOW),
        "ask_for_someone_else": lambda: lifecycle.match_ask_for_someone_else(
            match=match, actor=need.requested_by, now=NOW
        ),
        "cancel": lambda: lifecycle.match_cancel(
            match=match, actor=need.requested_by, reason="r", now=NOW
        ),
        "complete": lambda: lifecycle.match_complete(
            match=match, actor=provider.user, now=lifecycle.help_starts_at(need)
        ),
    }
    return calls[action]()


@pytest.mark.parametrize("status", MatchStatus.values)
@pytest.mark.parametrize("action", list(lifecycle.TRANSITIONS))
def test_every_transition_is_allowed_or_refused_cleanly(need, action, status):
    provider = eligible_cook(need)
    match = make_match(need, provider, status)
    transition = lifecycle.TRANSITIONS[action]
    notifications_before = Notification.objects.count()

    if status in transition.sources:
        run(action, match, need, provider)
        match.refresh_from_db()
        assert match.status == transition.target
    else:
        with pytest.raises(TransitionError) as refused:
            run(action, match, need, provider)
        assert str(refused.value).startswith("This ")
        match.refresh_from_db()
        assert match.status == status
        assert Notification.objects.count() == notifications_before


def test_the_database_allows_only_one_live_match_per_need(need):
    from django.db import IntegrityError, transaction

    provider = eligible_cook(need)
    make_match(need, provider, MatchStatus.OFFERED)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_match(need, eligible_cook(need), MatchStatus.PROPOSED)
    make_match(need, eligible_cook(need), MatchStatus.DECLINED)  # dead ones are fine


# --- not done before it starts ----------------------------------------------------------------


def test_a_one_off_match_cannot_be_marked_done_before_its_time(need):
    provider = eligible_cook(need)
    match = make_match(need, provider, MatchStatus.ACTIVE)
    starts = lifecycle.help_starts_at(need)
    with pytest.raises(TransitionError, match="cannot be marked as done before then"):
        lifecycle.match_complete(
            match=match, actor=provider.user, now=starts - datetime.timedelta(minutes=1)
        )
    match.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE
    lifecycle.match_complete(match=match, actor=provider.user, now=starts)
    match.refresh_from_db()
    assert match.status == MatchStatus.COMPLETED


def test_the_start_is_read_in_the_councils_time_zone():
    # 12:00 on a summer day in London is 11:00 UTC.
    need = NeedFactory(on_date=datetime.date(2031, 7, 1), starts_at=datetime.time(12))
    assert lifecycle.help_starts_at(need) == datetime.datetime(2031, 7, 1, 11, tzinfo=datetime.UTC)
    match = make_match(need, eligible_cook(need), MatchStatus.ACTIVE)
    at = datetime.datetime(2031, 7, 1, 10, 59, tzinfo=datetime.UTC)
    with pytest.raises(TransitionError, match="due on Tuesday 1 July at 12:00"):
        lifecycle.match_complete(match=match, actor=need.requested_by, now=at)


def test_a_weekly_arrangement_can_end_at_any_time(need):
    provider = eligible_cook(need)
    need.schedule, need.on_date, need.starts_at, need.ends_at = "weekly", None, None, None
    need.save()
    match = make_match(need, provider, MatchStatus.ACTIVE)
    lifecycle.match_complete(match=match, actor=need.requested_by, now=NOW)
    match.refresh_from_db()
    assert match.status == MatchStatus.COMPLETED
