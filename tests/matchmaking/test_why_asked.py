"""'Why you were asked': a plain sentence for the provider, never a score."""

import re

import pytest
from django.urls import reverse

from matchmaking import lifecycle
from matchmaking.constants import MatchStatus
from matchmaking.why_asked import why_asked
from tests.factories import NeedFactory, category
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def need():
    return NeedFactory(category=category("meals"), contact_name="Rose Turner")


def section(html):
    """The words of the 'Why you were asked' box of a page."""
    start = html.index("Why you were asked")
    return re.sub(r"<[^>]+>", " ", html[start : html.index("</div>", start)])


def test_the_provider_offered_a_request_reads_why_and_no_score(client, need):
    # About 1.5 km north of the need, so the distance is neither 0 nor a round number.
    provider = eligible_cook(need, latitude=need.latitude + 0.0135)
    match = lifecycle.need_offer_next(need=need)
    assert match.provider == provider and match.status == MatchStatus.OFFERED

    client.force_login(provider.user)
    html = client.get(reverse("matchmaking:offer_detail", args=[match.pk])).content.decode()

    distance = f"{match.explanation['distance_km']:.1f}"
    assert (
        f"We asked you because you offered to help with a hot meal, live about {distance} km "
        "away and are free at all the times asked for." in html
    )
    # The only figure in the box is the distance: no score, weight or component value, in
    # any form (0.73, 73%, 73).
    assert re.findall(r"\d+(?:\.\d+)?", section(html)) == [distance]
    assert "score" not in section(html).lower()


def test_a_partial_fit_and_a_missing_distance_are_said_plainly(need):
    provider = eligible_cook(need)
    partial = make_match(
        need,
        provider,
        MatchStatus.OFFERED,
        explanation={
            "score": 0.61,
            "distance_km": 0.4,
            "components": {"availability": {"value": 0.5, "weight": 2.0}},
        },
    )
    assert why_asked(partial) == (
        "We asked you because you offered to help with a hot meal, live about 0.4 km away "
        "and are free for some of the times asked for."
    )
    unexplained = make_match(need, provider, MatchStatus.DECLINED, explanation={})
    assert why_asked(unexplained) == "We asked you because you offered to help with a hot meal."


def test_another_provider_cannot_read_why_someone_else_was_asked(client, need):
    provider = eligible_cook(need)
    other = eligible_cook(need)
    match = make_match(need, provider, MatchStatus.OFFERED)

    client.force_login(other.user)
    response = client.get(reverse("matchmaking:offer_detail", args=[match.pk]))

    assert response.status_code == 404
