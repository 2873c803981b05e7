"""The page layout (header, navigation, footer) is rendered once per language and kind of
person (matchmaking.templatetags.kith_layout): what each person sees must still be theirs."""

import re

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from matchmaking.models import Notification
from tests.factories import StaffFactory, UserFactory
from tests.provider_factories import ProviderProfileFactory

pytestmark = pytest.mark.django_db

PAGE = "/accessibility/"


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def page(client, path=PAGE):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def links(html):
    header = html.split('<ul id="navigation"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'class="govuk-header__link" href="[^"]*">([^<]*)</a>', header)


def test_each_kind_of_person_sees_their_own_links_in_either_order():
    resident, staff = UserFactory(), StaffFactory()
    provider = ProviderProfileFactory().user
    visitor = Client()
    for _ in range(2):  # the second time from what the first one rendered
        assert links(page(visitor)) == ["Sign in", "Create an account"]
        assert links(page(signed_in(resident))) == [
            "Your requests",
            "Your visits",
            "Offer help",
            "Notifications",
            "Your account",
            "Sign out",
        ]
        assert links(page(signed_in(provider))) == [
            "Your requests",
            "Your visits",
            "Help requests",
            "Your helper profile",
            "Notifications",
            "Your account",
            "Sign out",
        ]
        assert "Council admin" in links(page(signed_in(staff)))


def test_the_layout_is_in_each_persons_own_language():
    english, welsh = UserFactory(language="en-gb"), UserFactory(language="cy")
    for _ in range(2):
        html = page(signed_in(welsh))
        assert '<html lang="cy"' in html and "Allgofnodi" in html, "Sign out, in Welsh"
        html = page(signed_in(english))
        assert '<html lang="en-GB"' in html and "Sign out" in html and "Allgofnodi" not in html


def test_unread_counts_page_address_and_csrf_token_are_each_requests_own():
    busy, idle = UserFactory(), UserFactory()
    Notification.objects.bulk_create(Notification(user=busy, message="Hello") for _ in range(3))
    busy_client, idle_client = signed_in(busy), signed_in(idle)
    assert "Notifications (3)" in page(busy_client)
    html = page(idle_client, PAGE + "?from=<here>")
    assert "Notifications (3)" not in html and ">Notifications</a>" in html
    assert 'name="next" value="/accessibility/?from=%3Chere%3E"' in html
    assert "Notifications (3)" in page(busy_client, reverse("home"))

    # The forms in the layout carry this visitor's token: the language switch works.
    client = Client(enforce_csrf_checks=True)
    html = page(client)
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1
    response = client.post(
        reverse("language_set"),
        {"language": "cy", "next": PAGE, "csrfmiddlewaretoken": tokens.pop()},
    )
    assert response.status_code == 302
    assert '<html lang="cy"' in page(client)


def test_a_changed_setting_shows_at_once():
    client = Client()
    page(client)
    with override_settings(SERVICE_NAME="Another service"):
        assert "Another service" in page(client)
    assert "Another service" not in page(client)


def test_a_layout_part_cannot_hold_a_block():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load kith_layout %}{% layout %}{% block x %}{% endblock %}{% endlayout %}")


def test_without_a_request_the_part_renders_as_it_stands():
    template = Template("{% load kith_layout %}{% layout %}[{{ layout_next_path }}]{% endlayout %}")
    assert template.render(Context({})) == "[]"


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_choice_label_shows_what_get_display_shows(language):
    from matchmaking.constants import MatchStatus
    from matchmaking.models import Match
    from matchmaking.templatetags.kith_choices import choice_label
    from services.constants import NeedStatus
    from services.models import Need

    with translation.override(language):
        for model, statuses in ((Need, NeedStatus), (Match, MatchStatus)):
            for status in [*statuses.values, "not-a-status"]:
                row = model(status=status)
                assert choice_label(row, "status") == row.get_status_display()
