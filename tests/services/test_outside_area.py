"""A real postcode outside the borough is not "unrecognised": the person is told it is outside
the council's area and where to go instead (OUTSIDE_AREA_URL)."""

import pytest
from django.core.exceptions import ValidationError

from services.models import Need
from services.postcodes import PROVIDER_MESSAGES, postcode_in_council
from tests.factories import PostcodeFactory, ProgrammeFactory, UserFactory, category
from tests.services.test_request_help import WHERE_OK, answer, complete_up_to_where

pytestmark = pytest.mark.django_db

FIND_YOUR_COUNCIL = "https://www.gov.uk/find-local-council"


@pytest.fixture
def borough():
    """The borough's own postcodes are in districts RV1 and RV2."""
    place = PostcodeFactory(code="RV1 2AB")
    PostcodeFactory(code="RV2 3CD", area=place.area)
    ProgrammeFactory(categories=[category("meals")], areas=[place.area])
    return place


def refusal(raw, messages=None):
    with pytest.raises(ValidationError) as caught:
        if messages is None:
            postcode_in_council(raw)
        else:
            postcode_in_council(raw, messages)
    return caught.value


@pytest.mark.parametrize("raw", ["SW1A 1AA", "m1 1ae", "CF10 1EP", "EH1 1YZ"])
def test_a_real_postcode_elsewhere_is_outside_the_area_with_where_to_go(borough, raw):
    error = refusal(raw)
    assert error.code == "outside"
    assert "is outside Riverside" in error.messages[0]
    assert FIND_YOUR_COUNCIL in error.messages[0]
    assert "We do not recognise" not in error.messages[0]


def test_where_to_go_is_a_setting(borough, settings):
    settings.OUTSIDE_AREA_URL = "https://www.neighbouring.example.gov.uk/help"
    assert "https://www.neighbouring.example.gov.uk/help" in refusal("SW1A 1AA").messages[0]


@pytest.mark.parametrize(
    "raw",
    [
        "RV1 9XX",  # the borough's own district: a typing mistake, not another council
        "ZZ99 9ZZ",  # no such postcode area in the UK
        "QQ1 1AA",
        "not a postcode",
    ],
)
def test_a_mistyped_postcode_is_still_not_recognised(borough, raw):
    error = refusal(raw)
    assert error.code in ("unknown", "malformed")
    assert "We do not recognise that postcode" in error.messages[0]


def test_a_provider_living_elsewhere_is_told_it_is_outside_the_area(borough):
    error = refusal("SW1A 1AA", PROVIDER_MESSAGES)
    assert error.code == "outside"
    assert "SW1A 1AA is outside Riverside" in error.messages[0]


def test_the_request_help_page_says_outside_and_where_to_go(client, borough):
    client.force_login(UserFactory(first_name="Rose"))
    complete_up_to_where(client)
    response = answer(client, "where", {**WHERE_OK, "postcode": "SW1A 1AA"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "SW1A 1AA is outside Riverside" in html and FIND_YOUR_COUNCIL in html
    assert not Need.objects.exists()
