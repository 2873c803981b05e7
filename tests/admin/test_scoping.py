"""matchmaking.scoping: whose areas, and one WHERE clause per model."""

import pytest
from django.contrib.auth.models import Group, Permission
from guardian.shortcuts import assign_perm

from accounts.models import Check, ProviderProfile
from matchmaking import scoping
from matchmaking.constants import ConcernKind
from matchmaking.models import Block, Concern, Match, Rating
from services.models import Area, Need
from tests.factories import AreaFactory, NeedFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_ward_officer_has_their_own_area(staff_a, ward_a, ward_b):
    assert scoping.staff_area_ids(staff_a) == {ward_a.area.pk}


def test_superusers_and_staff_with_every_area_are_unrestricted(ward_a, ward_b, superuser):
    everywhere = StaffFactory()
    scoping.grant_areas(everywhere, [ward_a.area, ward_b.area])
    assert scoping.staff_area_ids(superuser) is None
    assert scoping.staff_area_ids(everywhere) is None
    AreaFactory(name="New ward")  # a new area is not theirs until granted
    scoping.forget_areas(everywhere)
    assert scoping.staff_area_ids(everywhere) == {ward_a.area.pk, ward_b.area.pk}


def test_areas_can_be_granted_to_a_team(ward_a, ward_b):
    team = Group.objects.create(name="Northgate team")
    scoping.grant_area(team, ward_a.area)
    member = StaffFactory()
    member.groups.add(team)
    assert scoping.staff_area_ids(member) == {ward_a.area.pk}


def test_a_model_wide_grant_opens_nothing(ward_a, ward_b):
    careless = StaffFactory()
    careless.user_permissions.add(Permission.objects.get(codename="work_in_area"))
    assign_perm("services.work_in_area", careless)  # the global form, too
    assert scoping.staff_area_ids(careless) == frozenset()
    assert not scoping.needs_for_staff(careless).exists()


def test_people_who_are_not_active_staff_see_nothing(ward_a):
    resident = UserFactory()
    scoping.grant_area(resident, ward_a.area)
    gone = StaffFactory(is_active=False)
    scoping.grant_area(gone, ward_a.area)
    for user in (resident, gone):
        assert scoping.staff_area_ids(user) == frozenset()
        assert not scoping.needs_for_staff(user).exists()


def test_the_areas_are_read_once_per_request(staff_a, django_assert_num_queries):
    with django_assert_num_queries(1):  # every area, flagged granted or not
        scoping.staff_area_ids(staff_a)
        scoping.staff_area_ids(staff_a)
    with django_assert_num_queries(1):  # the scoped rows themselves
        list(scoping.needs_for_staff(staff_a))


def test_revoking_an_area_takes_effect(staff_a, ward_a):
    scoping.revoke_area(staff_a, ward_a.area)
    assert scoping.staff_area_ids(staff_a) == frozenset()


@pytest.mark.parametrize(
    ("function", "model", "attribute"),
    [
        (scoping.needs_for_staff, Need, "need"),
        (scoping.providers_for_staff, ProviderProfile, "provider"),
        (scoping.checks_for_staff, Check, "check"),
        (scoping.matches_for_staff, Match, "match"),
        (scoping.ratings_for_staff, Rating, "rating"),
        (scoping.concerns_for_staff, Concern, "concern"),
        (scoping.areas_for_staff, Area, "area"),
    ],
)
def test_each_model_is_scoped_to_the_area(
    function, model, attribute, ward_a, ward_b, staff_a, staff_b, outsider, superuser
):
    mine, theirs = getattr(ward_a, attribute), getattr(ward_b, attribute)
    assert mine in function(staff_a) and theirs not in function(staff_a)
    assert theirs in function(staff_b) and mine not in function(staff_b)
    assert not function(outsider).exists()
    assert {mine, theirs} <= set(function(superuser))
    # Narrowing a queryset the caller already has.
    assert list(function(staff_a, model.objects.filter(pk=theirs.pk))) == []


def test_a_provider_with_an_unknown_postcode_is_in_no_area(ward_a, ward_b, staff_a, superuser):
    from tests.provider_factories import ProviderProfileFactory

    nowhere = ProviderProfileFactory(home_postcode="ZZ9 9ZZ")
    assert nowhere not in scoping.providers_for_staff(staff_a)
    assert nowhere in scoping.providers_for_staff(superuser)


def test_a_concern_about_a_person_follows_their_needs_and_home(ward_a, ward_b, staff_a):
    resident_b = NeedFactory(area=ward_b.area).requested_by
    about_resident = Concern.objects.create(
        raised_by=UserFactory(), about=resident_b, kind=ConcernKind.OTHER, description="x"
    )
    about_provider_a = Concern.objects.create(
        raised_by=UserFactory(), about=ward_a.provider.user, kind=ConcernKind.OTHER, description="y"
    )
    NeedFactory(area=ward_a.area, requested_by=resident_b)  # now also asked for help in A
    mine = set(scoping.concerns_for_staff(staff_a))
    assert {about_resident, about_provider_a} <= mine
    stranger = Concern.objects.create(
        raised_by=UserFactory(), about=UserFactory(), kind=ConcernKind.OTHER, description="z"
    )
    assert stranger not in set(scoping.concerns_for_staff(staff_a))


def test_blocks_follow_the_resident_or_the_provider(ward_a, ward_b, staff_a):
    block = Block.objects.create(resident=ward_b.need.requested_by, provider=ward_a.provider)
    other = Block.objects.create(resident=ward_b.need.requested_by, provider=ward_b.provider)
    assert block in scoping.blocks_for_staff(staff_a)
    assert other not in scoping.blocks_for_staff(staff_a)
