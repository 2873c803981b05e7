"""Faults injected: each leaves consistent data and a clear message."""

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError
from django.urls import reverse

from matchmaking import lifecycle
from matchmaking.constants import MatchStatus
from matchmaking.models import Match, Notification
from services.models import Need
from tests.factories import NeedFactory
from tests.matching import eligible_cook, make_match
from tests.services.test_request_help import submit_as_a_new_resident

pytestmark = pytest.mark.django_db


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_that_is_down_does_not_lose_the_request(
    client, settings, django_capture_on_commit_callbacks
):

    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    response = submit_as_a_new_resident(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.reference in client.get(response.url).content.decode()


def test_a_failing_background_task_does_not_fail_the_request(
    client, monkeypatch, django_capture_on_commit_callbacks
):

    def engine_down(**kwargs):
        raise RuntimeError("engine unavailable")

    monkeypatch.setattr(lifecycle, "need_offer_next", engine_down)
    response = submit_as_a_new_resident(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.status == "open" and not need.matches.exists()  # offered on the next sweep


def test_a_database_error_mid_transition_changes_nothing_and_says_so(client, monkeypatch):
    need = NeedFactory()
    provider = eligible_cook(need)
    offer = make_match(need, provider, MatchStatus.OFFERED)

    def database_gone(**kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    # The failure comes after the match row was written, inside the same transaction.
    monkeypatch.setattr(lifecycle, "notify", database_gone)
    client.force_login(provider.user)
    response = client.post(reverse("matchmaking:offer_accept", args=[offer.pk]), follow=True)

    assert response.status_code == 200
    assert "nothing was changed" in response.content.decode()
    offer.refresh_from_db()
    provider.refresh_from_db()
    assert offer.status == MatchStatus.OFFERED and offer.accepted_at is None
    assert provider.offers_accepted == 0
    assert not Notification.objects.exists()
    assert Match.objects.count() == 1
