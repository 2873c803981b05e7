"""A form that creates, sent twice (a double click, or back and send again), creates once.

A double click's second request arrives while the first is still running: the tests make
the write function send the same form again before it runs (`send_again_while_running`).
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from accounts.models import ProviderProfile
from matchmaking import trust
from matchmaking.constants import MatchStatus
from matchmaking.models import Concern, Rating
from services import provider_views
from services import views as need_views
from services.models import Need, Offer
from services.submit_once import ALREADY_SENT, STILL_SENDING
from tests.factories import NeedFactory, PostcodeFactory, ProgrammeFactory, UserFactory, category
from tests.matching import eligible_cook, make_match
from tests.provider_factories import AreaFactory, ProviderProfileFactory
from tests.services.test_provider_journey import answer_up_to, offer_data
from tests.services.test_request_help import complete_journey

pytestmark = pytest.mark.django_db

CHECK = reverse("needs:check")


def token_on(page):
    """The one-time token of the form on `page`."""
    [token] = re.findall(r'name="submit_token" value="([^"]+)"', page.content.decode())
    return token


def send_again_while_running(monkeypatch, module, name, send):
    """Make `module.name` call `send()` before it runs, once; the list returned gets
    send()'s response."""
    original = getattr(module, name)
    responses, calls = [], []

    def running(*args, **kwargs):
        calls.append(name)
        if len(calls) == 1:
            responses.append(send())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, running)
    return responses


# --- Request help ----------------------------------------------------------------------------


@pytest.fixture
def resident(client):
    """A resident at "Check your answers" of a request for a hot meal, in a served postcode."""
    place = PostcodeFactory(code="RV1 2AB")
    ProgrammeFactory(categories=[category("meals")], areas=[place.area])
    user = UserFactory(first_name="Rose")
    client.force_login(user)
    complete_journey(client)
    return user


def test_request_help_sent_twice_at_once_creates_one_request(client, resident, monkeypatch):
    form = {"submit_token": token_on(client.get(CHECK))}
    retries = send_again_while_running(
        monkeypatch, need_views, "need_submit", lambda: client.post(CHECK, form, follow=True)
    )

    first = client.post(CHECK, form)
    [second] = retries

    need = Need.objects.get()
    assertRedirects(first, reverse("needs:submitted", args=[need.reference]))
    assertRedirects(second, reverse("needs:list"))
    assertContains(second, STILL_SENDING)


def test_a_double_click_whose_second_request_read_the_old_session_creates_one_request(
    client, resident
):
    form = {"submit_token": token_on(client.get(CHECK))}
    draft = client.session["request_help"]
    client.post(CHECK, form)
    # The second request of a double click loaded the session before the first saved it.
    session = client.session
    session["request_help"] = draft
    session.save()

    second = client.post(CHECK, form, follow=True)

    need = Need.objects.get()
    assertRedirects(second, reverse("needs:submitted", args=[need.reference]))
    assertContains(second, ALREADY_SENT)


def test_sending_the_check_page_again_from_history_goes_to_the_request_made(client, resident):
    form = {"submit_token": token_on(client.get(CHECK))}
    client.post(CHECK, form)

    again = client.post(CHECK, form, follow=True)

    need = Need.objects.get()
    assertRedirects(again, reverse("needs:submitted", args=[need.reference]))
    assertContains(again, ALREADY_SENT)


def test_a_refused_request_keeps_its_token_for_the_corrected_answers(client, resident, monkeypatch):
    form = {"submit_token": token_on(client.get(CHECK))}
    monkeypatch.setattr(need_views, "need_submit", _refuse)
    refused = client.post(CHECK, form, follow=True)
    assertRedirects(refused, CHECK)
    assertContains(refused, "That postcode is not one we serve")
    monkeypatch.undo()

    sent = client.post(CHECK, form)

    assertRedirects(sent, reverse("needs:submitted", args=[Need.objects.get().reference]))


def _refuse(**kwargs):
    raise ValidationError("That postcode is not one we serve")


# --- Offer help and one-off offers ----------------------------------------------------------


