"""Sessions in a shared cache (cached_db, chosen when CACHE_URL is Redis or the database
cache) still end on the server: signing out, a new password (which signs out every other
session), deleting the account, suspension and the 12-hour limit work as they do with
database sessions.

The session tests of test_security and test_privacy run again here with cached_db (imported
below, so they run twice: once per engine); the test cache is per-process, which is the
same as a shared one inside one process.
"""

import json
import os
import subprocess
import sys

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from matchmaking.safeguarding import provider_suspend
from services.models import Offer
from tests.factories import PASSWORD, StaffFactory, UserFactory, category

# The existing session tests, run again with cached_db by the autouse fixture below.
from tests.matchmaking.test_privacy import (  # noqa: F401
    need,
    rose,
    test_deleting_an_account_cancels_live_matches_and_leaves_nothing_personal,
)
from tests.matchmaking.test_security import (  # noqa: F401
    test_sessions_end_after_12_hours_however_active,
    test_stay_signed_in_renews_the_session,
    test_the_signed_out_page_signs_out,
    test_using_the_site_renews_the_idle_timer_at_most_once_a_minute,
)
from tests.provider_factories import ProviderProfileFactory
from tests.services.test_provider_journey import offer_data

pytestmark = pytest.mark.django_db

CACHED_DB = "django.contrib.sessions.backends.cached_db"
NEW_PASSWORD = "a different long passphrase 42"


@pytest.fixture(autouse=True)
def cached_db_sessions(settings):
    settings.SESSION_ENGINE = CACHED_DB


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_signed_in_request_reads_its_session_from_the_cache(client):
    client.force_login(UserFactory())
    client.get(reverse("needs:list"))
    assert cache.get(KEY_PREFIX + client.session.session_key) is not None
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("needs:list")).status_code == 200
    assert not any("django_session" in query["sql"] for query in captured.captured_queries)


def test_signing_out_ends_the_session_in_the_cache_too(client):
    client.force_login(UserFactory())
    client.get(reverse("needs:list"))
    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert cache.get(KEY_PREFIX + key) is None
    # The old cookie, sent again (as a copy kept elsewhere would be), is signed out.
    client.cookies["sessionid"] = key
    assert client.get(reverse("needs:list")).status_code == 302


def test_a_new_password_signs_out_every_other_session(client):
    user = UserFactory()
    elsewhere = signed_in(user)
    assert elsewhere.get(reverse("needs:list")).status_code == 200  # its session is cached
    client.force_login(user)

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("needs:list")).status_code == 200  # this one stays
    assert elsewhere.get(reverse("needs:list")).status_code == 302  # to sign in


def test_a_provider_suspended_while_signed_in_can_post_no_more_offers(client):
    provider = ProviderProfileFactory(active=True, skills=[category("meals")])
    client.force_login(provider.user)
    assert client.get(reverse("providers:dashboard")).status_code == 200  # session cached

    provider_suspend(provider=provider, actor=StaffFactory(), reason="Safeguarding")
    response = client.post(reverse("providers:offer_new"), offer_data())

    assertContains(response, "You cannot post offers at the moment.")
    assert not Offer.objects.exists()
    assertContains(client.get(reverse("providers:dashboard")), "Suspended")


READ_ENGINE = "from matchmaking import settings; print(settings.SESSION_ENGINE)"


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("redis://127.0.0.1:6379/0", CACHED_DB),
        ("dbcache://kith_cache", CACHED_DB),
        ("locmemcache://", "django.contrib.sessions.backends.db"),
        (None, "django.contrib.sessions.backends.db"),
    ],
)
def test_settings_cache_sessions_only_in_a_shared_cache(cache_url, engine):
    environment = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    if cache_url:
        environment["CACHE_URL"] = cache_url
    finished = subprocess.run(
        [sys.executable, "-c", READ_ENGINE],
        env={**environment, "DEBUG": "false", "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert finished.stdout.split() == [engine], json.dumps(finished.stderr)
