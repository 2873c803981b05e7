"""Download my data, delete my account, and the retention period."""

import datetime
import json
import os
import time

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.exceptions import TransitionError
from matchmaking.constants import MatchStatus
from matchmaking.models import IdempotencyKey, Notification
from matchmaking.privacy import REMOVED, account_delete, apply_retention, personal_data
from matchmaking.trust import rating_give
from services.constants import NeedStatus
from tests.factories import PASSWORD, NeedFactory, PostcodeFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

PERSONAL = ["Rose", "Turner", "14 Willow Close", "07700 900456", "rose.turner@example.org"]


@pytest.fixture
def rose():
    return UserFactory(
        email="rose.turner@example.org", first_name="Rose", last_name="Turner", phone="07700 900456"
    )


@pytest.fixture
def need(rose):
    return NeedFactory(
        requested_by=rose,
        contact_name="Rose Turner",
        address="14 Willow Close",
        phone="07700 900456",
        dietary_needs="No pork",
    )


def test_the_download_holds_everything_about_the_person(client, rose, need):
    provider = eligible_cook(need)
    match = make_match(need, provider, MatchStatus.COMPLETED)
    rating_give(match=match, actor=rose, score=5, comment="Wonderful")
    client.force_login(rose)
    response = client.get(reverse("matchmaking:your_data_download"))
    assert response["Content-Disposition"] == 'attachment; filename="kith-my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "rose.turner@example.org"
    assert "password" not in data["account"]
    assert data["needs"][0]["address"] == "14 Willow Close"
    assert data["matches"][0]["status"] == "completed"
    assert data["ratings_given"][0]["comment"] == "Wonderful"


def test_a_providers_download_includes_profile_checks_and_availability(need):
    provider = eligible_cook(need)
    data = personal_data(provider.user)
    assert data["provider_profile"]["home_postcode"] == provider.home_postcode
    assert {c["kind"] for c in data["provider_profile"]["checks"]} == {"food_hygiene", "dbs_basic"}
    assert data["provider_profile"]["availability"]


def test_deleting_an_account_cancels_live_matches_and_leaves_nothing_personal(client, rose, need):
    provider = eligible_cook(need)
    live = make_match(need, provider, MatchStatus.ACTIVE)
    other_need = NeedFactory(requested_by=rose, contact_name="Rose Turner")
    client.force_login(rose)

    response = client.post(reverse("matchmaking:account_delete"), {"password": PASSWORD})

    assert response.status_code == 302
    live.refresh_from_db()
    other_need.refresh_from_db()
    assert live.status == MatchStatus.CANCELLED
    assert other_need.status == NeedStatus.WITHDRAWN
    assert Notification.objects.filter(user=provider.user, message__contains="cancelled").exists()
    rose.refresh_from_db()
    assert not rose.is_active and not rose.has_usable_password()
    everything = json.dumps(personal_data(rose), default=str)
    for value in PERSONAL:
        assert value not in everything
    assert not EmailAddress.objects.filter(email="rose.turner@example.org").exists()
    # The anonymous facts stay for the council's figures.
    need.refresh_from_db()
    assert need.category.slug == "meals" and need.details == REMOVED
    assert client.get(reverse("needs:list")).status_code == 302  # signed out


def test_deleting_needs_the_right_password(client, rose):
    client.force_login(rose)
    response = client.post(reverse("matchmaking:account_delete"), {"password": "nope"})
    assert "The password is not correct" in response.content.decode()
    rose.refresh_from_db()
    assert rose.is_active


def test_a_deleted_providers_profile_is_emptied_and_stops_being_matched(need):
    provider = eligible_cook(need)
    provider.bio = "I live at 3 Mill Lane"
    provider.save()
    account_delete(user=provider.user)
    provider.refresh_from_db()
    assert provider.bio == "" and provider.status == "suspended"
    assert len(provider.home_postcode) < 7


def test_superusers_are_not_deleted_here():
    with pytest.raises(TransitionError):
        account_delete(user=UserFactory(is_superuser=True, is_staff=True))


def test_retention_anonymises_needs_closed_long_ago_and_only_those(need):
    long_ago = timezone.now() - datetime.timedelta(days=800)
    need.status, need.status_changed_at = NeedStatus.FULFILLED, long_ago
    need.save()
    recent = NeedFactory(status=NeedStatus.WITHDRAWN)
    still_open = NeedFactory(status_changed_at=long_ago)
    assert apply_retention(days=730) == 1
    assert apply_retention(days=730) == 0
    need.refresh_from_db()
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert need.address == "" and need.contact_name == ""
    assert recent.address and still_open.address


def test_the_retention_command_refuses_a_silly_period(capsys):
    with pytest.raises(CommandError, match="at least 30 days"):
        call_command("apply_retention", "--days", "3")
    call_command("apply_retention")
    assert "Anonymised 0 need(s)" in capsys.readouterr().out


def _task_record(*, finished_days_ago):
    now = timezone.now()
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"to": ["rose@example.org"], "body": "Hello Rose"}},
        task_path="accounts.tasks.send_email",
        backend_name="default",
        run_after=now,
        finished_at=(
            None if finished_days_ago is None else now - datetime.timedelta(days=finished_days_ago)
        ),
    )


def test_retention_deletes_finished_task_records_that_hold_addresses(capsys, settings):
    settings.TASK_RESULT_RETENTION_DAYS = 14
    old = _task_record(finished_days_ago=15)
    recent = _task_record(finished_days_ago=13)
    waiting_for_a_retry = _task_record(finished_days_ago=None)
    call_command("apply_retention")
    assert "Deleted 1 background task record(s) finished more than 14 days ago" in (
        capsys.readouterr().out
    )
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, waiting_for_a_retry.pk}
    assert old.pk not in remaining


def test_retention_deletes_photos_left_by_unfinished_offer_help_journeys(
    capsys, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    drafts = tmp_path / "provider-drafts"
    drafts.mkdir()
    abandoned, in_progress = drafts / f"{'a' * 32}.jpg", drafts / f"{'b' * 32}.jpg"
    abandoned.write_bytes(b"photo")
    in_progress.write_bytes(b"photo")
    older_than_any_session = time.time() - settings.SESSION_MAX_SECONDS - 60
    os.utime(abandoned, (older_than_any_session, older_than_any_session))
    call_command("apply_retention")
    assert "Deleted 1 photo(s) left by unfinished Offer help journeys" in capsys.readouterr().out
    assert not abandoned.exists() and in_progress.exists()


def test_retention_copes_with_no_draft_photos_at_all(capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("apply_retention")
    assert "Deleted 0 photo(s)" in capsys.readouterr().out


def test_deleting_an_account_deletes_the_api_answers_stored_for_retries(client, rose):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(rose)
    sent = api.post(
        "/api/v1/needs/",
        {
            "category": "meals",
            "details": "A hot lunch",
            "schedule": "weekly",
            "slots": [{"weekday": 1, "starts_at": "12:00", "ends_at": "13:00"}],
            "contact_name": "Rose Turner",
            "postcode": PostcodeFactory().code,
            "address": "14 Willow Close",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="retry-me-1",
    )
    assert sent.status_code == 201, sent.content
    assert rose.idempotency_keys.exists()

    account_delete(user=rose)

    assert not IdempotencyKey.objects.filter(user=rose).exists()
