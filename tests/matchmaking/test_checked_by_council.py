"""'Checked by the council' on the resident's match page follows the provider's status."""

import pytest
from django.urls import reverse

from accounts.constants import ProviderStatus
from matchmaking.constants import MatchStatus
from tests.factories import NeedFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (ProviderStatus.ACTIVE, "Yes, for a hot meal"),
        # A holiday is the provider's choice, not a doubt about them.
        (ProviderStatus.PAUSED, "Yes, for a hot meal"),
        (ProviderStatus.SUSPENDED, "No, Carlos is not approved to help at the moment"),
    ],
)
def test_checked_by_the_council_follows_the_providers_status(client, status, shown):
    need = NeedFactory()
    provider = eligible_cook(need)
    provider.user.first_name = "Carlos"
    provider.user.save()
    match = make_match(need, provider, MatchStatus.COMPLETED)
    provider.status = status
    provider.save()

    client.force_login(need.requested_by)
    html = client.get(reverse("matchmaking:need_match", args=[match.pk])).content.decode()

    assert shown in html
    if status == ProviderStatus.SUSPENDED:
        assert "Yes, for a hot meal" not in html
