"""Changelists cost the same number of queries whatever the page holds (5 rows or 50)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matchmaking.constants import ConcernKind, MatchStatus, RaterRole
from matchmaking.models import Concern, Rating
from tests.factories import NeedFactory
from tests.matching import make_match
from tests.provider_factories import CheckFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db


def add_rows(ward, n):
    for _ in range(n):
        need = NeedFactory(area=ward.area, postcode="RV1 1AA")
        provider = ProviderProfileFactory(home_postcode="RV1 1AA")
        CheckFactory(provider=provider)
        match = make_match(need, provider, MatchStatus.OFFERED)
        Concern.objects.create(
            raised_by=need.requested_by, match=match, kind=ConcernKind.OTHER, description="x"
        )
        Rating.objects.create(
            match=match, rater=need.requested_by, rater_role=RaterRole.RESIDENT, score=4
        )


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


# Per page, whatever its length (9): session, user, whether two-factor authentication
# is set up, the person's own and group model permissions (2), the person's areas (one
# query, every area flagged granted or not), the filtered COUNT, the page of rows with
# their foreign keys joined, the navigation header's facts; then one query per filter
# listing choices from the database: the person's areas (every changelist) and
# categories (needs). No query per row. Concerns: one more, whether the person is a
# safeguarding lead (who sees every area's).
EXPECTED = {
    "services_need": 11,
    "accounts_providerprofile": 10,
    "accounts_check": 10,
    "matchmaking_match": 10,
    "matchmaking_rating": 10,
    "matchmaking_concern": 11,
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_changelists_take_the_same_queries_for_5_and_50_rows(
    as_user, ward_a, ward_b, staff_a, prefix
):
    client = as_user(staff_a)
    url = reverse(f"admin:{prefix}_changelist")
    add_rows(ward_b, 2)  # another area: staff_a is scoped, not everywhere
    add_rows(ward_a, 4)
    count(client, url)  # warm the process-wide caches (content types)
    small, response = count(client, url)
    assert response.context["cl"].result_count >= 5
    add_rows(ward_a, 45)
    large, response = count(client, url)
    assert len(response.context["cl"].result_list) >= 50
    assert small == large == EXPECTED[prefix]
