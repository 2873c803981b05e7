"""Every path that ends a match for reasons outside the resident's control sends the need
straight back to the engine (lifecycle.match_cancel's one rule), and flags it unmet when
nobody is left: the resident never sits at "Looking for a helper" with nobody asked."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from accounts.constants import CheckKind
from accounts.models import Check
from matchmaking import lifecycle, safeguarding
from matchmaking.constants import LIVE_STATUSES, MatchStatus
from matchmaking.models import Match
from matchmaking.privacy import account_delete
from matchmaking.scoping import grant_area
from services.constants import NeedStatus
from tests.factories import NeedFactory, StaffFactory, category
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def need():
    need = NeedFactory(category=category("meals"), status=NeedStatus.MATCHED)
    return need


@pytest.fixture
def helper(need):
    return eligible_cook(need)


@pytest.fixture
def active(need, helper):
    return make_match(need, helper, MatchStatus.ACTIVE)


def staff_cancel(client, need, match):
    staff = StaffFactory()
    grant_area(staff, need.area)
    client.force_login(staff)
    client.post(
        reverse("admin:matchmaking_match_changelist"),
        {
            "action": "cancel_matches",
            "index": 0,
            ACTION_CHECKBOX_NAME: [match.pk],
            "kith_apply": 1,
            "reason": "Provider unwell",
        },
    )


def expire_the_food_hygiene_check(helper):
    Check.objects.filter(provider=helper, kind=CheckKind.FOOD_HYGIENE).update(
        expires_at=timezone.localdate() - datetime.timedelta(days=1)
    )
    safeguarding.check_expiry_sweep()


PATHS = {
    "account closed": lambda client, need, helper, match: account_delete(user=helper.user),
    "suspension": lambda client, need, helper, match: safeguarding.provider_suspend(
        provider=helper, actor=StaffFactory(), reason="Concern under investigation"
    ),
    "check expiry": lambda client, need, helper, match: expire_the_food_hygiene_check(helper),
    "staff cancel": lambda client, need, helper, match: staff_cancel(client, need, match),
    "block": lambda client, need, helper, match: safeguarding.block_pair(
        resident=need.requested_by, provider=helper, actor=need.requested_by
    ),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_the_need_is_offered_to_someone_else_at_once(client, need, helper, active, path):
    other = eligible_cook(need, latitude=need.latitude + 0.02)

    PATHS[path](client, need, helper, active)

    active.refresh_from_db()
    need.refresh_from_db()
    assert active.status == MatchStatus.CANCELLED
    assert need.status == NeedStatus.OPEN
    offer = Match.objects.get(need=need, status__in=LIVE_STATUSES)
    assert (offer.provider, offer.status) == (other, MatchStatus.OFFERED)
    assert need.unmet_since is None


@pytest.mark.parametrize("path", list(PATHS))
def test_the_need_is_flagged_unmet_when_nobody_is_left(client, need, helper, active, path):
    PATHS[path](client, need, helper, active)

    active.refresh_from_db()
    need.refresh_from_db()
    assert active.status == MatchStatus.CANCELLED
    assert not Match.objects.filter(need=need, status__in=LIVE_STATUSES).exists()
    assert need.status == NeedStatus.OPEN and need.unmet_since is not None


def test_a_withdrawn_need_is_not_offered_again(need, helper, active):
    eligible_cook(need, latitude=need.latitude + 0.02)
    lifecycle.need_withdraw(need=need, actor=need.requested_by, reason="Sorted now")
    need.refresh_from_db()
    assert need.status == NeedStatus.WITHDRAWN and need.unmet_since is None
    assert not Match.objects.filter(need=need, status__in=LIVE_STATUSES).exists()


def test_a_resident_who_closes_their_account_is_not_matched_again(need, helper, active):
    eligible_cook(need, latitude=need.latitude + 0.02)
    account_delete(user=need.requested_by)
    need.refresh_from_db()
    assert need.status == NeedStatus.WITHDRAWN
    assert not Match.objects.filter(need=need, status__in=LIVE_STATUSES).exists()


def test_the_resident_is_told_neutrally_and_the_provider_why(need, helper, active):
    expire_the_food_hygiene_check(helper)
    told = need.requested_by.notifications.values_list("message", flat=True)
    assert any(safeguarding.NEUTRAL_CANCEL_REASON in m for m in told)
    assert not any("hygiene" in m for m in told)
    to_helper = list(helper.user.notifications.values_list("message", flat=True))
    assert any("Food hygiene certificate (level 2) expired" in m for m in to_helper)
    active.refresh_from_db()
    assert "expired" in active.flagged
