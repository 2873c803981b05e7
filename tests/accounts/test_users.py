import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.db import IntegrityError

from accounts.constants import COMMISSIONERS_GROUP, COUNCIL_STAFF_GROUP
from accounts.models import User
from tests.factories import PASSWORD, CommissionerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_case_does_not_matter():
    user = UserFactory(email="Rose.Turner@Example.org")
    assert authenticate(email="rose.turner@example.org", password=PASSWORD) == user
    assert authenticate(email="rose.turner@example.org", password="wrong password!") is None


def test_two_accounts_cannot_share_an_email_in_different_case():
    UserFactory(email="rose@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="ROSE@example.org", password=PASSWORD)


def test_a_user_needs_an_email():
    with pytest.raises(ValueError, match="email address is required"):
        User.objects.create_user(email="", password=PASSWORD)


def test_create_superuser_is_staff_and_superuser():
    admin = User.objects.create_superuser(email="boss@example.org", password=PASSWORD)
    assert admin.is_staff and admin.is_superuser
    assert admin.is_council_staff and admin.is_commissioner


def test_the_role_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        COUNCIL_STAFF_GROUP,
        COMMISSIONERS_GROUP,
    }


def test_roles_follow_the_groups():
    resident, staff, commissioner = UserFactory(), StaffFactory(), CommissionerFactory()
    assert not resident.is_council_staff and not resident.is_commissioner
    assert staff.is_council_staff and not staff.is_commissioner
    assert commissioner.is_commissioner and not commissioner.is_council_staff


def test_is_staff_without_the_group_is_not_council_staff():
    assert not UserFactory(is_staff=True).is_council_staff


def test_display_name_prefers_the_name_to_be_shown():
    assert UserFactory(first_name="Rose", email="r@example.org").display_name == "Rose"
    # Accounts from before names were asked: never blank, never more than a first word.
    assert UserFactory(first_name="", email="tom.jones@example.org").display_name == "Tom"
