"""Ratings and trust figures."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.exceptions import TransitionError
from matchmaking import scoring
from matchmaking.candidates import rank_need
from matchmaking.constants import MatchStatus
from matchmaking.models import Notification, Rating
from matchmaking.scoping import grant_area
from matchmaking.trust import (
    rating_comment_approve,
    rating_edit,
    rating_give,
    rating_hide,
    rating_unhide,
)
from tests.factories import NeedFactory, StaffFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def need():
    return NeedFactory()


@pytest.fixture
def provider(need):
    return eligible_cook(need)


def completed(provider):
    return make_match(NeedFactory(), provider, MatchStatus.COMPLETED)


def figures(provider):
    provider.refresh_from_db()
    return provider.rating_count, provider.rating_sum


@pytest.mark.parametrize("status", [s for s in MatchStatus.values if s != MatchStatus.COMPLETED])
def test_only_completed_matches_can_be_rated(need, provider, status):
    match = make_match(need, provider, status)
    with pytest.raises(TransitionError, match="once the first visit has happened"):
        rating_give(match=match, actor=need.requested_by, score=5)
    assert not Rating.objects.exists()


def test_each_side_rates_once(provider):
    match = completed(provider)
    rating_give(match=match, actor=match.need.requested_by, score=4, comment="Lovely soup")
    rating_give(match=match, actor=provider.user, score=5, comment="Very welcoming")
    with pytest.raises(TransitionError, match="already rated"):
        rating_give(match=match, actor=match.need.requested_by, score=1)
    assert Rating.objects.count() == 2


def test_people_outside_the_match_cannot_rate(provider):
    match = completed(provider)
    for outsider in (UserFactory(), StaffFactory()):
        with pytest.raises(TransitionError, match="Only the people in this match"):
            rating_give(match=match, actor=outsider, score=5)


@pytest.mark.parametrize("score", [0, 6, "5", None, True, 3.5])
def test_a_score_must_be_a_whole_number_from_1_to_5(provider, score):
    match = completed(provider)
    with pytest.raises(TransitionError, match="from 1 to 5"):
        rating_give(match=match, actor=match.need.requested_by, score=score)
    assert figures(provider) == (0, 0)


def test_resident_ratings_set_the_trust_figures_and_the_engine_uses_them(need, provider):
    for score in (5, 4, 3):
        match = completed(provider)
        rating_give(match=match, actor=match.need.requested_by, score=score)
    assert figures(provider) == (3, 12)
    # Bayesian average with the engine's prior of five 4.0 ratings: (4*5 + 12) / (5 + 3) = 4.0
    assert scoring.trust_score(12, 3) == pytest.approx(4.0)
    ranked = rank_need(need).ranked
    trust = next(s for s in ranked if s.provider_id == provider.pk).components["trust"]
    assert trust == pytest.approx((4.0 - 1) / 4)
    assert (
        "rated your help 3 out of 5"
        in Notification.objects.filter(user=provider.user).first().message
    )


def test_a_providers_rating_of_a_resident_does_not_touch_the_providers_figures(provider):
    match = completed(provider)
    rating_give(match=match, actor=provider.user, score=1)
    assert figures(provider) == (0, 0)


def test_a_rating_can_be_changed_for_seven_days_by_its_author_only(provider):
    match = completed(provider)
    rating = rating_give(match=match, actor=match.need.requested_by, score=2)
    rating_edit(rating=rating, actor=match.need.requested_by, score=4, comment="On reflection")
    assert figures(provider) == (1, 4)
    with pytest.raises(TransitionError, match="Only the person who gave"):
        rating_edit(rating=rating, actor=provider.user, score=1)
    eight_days_later = timezone.now() + datetime.timedelta(days=8)
    with pytest.raises(TransitionError, match="can no longer be"):
        rating_edit(rating=rating, actor=match.need.requested_by, score=5, now=eight_days_later)
    assert figures(provider) == (1, 4)


def test_hidden_ratings_stop_counting_until_shown_again(provider):
    ratings = []
    for score in (5, 1):
        match = completed(provider)
        ratings.append(rating_give(match=match, actor=match.need.requested_by, score=score))
    staff = StaffFactory()
    with pytest.raises(TransitionError, match="reason"):
        rating_hide(rating=ratings[1], actor=staff, reason="")
    with pytest.raises(TransitionError, match="Only council staff"):
        rating_hide(rating=ratings[1], actor=UserFactory(), reason="x")
    rating_hide(rating=ratings[1], actor=staff, reason="Names a neighbour")
    assert figures(provider) == (1, 5)
    rating_unhide(rating=ratings[1], actor=staff)
    assert figures(provider) == (2, 6)


def test_the_rating_page(client, provider):
    match = completed(provider)
    client.force_login(match.need.requested_by)
    url = reverse("matchmaking:match_rate", args=[match.pk])
    response = client.post(url, {"comment": "x"})
    assert "Choose a rating from 1 to 5" in response.content.decode()
    client.post(url, {"score": "4", "comment": "Kind and on time"})
    assert figures(provider) == (1, 4)
    assert "Change your rating" in client.get(url).content.decode()
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_residents_see_recent_visible_comments_when_a_provider_is_proposed(client, need, provider):
    old = completed(provider)
    brilliant = rating_give(
        match=old, actor=old.need.requested_by, score=5, comment="Brilliant cook"
    )
    staff = StaffFactory()
    grant_area(staff, old.need.area)
    rating_comment_approve(rating=brilliant, actor=staff)  # comments show once approved
    hidden = completed(provider)
    rating_hide(
        rating=rating_give(match=hidden, actor=hidden.need.requested_by, score=1, comment="Rude!"),
        actor=StaffFactory(),
        reason="Abusive",
    )
    proposed = make_match(need, provider, MatchStatus.ACCEPTED)
    client.force_login(need.requested_by)
    html = client.get(reverse("matchmaking:need_match", args=[proposed.pk])).content.decode()
    assert "Brilliant cook" in html and "Rude!" not in html
