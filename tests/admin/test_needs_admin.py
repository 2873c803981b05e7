"""The need page's suggested providers, and offering a need to a chosen candidate."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from matchmaking.constants import MatchStatus, ProposedBy
from matchmaking.scoping import grant_area
from services.constants import NeedStatus
from tests.factories import StaffFactory
from tests.matching import eligible_cook, make_match
from tests.provider_factories import ProviderProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(ward_a):
    """A ranked cook and an active cook next door without checks (excluded)."""
    need = ward_a.need
    ranked = eligible_cook(need, home_postcode="RV1 1AA")
    unchecked = ProviderProfileFactory(
        active=True,
        skills=[need.category],
        latitude=need.latitude,
        longitude=need.longitude,
        travel_radius_km=10,
        home_postcode="RV1 1AA",
    )
    return need, ranked, unchecked


def page(client, need):
    return client.get(reverse("admin:services_need_change", args=[need.pk])).content.decode()


def offer(client, need, **data):
    return client.post(reverse("admin:services_need_offer", args=[need.pk]), data, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_panel_ranks_candidates_with_bars_and_lists_the_excluded(as_user, cast, staff_a):
    need, ranked, unchecked = cast
    html = page(as_user(staff_a), need)
    panel = html[html.index("Suggested providers") :]
    ranked_part, excluded_part = panel.split("<h3>Excluded</h3>")
    assert escape(str(ranked.user)) in ranked_part
    assert "Lives nearby" in ranked_part and 'class="kith-bar"' in ranked_part
    assert 'aria-label="Lives nearby: 100%"' in ranked_part
    assert escape(str(unchecked.user)) in excluded_part
    assert "Check missing" in excluded_part and "No verified check" in excluded_part
    assert f'value="{ranked.pk}"' in panel and 'name="reason"' in panel


def test_staff_offer_the_need_to_the_chosen_candidate_with_a_reason(as_user, cast, staff_a):
    need, ranked, _ = cast
    response = offer(as_user(staff_a), need, provider=ranked.pk, reason="Knows the family")
    match = need.matches.get()
    assert (match.provider, match.status) == (ranked, MatchStatus.OFFERED)
    assert (match.proposed_by, match.proposed_by_user, match.staff_reason) == (
        ProposedBy.STAFF,
        staff_a,
        "Knows the family",
    )
    assert response.redirect_chain[-1][0] == reverse(
        "admin:matchmaking_match_change", args=[match.pk]
    )
    assert any(m.startswith(f"Offered to {ranked.user}") for m in messages_of(response))
    assert "Lives nearby" in response.content.decode()  # the match page explains the score


def test_an_excluded_candidate_can_be_chosen_as_an_override(as_user, cast, staff_a):
    need, _, unchecked = cast
    offer(as_user(staff_a), need, provider=unchecked.pk, reason="Checks are in the post")
    match = need.matches.get()
    assert match.provider == unchecked
    assert "No verified check" in match.explanation["staff_override"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Knows her"}, "Choose a provider to offer this request to."),
        ({"provider": "RANKED", "reason": "   "}, "Give a reason for choosing this provider."),
        ({"provider": "RANKED"}, "Give a reason for choosing this provider."),
        ({"provider": "abc", "reason": "x"}, "Enter a whole number."),
        ({"provider": str(10**30), "reason": "x"}, "Ensure this value is less than or equal to"),
    ],
)
def test_an_offer_without_a_reason_or_provider_is_refused(as_user, cast, staff_a, data, message):
    need, ranked, _ = cast
    data = {key: ranked.pk if value == "RANKED" else value for key, value in data.items()}
    response = offer(as_user(staff_a), need, **data)
    assert any(m.startswith(message) for m in messages_of(response))
    assert not need.matches.exists()


def test_a_provider_who_is_not_a_candidate_is_refused(as_user, cast, staff_a):
    need, _, _ = cast
    far_away = ProviderProfileFactory(active=True, latitude=55.0, longitude=-3.0)
    response = offer(as_user(staff_a), need, provider=far_away.pk, reason="Why not")
    assert "That provider is not a candidate for this request." in messages_of(response)
    assert not need.matches.exists()


def test_a_refusal_from_the_lifecycle_is_a_message(as_user, cast, staff_a):
    need, ranked, unchecked = cast
    make_match(need, unchecked, MatchStatus.OFFERED)
    response = offer(as_user(staff_a), need, provider=ranked.pk, reason="Better fit")
    assert "This need already has a live match." in messages_of(response)
    assert need.matches.count() == 1


def test_offering_is_a_post_and_needs_the_permission(as_user, cast):
    need, ranked, _ = cast
    viewer = StaffFactory()
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_need"))
    grant_area(viewer, need.area)
    client = as_user(viewer)
    html = page(client, need)
    assert "Suggested providers" in html and 'name="reason"' not in html
    url = reverse("admin:services_need_offer", args=[need.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"provider": ranked.pk, "reason": "x"}).status_code == 403
    assert not need.matches.exists()


def test_a_need_that_is_not_open_shows_no_suggestions(as_user, ward_a, staff_a):
    ward_a.need.status = NeedStatus.MATCHED
    ward_a.need.save()
    html = page(as_user(staff_a), ward_a.need)
    assert "Providers are suggested while the request is looking for a helper" in html
