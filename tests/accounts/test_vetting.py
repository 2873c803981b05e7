import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from accounts.constants import CheckKind, CheckStatus, ProviderStatus
from accounts.exceptions import TransitionError
from accounts.vetting import (
    PROVIDER_TRANSITIONS,
    check_record,
    check_reject,
    check_verify,
    provider_set_status,
)
from tests.factories import StaffFactory, UserFactory
from tests.provider_factories import ProviderProfileFactory

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


def test_staff_verify_a_check_and_the_decision_is_recorded():
    staff, provider = StaffFactory(), ProviderProfileFactory()
    check = check_record(provider=provider, kind=CheckKind.DBS_BASIC, reference="001234567890")
    check = check_verify(check=check, actor=staff, expires_at=NEXT_YEAR)
    assert (check.status, check.verified_by, check.expires_at) == ("verified", staff, NEXT_YEAR)
    entry = LogEntry.objects.get_for_object(check).latest("timestamp")
    assert entry.actor == staff
    assert entry.changes_dict["status"] == ["pending", "verified"]


def test_recording_a_check_again_renews_it_and_needs_verifying_again():
    staff, provider = StaffFactory(), ProviderProfileFactory()
    check = check_verify(
        check=check_record(provider=provider, kind=CheckKind.DBS_BASIC), actor=staff
    )
    renewed = check_record(provider=provider, kind=CheckKind.DBS_BASIC, reference="new")
    assert renewed.pk == check.pk
    assert (renewed.status, renewed.verified_by) == (CheckStatus.PENDING, None)


def test_a_check_cannot_be_verified_already_expired():
    check = check_record(provider=ProviderProfileFactory(), kind=CheckKind.DBS_BASIC)
    with pytest.raises(TransitionError, match="in the past"):
        check_verify(check=check, actor=StaffFactory(), expires_at=datetime.date(2020, 1, 1))
    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING


def test_only_staff_make_vetting_decisions():
    provider = ProviderProfileFactory()
    check = check_record(provider=provider, kind=CheckKind.DBS_BASIC)
    for actor in (None, UserFactory(), provider.user):
        with pytest.raises(TransitionError, match="Only council staff"):
            check_verify(check=check, actor=actor)
        with pytest.raises(TransitionError, match="Only council staff"):
            provider_set_status(profile=provider, action="activate", actor=actor)
    check.refresh_from_db()
    provider.refresh_from_db()
    assert check.status == CheckStatus.PENDING and provider.status == ProviderStatus.APPLIED


def test_rejecting_a_check_needs_a_reason():
    check = check_record(provider=ProviderProfileFactory(), kind=CheckKind.DBS_BASIC)
    with pytest.raises(TransitionError, match="reason"):
        check_reject(check=check, actor=StaffFactory(), reason="")
    check = check_reject(check=check, actor=StaffFactory(), reason="Certificate number wrong")
    assert check.status == CheckStatus.REJECTED and "Certificate number wrong" in check.notes


@pytest.mark.parametrize("status", ProviderStatus.values)
@pytest.mark.parametrize("action", list(PROVIDER_TRANSITIONS))
def test_every_provider_status_change_is_allowed_or_refused(action, status):
    profile = ProviderProfileFactory(status=status)
    sources, target, done = PROVIDER_TRANSITIONS[action]
    if status in sources:
        assert (
            provider_set_status(profile=profile, action=action, actor=StaffFactory()).status
            == target
        )
    else:
        with pytest.raises(TransitionError, match=f"cannot be {done}"):
            provider_set_status(profile=profile, action=action, actor=StaffFactory())
        profile.refresh_from_db()
        assert profile.status == status
