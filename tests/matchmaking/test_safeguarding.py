"""Concerns, suspension, blocks, check expiry and the audit trail."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.constants import CheckKind, ProviderStatus
from accounts.exceptions import TransitionError
from accounts.models import Check
from matchmaking import lifecycle
from matchmaking.candidates import rank_need
from matchmaking.constants import LIVE_STATUSES, MatchStatus
from matchmaking.models import Block, Concern, Match, Notification
from matchmaking.safeguarding import (
    NEUTRAL_CANCEL_REASON,
    block_pair,
    check_expiry_sweep,
    concern_raise,
    concern_resolve,
    provider_suspend,
)
from matchmaking.scoping import grant_area
from services.constants import NeedStatus
from tests.factories import AreaFactory, NeedFactory, StaffFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def need():
    return NeedFactory()


@pytest.fixture
def provider(need):
    return eligible_cook(need)


def raise_concern(match, by, **kwargs):
    return concern_raise(
        raised_by=by,
        match=match,
        kind=kwargs.pop("kind", "conduct"),
        description=kwargs.pop("description", "Was rude on the doorstep"),
        **kwargs,
    )


# --- concerns ---------------------------------------------------------------------------------


def test_a_party_raises_a_concern_and_is_told_it_was_received(need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    concern = raise_concern(match, need.requested_by, about=provider.user)
    assert (concern.status, concern.urgent) == ("open", False)
    assert "received your concern" in Notification.objects.get(user=need.requested_by).message


def test_safeguarding_concerns_are_always_urgent_and_staff_are_alerted(need, provider):
    staff, elsewhere = StaffFactory(), StaffFactory()
    grant_area(staff, need.area)
    grant_area(elsewhere, AreaFactory())
    match = make_match(need, provider, MatchStatus.ACTIVE)
    concern = raise_concern(match, provider.user, kind="safeguarding", urgent=False)
    assert concern.urgent
    alerted = Notification.objects.filter(message__contains="Urgent concern")
    assert set(alerted.values_list("user", flat=True)) == {staff.pk}


def test_outsiders_cannot_raise_concerns_about_a_match(need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    with pytest.raises(TransitionError, match="a match you are part of"):
        raise_concern(match, UserFactory())
    with pytest.raises(TransitionError, match="someone in your match"):
        raise_concern(match, need.requested_by, about=UserFactory())
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"kind": "gossip"}, "Choose what"), ({"description": "  "}, "Tell us what happened")],
)
def test_a_concern_needs_a_kind_and_a_description(need, provider, changes, message):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    with pytest.raises(TransitionError, match=message):
        raise_concern(match, need.requested_by, **changes)


def test_the_queue_puts_urgent_first_then_oldest(need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    routine_old = raise_concern(match, need.requested_by)
    routine_new = raise_concern(match, provider.user)
    urgent = raise_concern(match, provider.user, urgent=True)
    assert list(Concern.objects.queue()) == [urgent, routine_old, routine_new]


def test_resolving_tells_the_raiser_without_the_details(need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    concern = raise_concern(match, need.requested_by)
    with pytest.raises(TransitionError, match="Only council staff"):
        concern_resolve(concern=concern, actor=need.requested_by, resolution="x")
    staff = StaffFactory()
    with pytest.raises(TransitionError, match="Write a note"):
        concern_resolve(concern=concern, actor=staff, resolution=" ")
    concern_resolve(concern=concern, actor=staff, resolution="Spoke to the provider; warning given")
    concern.refresh_from_db()
    assert (concern.status, concern.resolved_by) == ("resolved", staff)
    told = Notification.objects.filter(user=need.requested_by).first().message
    assert "resolved" in told and "warning" not in told
    with pytest.raises(TransitionError, match="already resolved"):
        concern_resolve(concern=concern, actor=staff, resolution="again")


def test_the_concern_page(client, need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    client.force_login(need.requested_by)
    url = reverse("matchmaking:match_concern", args=[match.pk])
    response = client.post(url, {"description": ""})
    html = response.content.decode()
    assert "Choose what the concern is about" in html and "Tell us what happened" in html
    client.post(url, {"kind": "no_show", "description": "Nobody came on Tuesday"})
    concern = Concern.objects.get()
    assert (concern.about, concern.match) == (provider.user, match)
    client.force_login(UserFactory())
    assert client.post(url, {"kind": "no_show", "description": "x"}).status_code == 404


# --- suspension -------------------------------------------------------------------------------


def test_suspension_cancels_live_matches_and_requeues_the_needs(need, provider):
    other = eligible_cook(need, latitude=need.latitude + 0.02)
    active = make_match(need, provider, MatchStatus.ACTIVE)
    need.status = NeedStatus.MATCHED
    need.save()
    staff = StaffFactory()

    provider_suspend(provider=provider, actor=staff, reason="Safeguarding investigation")

    provider.refresh_from_db()
    active.refresh_from_db()
    assert provider.status == ProviderStatus.SUSPENDED
    assert active.status == MatchStatus.CANCELLED
    assert Match.objects.get(need=need, status=MatchStatus.OFFERED).provider == other
    told = Notification.objects.filter(user=need.requested_by).first().message
    assert NEUTRAL_CANCEL_REASON in told and "Safeguarding" not in told
    assert Notification.objects.filter(user=provider.user, message__contains="suspended").exists()
    assert not any(s.provider_id == provider.pk for s in rank_need(need).ranked)


def test_suspension_needs_staff_and_a_reason(provider):
    with pytest.raises(TransitionError, match="reason"):
        provider_suspend(provider=provider, actor=StaffFactory(), reason="")
    with pytest.raises(TransitionError, match="Only council staff"):
        provider_suspend(provider=provider, actor=UserFactory(), reason="x")
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.ACTIVE


# --- blocks -----------------------------------------------------------------------------------


def test_a_blocked_provider_is_never_offered_to_that_resident(need, provider):
    live = make_match(need, provider, MatchStatus.ACCEPTED)
    block_pair(resident=need.requested_by, provider=provider, actor=need.requested_by)
    live.refresh_from_db()
    assert live.status == MatchStatus.CANCELLED
    excluded = {e.provider_id: e.reason for e in rank_need(need).excluded}
    assert excluded[provider.pk] == "blocked"
    other_need = NeedFactory(requested_by=UserFactory())
    assert any(s.provider_id == provider.pk for s in rank_need(other_need).ranked)


def test_only_the_resident_or_staff_can_block(need, provider):
    with pytest.raises(TransitionError):
        block_pair(resident=need.requested_by, provider=provider, actor=UserFactory())
    block_pair(resident=need.requested_by, provider=provider, actor=StaffFactory())
    block_pair(resident=need.requested_by, provider=provider, actor=need.requested_by)
    assert Block.objects.count() == 1


def test_the_block_page(client, need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    client.force_login(need.requested_by)
    client.post(reverse("matchmaking:match_block", args=[match.pk]), {"reason": "Too pushy"})
    assert Block.objects.get().reason == "Too pushy"
    client.force_login(provider.user)
    assert client.get(reverse("matchmaking:match_block", args=[match.pk])).status_code == 404


# --- check expiry -----------------------------------------------------------------------------


def test_a_check_expiring_within_30_days_is_warned_about_once(provider):
    staff = StaffFactory()
    Check.objects.filter(provider=provider).update(expires_at=TODAY + datetime.timedelta(days=20))
    assert check_expiry_sweep(today=TODAY) == (2, 0)
    assert check_expiry_sweep(today=TODAY) == (0, 0)
    assert (
        Notification.objects.filter(user=provider.user, message__contains="expires on").count() == 2
    )
    assert Notification.objects.filter(user=staff, message__contains="expires on").exists()


def test_an_expired_check_makes_the_provider_ineligible_and_ends_live_matches(need, provider):
    live = make_match(need, provider, MatchStatus.ACTIVE)
    Check.objects.filter(provider=provider, kind=CheckKind.FOOD_HYGIENE).update(
        expires_at=TODAY - datetime.timedelta(days=1)
    )
    assert check_expiry_sweep(today=TODAY)[1] == 1
    live.refresh_from_db()
    assert live.status == MatchStatus.CANCELLED and "Food hygiene" in live.flagged
    assert check_expiry_sweep(today=TODAY)[1] == 0
    excluded = {e.provider_id: e.reason for e in rank_need(need).excluded}
    assert excluded[provider.pk] == "check_expired"


# --- the audit trail --------------------------------------------------------------------------


def test_every_action_leaves_an_audit_record_with_its_actor(need, provider):
    staff = StaffFactory()
    offer = make_match(need, provider, MatchStatus.OFFERED)
    lifecycle.match_accept(match=offer, actor=provider.user)
    concern = raise_concern(offer, need.requested_by)
    concern_resolve(concern=concern, actor=staff, resolution="Fine")
    provider_suspend(provider=provider, actor=staff, reason="Checks")

    def entries(obj):
        return LogEntry.objects.get_for_object(obj).order_by("timestamp")

    accepted = entries(offer).filter(actor=provider.user).last()
    assert accepted.changes_dict["status"] == ["offered", "accepted"]
    assert entries(concern).filter(actor=staff).last().changes_dict["status"] == [
        "open",
        "resolved",
    ]
    suspended = entries(provider).filter(actor=staff).last()
    assert suspended.changes_dict["status"] == ["active", "suspended"]
    assert entries(offer).filter(actor=staff).last().changes_dict["status"][1] == "cancelled"
    assert set(Match.objects.filter(provider=provider).values_list("status", flat=True)).isdisjoint(
        LIVE_STATUSES
    )


def test_a_concern_raised_from_a_match_is_about_the_other_side(need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    assert raise_concern(match, provider.user).about == need.resident
    assert raise_concern(match, need.requested_by).about == provider.user
    staff = StaffFactory()
    assert raise_concern(match, staff).about is None  # staff say whom it is about
