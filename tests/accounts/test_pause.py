"""A provider pauses (a holiday) and resumes from their dashboard: while paused the engine
leaves them out, one need at a time and in batch allocation; staff can still suspend them."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts import pausing, vetting
from accounts.constants import ProviderStatus
from accounts.exceptions import TransitionError
from matchmaking import candidates
from tests.factories import NeedFactory, StaffFactory, UserFactory
from tests.matching import eligible_cook

pytestmark = pytest.mark.django_db

PAUSE = reverse("matchmaking:provider_pause")
RESUME = reverse("matchmaking:provider_resume")
DASHBOARD = reverse("providers:dashboard")


@pytest.fixture
def need():
    return NeedFactory()


@pytest.fixture
def provider(need):
    return eligible_cook(need)


def ranked_ids(need):
    return [c.provider_id for c in candidates.rank_need(need).ranked]


def batch_ranked_ids(need):
    batch = candidates.CandidateBatch([need])
    return [c.provider_id for c in batch.rank(need, limit=10).ranked]


def test_a_provider_pauses_from_their_dashboard_with_a_reason(client, provider):
    client.force_login(provider.user)
    assert "Pause your profile" in client.get(DASHBOARD).content.decode()

    response = client.post(PAUSE, {"reason": "On holiday until 14 August"}, follow=True)

    html = response.content.decode()
    assert "You are paused" in html and "Resume helping" in html
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.PAUSED
    assert provider.pause_reason == "On holiday until 14 August"


def test_a_paused_provider_is_out_of_the_engine_and_back_on_resuming(client, need, provider):
    assert ranked_ids(need) == [provider.pk] == batch_ranked_ids(need)
    client.force_login(provider.user)

    client.post(PAUSE, {"reason": ""})
    assert ranked_ids(need) == [] == batch_ranked_ids(need)

    response = client.post(RESUME, follow=True)
    assert "Welcome back" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.ACTIVE and provider.pause_reason == ""
    assert ranked_ids(need) == [provider.pk] == batch_ranked_ids(need)


def test_pausing_is_recorded_in_the_audit_log(client, provider):
    client.force_login(provider.user)
    client.post(PAUSE, {"reason": "Busy month"})
    entry = LogEntry.objects.get_for_object(provider).latest("timestamp")
    assert entry.actor == provider.user
    assert entry.changes_dict["status"] == ["active", "paused"]


@pytest.mark.parametrize("status", [ProviderStatus.SUSPENDED, ProviderStatus.APPLIED])
def test_only_an_approved_provider_can_pause(client, provider, status):
    provider.status = status
    provider.save()
    client.force_login(provider.user)
    response = client.post(PAUSE, {"reason": "Away"}, follow=True)
    assert "You can pause only while the council has approved you" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == status


def test_resuming_when_not_paused_is_a_message_not_an_error(client, provider):
    client.force_login(provider.user)
    response = client.post(RESUME, follow=True)
    assert response.status_code == 200
    assert "Your profile is not paused" in response.content.decode()


def test_an_overlong_reason_is_refused_and_nothing_changes(client, provider):
    client.force_login(provider.user)
    response = client.post(PAUSE, {"reason": "x" * 201}, follow=True)
    assert "200 characters or fewer" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.ACTIVE


def test_someone_without_a_helper_profile_gets_404(client, provider):
    client.force_login(UserFactory())
    assert client.post(PAUSE, {"reason": "x"}).status_code == 404
    assert client.post(RESUME).status_code == 404
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.ACTIVE


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (PAUSE, RESUME):
        response = client.post(url)
        assert response.status_code == 302 and reverse("account_login") in response.url


def test_nobody_else_can_pause_a_provider(provider):
    with pytest.raises(TransitionError):
        pausing.provider_pause(provider=provider, actor=UserFactory(), reason="")
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.ACTIVE


def test_a_paused_provider_can_still_be_suspended_by_staff(provider):
    pausing.provider_pause(provider=provider, actor=provider.user, reason="Away")
    suspended = vetting.provider_set_status(
        profile=provider, action="suspend", actor=StaffFactory()
    )
    assert suspended.status == ProviderStatus.SUSPENDED


def test_resume_is_a_post_only(client, provider):
    client.force_login(provider.user)
    assert client.get(RESUME).status_code == 405
