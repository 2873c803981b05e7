"""The cast for API tests: a resident with a need, another resident, a provider matched to
the need and one who is not, council staff of the need's area and of another area."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    AreaFactory,
    NeedFactory,
    PostcodeFactory,
    StaffFactory,
    UserFactory,
)
from tests.matching import eligible_cook

ADDRESS = "14 Willow Close"
PHONE = "07700 900456"
SURNAME = "Turner"


@pytest.fixture
def api():
    """An anonymous client; `api.as_user(user)` signs a copy in (force_authenticate)."""
    return APIClient()


@pytest.fixture
def as_user():
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def token_client(user):
    """A client that authenticates the way a partner app does: with a token header."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def area(db):
    return AreaFactory(name="Riverside North", code="E05000101")


@pytest.fixture
def other_area(db):
    return AreaFactory(name="Riverside South", code="E05000102")


@pytest.fixture
def postcode(area):
    return PostcodeFactory(code="RV1 2AB", area=area)


@pytest.fixture
def outside_postcode(db):
    return PostcodeFactory(code="RV9 9ZZ", area=None)


@pytest.fixture
def resident(db):
    return UserFactory(first_name="Rose", last_name=SURNAME)


@pytest.fixture
def other_resident(db):
    return UserFactory()


@pytest.fixture
def need(resident, area):
    return NeedFactory(
        requested_by=resident,
        area=area,
        contact_name=f"Rose {SURNAME}",
        address=ADDRESS,
        phone=PHONE,
        postcode="RV1 2AB",
        on_date=timezone.localdate() + datetime.timedelta(days=3),
    )


@pytest.fixture
def provider(need):
    """The provider who is (or will be) matched with `need`."""
    return eligible_cook(need, user=UserFactory(first_name="Priya", phone="07700 900999"))


@pytest.fixture
def other_provider(need):
    """A provider in the same area who is not matched with `need`."""
    return eligible_cook(need)


@pytest.fixture
def staff(area):
    from matchmaking.scoping import grant_area

    user = StaffFactory()
    grant_area(user, area)
    return user


@pytest.fixture
def other_staff(other_area):
    from matchmaking.scoping import grant_area

    user = StaffFactory()
    grant_area(user, other_area)
    return user


@pytest.fixture
def throttle_rates(settings):
    """Set the API rate limits for one test: throttle_rates(anon="2/minute", user=None)."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, **rates},
        }

    return set_rates
