"""The resident's pages for providers' one-off offers: opting in and out, answering an
offer, and who may see an offer put to someone (the resident it was put to; anyone else,
the provider included, gets a 404)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking import offer_proposals
from matchmaking.constants import MatchStatus, OfferProposalStatus
from matchmaking.models import Match, OfferAlert
from services.constants import OfferStatus
from services.models import Offer
from tests.factories import PostcodeFactory, UserFactory, category
from tests.matchmaking.test_offer_proposals import alert, cook, offer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal():
    provider = cook()
    alert(km_north=0.3)
    offer = offer_for(provider)
    (proposal,) = offer_proposals.offer_propose(offer=offer)
    return proposal


def signed_in(client, user):
    client.force_login(user)
    return client


# --- opting in and out --------------------------------------------------------------------------


def test_a_resident_opts_in_to_meal_offers_without_a_request(client):
    user = UserFactory()
    postcode = PostcodeFactory()
    response = signed_in(client, user).post(
        reverse("matchmaking:offer_alerts"),
        {"categories": [category().pk], "postcode": postcode.code, "address": "9 Elm Road"},
        follow=True,
    )
    assert "We will tell you about offers near you." in response.content.decode()
    alert = OfferAlert.objects.get(user=user)
    assert (alert.category, alert.postcode, alert.address) == (
        category(),
        postcode.code,
        "9 Elm Road",
    )


def test_opting_in_without_a_postcode_or_address_says_what_is_missing_and_saves_nothing(client):
    user = UserFactory()
    response = signed_in(client, user).post(
        reverse("matchmaking:offer_alerts"), {"categories": [category().pk]}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter your postcode" in page and "Enter your address" in page
    assert not OfferAlert.objects.exists()


def test_an_unknown_postcode_is_a_clear_error(client):
    response = signed_in(client, UserFactory()).post(
        reverse("matchmaking:offer_alerts"),
        {"categories": [category().pk], "postcode": "<script>", "address": "9 Elm Road"},
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not OfferAlert.objects.exists()


def test_a_resident_opts_out(client):
    resident = alert()
    response = signed_in(client, resident.user).post(
        reverse("matchmaking:offer_alerts"), {}, follow=True
    )
    assert "We will no longer tell you about offers." in response.content.decode()
    assert not OfferAlert.objects.filter(user=resident.user).exists()


def test_the_offers_page_needs_signing_in(client):
    response = client.get(reverse("matchmaking:offer_alerts"))
    assert response.status_code == 302 and "login" in response.url


# --- answering an offer -------------------------------------------------------------------------


def test_the_resident_it_was_put_to_sees_it_and_takes_it(client, proposal):
    client = signed_in(client, proposal.resident)
    page = client.get(reverse("matchmaking:offer_proposal", args=[proposal.pk])).content.decode()
    assert proposal.offer.description in page
    assert proposal.offer.provider.user.display_name in page
    response = client.post(
        reverse("matchmaking:offer_proposal_accept", args=[proposal.pk]), follow=True
    )
    match = Match.objects.get(need__resident=proposal.resident)
    assert response.redirect_chain[-1][0] == reverse("matchmaking:need_match", args=[match.pk])
    assert match.status == MatchStatus.ACTIVE
    assert proposal.offer.provider.user.display_name in response.content.decode()


def test_an_offer_whose_time_has_passed_is_shown_without_a_yes(client, proposal):
    page_url = reverse("matchmaking:offer_proposal", args=[proposal.pk])
    client = signed_in(client, proposal.resident)
    assert "Yes please" in client.get(page_url).content.decode()

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Offer.objects.filter(pk=proposal.offer_id).update(on_date=yesterday)

    assert "Yes please" not in client.get(page_url).content.decode()


def test_the_provider_sees_the_residents_first_name_and_address_once_taken(client, proposal):
    offer_proposals.offer_accept(proposal=proposal, actor=proposal.resident)
    match = Match.objects.get()
    page = (
        signed_in(client, proposal.offer.provider.user)
        .get(reverse("matchmaking:offer_detail", args=[match.pk]))
        .content.decode()
    )
    assert proposal.resident.display_name in page
    assert "4 Mill Lane" in page


def test_saying_no_thank_you_lets_it_go(client, proposal):
    response = signed_in(client, proposal.resident).post(
        reverse("matchmaking:offer_proposal_decline", args=[proposal.pk]), follow=True
    )
    assert "No problem" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == OfferProposalStatus.DECLINED


def test_a_late_yes_reads_that_someone_else_took_it(client, proposal):
    other = alert(km_north=0.4)
    (late,) = offer_proposals.offer_propose(offer=proposal.offer, count=1)
    assert late.resident_id == other.user_id
    offer_proposals.offer_accept(proposal=proposal, actor=proposal.resident)
    response = signed_in(client, late.resident).post(
        reverse("matchmaking:offer_proposal_accept", args=[late.pk]), follow=True
    )
    assert response.status_code == 200
    assert "someone else has already taken this offer" in response.content.decode()
    proposal.offer.refresh_from_db()
    assert proposal.offer.status == OfferStatus.TAKEN
    assert Match.objects.count() == 1


@pytest.mark.parametrize("who", ["another resident", "the provider", "staff"])
@pytest.mark.parametrize(
    "page", ["offer_proposal", "offer_proposal_accept", "offer_proposal_decline"]
)
def test_anyone_but_the_resident_it_was_put_to_gets_a_404(client, proposal, who, page):
    from tests.factories import StaffFactory

    user = {
        "another resident": lambda: alert(km_north=0.2).user,
        "the provider": lambda: proposal.offer.provider.user,
        "staff": lambda: StaffFactory(),
    }[who]()
    client = signed_in(client, user)
    url = reverse(f"matchmaking:{page}", args=[proposal.pk])
    response = client.get(url) if page == "offer_proposal" else client.post(url)
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == OfferProposalStatus.PROPOSED


def test_signed_out_people_are_sent_to_sign_in(client, proposal):
    response = client.post(reverse("matchmaking:offer_proposal_accept", args=[proposal.pk]))
    assert response.status_code == 302 and "login" in response.url
    proposal.refresh_from_db()
    assert proposal.status == OfferProposalStatus.PROPOSED


def test_the_offers_page_lists_waiting_offers_in_few_queries(
    client, proposal, django_assert_max_num_queries
):
    client = signed_in(client, proposal.resident)
    for _ in range(3):
        offer_proposals.offer_propose(offer=offer_for(proposal.offer.provider), count=1)
    # session, user, navigation facts, alerts, waiting proposals with offer/provider/user,
    # categories for the form, plus the session's and messages' own reads.
    with django_assert_max_num_queries(10):
        page = client.get(reverse("matchmaking:offer_alerts")).content.decode()
    assert page.count(proposal.offer.description) >= 1


def test_the_provider_is_led_from_a_taken_offer_to_who_is_having_it(client, proposal):
    offer_proposals.offer_accept(proposal=proposal, actor=proposal.resident)
    client = signed_in(client, proposal.offer.provider.user)
    offers = client.get(reverse("providers:offers")).content.decode()
    assert "See who is having it" in offers
    help_requests = client.get(reverse("matchmaking:offer_list")).content.decode()
    assert f"A hot meal for {proposal.resident.display_name}" in help_requests
