"""Two wards, a staff member in each, and someone in neither.

Area A is "Northgate" (postcodes RV1 …), area B is "Southbank" (RV2 …). Each has a need, a
provider living there with a pending check, and a match with a rating and a concern. Staff
are made with the real role groups (their model permissions come from the migration) and
get their areas through matchmaking.scoping.grant_area, as the demo does.
"""

import pytest
from django.utils import timezone

from accounts.constants import CheckKind
from matchmaking.constants import ConcernKind, MatchStatus, RaterRole
from matchmaking.models import Concern, Rating
from matchmaking.scoping import grant_area
from tests.admin.borough import Borough
from tests.factories import (
    AreaFactory,
    CommissionerFactory,
    NeedFactory,
    PostcodeFactory,
    StaffFactory,
    UserFactory,
    category,
    enable_two_factor,
)
from tests.matching import make_match
from tests.provider_factories import CheckFactory, ProviderProfileFactory


class Ward:
    """Everything made for one area."""

    def __init__(self, name, code, postcode, latitude):
        self.area = AreaFactory(name=name, code=code)
        self.postcode = PostcodeFactory(code=postcode, area=self.area, latitude=latitude)
        self.need = NeedFactory(
            area=self.area,
            category=category("meals"),
            postcode=postcode,
            latitude=latitude,
            address=f"1 {name} Road",
        )
        self.provider = ProviderProfileFactory(
            home_postcode=postcode, latitude=latitude, skills=[category("meals")]
        )
        self.check = CheckFactory(provider=self.provider, kind=CheckKind.DBS_BASIC)
        done_need = NeedFactory(
            area=self.area, postcode=postcode, latitude=latitude, status="fulfilled"
        )
        self.match = make_match(
            done_need,
            self.provider,
            MatchStatus.COMPLETED,
            confirmed_at=timezone.now(),
            ended_at=timezone.now(),
        )
        self.rating = Rating.objects.create(
            match=self.match,
            rater=done_need.requested_by,
            rater_role=RaterRole.RESIDENT,
            score=4,
        )
        self.concern = Concern.objects.create(
            raised_by=done_need.requested_by,
            match=self.match,
            kind=ConcernKind.CONDUCT,
            description=f"Late again in {name}",
        )


@pytest.fixture
def ward_a(db):
    return Ward("Northgate", "E05000001", "RV1 1AA", 51.46)


@pytest.fixture
def ward_b(db):
    return Ward("Southbank", "E05000002", "RV2 2BB", 51.44)


@pytest.fixture
def staff_a(ward_a):
    user = StaffFactory(email="north@riverside.example.org")
    grant_area(user, ward_a.area)
    return user


@pytest.fixture
def staff_b(ward_b):
    user = StaffFactory(email="south@riverside.example.org")
    grant_area(user, ward_b.area)
    return user


@pytest.fixture
def outsider(db):
    """Council staff with no area yet."""
    return StaffFactory(email="new@riverside.example.org")


@pytest.fixture
def superuser(db):
    user = UserFactory(is_staff=True, is_superuser=True, email="admin@riverside.example.org")
    enable_two_factor(user)
    return user


@pytest.fixture
def commissioner(db):
    return CommissionerFactory(email="commissioning@riverside.example.org")


@pytest.fixture
def borough(db):
    """North and South with figures worked out by hand (tests.admin.borough)."""
    return Borough()


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login
