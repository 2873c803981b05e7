"""Property-based tests of the live OpenAPI schema (schemathesis): every operation, at
least 50 generated cases each, as a resident and as a provider (token header). No answer
may be a 5xx, and every answer must be one the schema documents, in the shape it documents.

Deterministic for CI: Hypothesis derandomised, no example database. Throttling is off here
(its own tests set low rates); everything runs in one transaction, rolled back at the end.
Select with `-m schemathesis`; it also runs in the default suite.
"""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from matchmaking.constants import MatchStatus
from matchmaking.conversations import message_post
from matchmaking.models import Visit
from matchmaking.wsgi import application
from tests.factories import NeedFactory, PostcodeFactory, UserFactory
from tests.matching import eligible_cook, make_match
from tests.provider_factories import OfferFactory

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

EXAMPLES_PER_OPERATION = 50


@pytest.fixture
def one_connection():
    """Requests go straight into the WSGI app (not Django's test client), so switch off
    what the test client switches off: closing the connection at the end of a request,
    which on PostgreSQL would throw away the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["resident", "provider"])
def api_user(request, area, settings, one_connection):
    """A signed-in caller with something to look at: needs, matches in several states,
    offers and notifications. Returns the Authorization header of their token."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    PostcodeFactory(code="RV1 2AB", area=area)
    resident = UserFactory()
    day = timezone.localdate() + datetime.timedelta(days=3)
    needs = [NeedFactory(requested_by=resident, area=area, on_date=day) for _ in range(4)]
    provider = eligible_cook(needs[0])
    states = [MatchStatus.OFFERED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED]
    for need, status in zip(needs, states, strict=True):
        match = make_match(need, provider, status)
        if status == MatchStatus.ACTIVE:  # a conversation with a message, for /messages/
            message_post(match=match, actor=resident, body="See you on Thursday")
    # Visits of the last (completed) match: one past, one to come, for /visits/ and its actions.
    for days in (-2, 2):
        start = timezone.now() + datetime.timedelta(days=days)
        Visit.objects.create(match=match, starts_at=start, ends_at=start + datetime.timedelta(1))
    OfferFactory(provider=provider, category=needs[0].category)
    user = resident if request.param == "resident" else provider.user
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


# The live schema, fetched through the WSGI app as a client would (at collection time, so
# each operation is its own test; the hosts setting is not yet widened for tests then).
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
def test_the_api_conforms_to_its_schema(case, api_user):
    # Every check schemathesis has, but one: a write that fits the schema may still be
    # refused by the rules (an unknown postcode, an offer already withdrawn): a 400, rightly.
    excluded = [] if case.method == "GET" else [positive_data_acceptance]
    case.call_and_validate(headers=api_user, excluded_checks=excluded)