def test_offer_help_sent_twice_at_once_applies_once_without_an_error(client, monkeypatch):
    PostcodeFactory(
        code="RV1 1AA", latitude=51.46, longitude=-0.97, area=AreaFactory(name="Northgate")
    )
    client.force_login(UserFactory())
    answer_up_to(client, "about")
    check = reverse("providers:check")
    form = {"submit_token": token_on(client.get(check))}
    retries = send_again_while_running(
        monkeypatch, provider_views, "provider_apply", lambda: client.post(check, form)
    )

    first = client.post(check, form, follow=True)
    [second] = retries

    assertRedirects(first, reverse("providers:dashboard"))
    assertContains(first, "Thank you for offering to help.")
    assert second.status_code == 302 and ProviderProfile.objects.count() == 1


def test_a_one_off_offer_sent_twice_is_posted_once(client):
    profile = ProviderProfileFactory(skills=[category("meals")])
    client.force_login(profile.user)
    url = reverse("providers:offer_new")
    form = {**offer_data(), "submit_token": token_on(client.get(url))}
    client.post(url, form)

    again = client.post(url, form, follow=True)

    assertRedirects(again, reverse("providers:offers"))
    assertContains(again, ALREADY_SENT)
    assert Offer.objects.count() == 1


# --- ratings and concerns -------------------------------------------------------------------


@pytest.fixture
def match():
    need = NeedFactory()
    return make_match(need, eligible_cook(need), MatchStatus.COMPLETED)


def test_a_rating_sent_twice_at_once_is_given_once_without_an_error(client, match, monkeypatch):
    client.force_login(match.need.requested_by)
    url = reverse("matchmaking:match_rate", args=[match.pk])
    form = {"score": "5", "comment": "Lovely", "submit_token": token_on(client.get(url))}
    retries = send_again_while_running(
        monkeypatch, trust, "rating_give", lambda: client.post(url, form, follow=True)
    )

    first = client.post(url, form, follow=True)
    [second] = retries

    back = reverse("matchmaking:need_match", args=[match.pk])
    assertRedirects(first, back)
    assertContains(first, "Thank you for your rating.")
    assertRedirects(second, back)
    assertContains(second, STILL_SENDING)
    assert Rating.objects.get().score == 5


def test_a_rating_sent_again_from_history_changes_nothing(client, match):
    client.force_login(match.need.requested_by)
    url = reverse("matchmaking:match_rate", args=[match.pk])
    form = {"score": "5", "comment": "Lovely", "submit_token": token_on(client.get(url))}
    client.post(url, form)

    again = client.post(url, {**form, "score": "4"}, follow=True)

    assertContains(again, ALREADY_SENT)
    assert Rating.objects.get().score == 5


def test_a_concern_sent_twice_is_received_once(client, match):
    client.force_login(match.need.requested_by)
    url = reverse("matchmaking:match_concern", args=[match.pk])
    form = {
        "kind": "no_show",
        "description": "Nobody came on Tuesday",
        "submit_token": token_on(client.get(url)),
    }
    client.post(url, form)

    again = client.post(url, form, follow=True)

    assertRedirects(again, reverse("matchmaking:need_match", args=[match.pk]))
    assertContains(again, ALREADY_SENT)
    assert Concern.objects.count() == 1


def test_a_form_with_errors_can_be_corrected_and_sent_with_its_token(client, match):
    client.force_login(match.need.requested_by)
    url = reverse("matchmaking:match_concern", args=[match.pk])
    token = token_on(client.get(url))
    response = client.post(url, {"kind": "no_show", "description": "", "submit_token": token})
    assertContains(response, "Tell us what happened")

    client.post(url, {"kind": "no_show", "description": "Nobody came", "submit_token": token})

    assert Concern.objects.count() == 1


def test_each_page_load_issues_a_new_token(client, match):
    client.force_login(match.need.requested_by)
    url = reverse("matchmaking:match_concern", args=[match.pk])
    assert token_on(client.get(url)) != token_on(client.get(url))
