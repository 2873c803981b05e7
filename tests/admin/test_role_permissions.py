"""The role groups' model permissions (services migration 0005): what each role may do at
all. Where council staff may do it is a per-area grant, never given to the group."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

migration = importlib.import_module("services.migrations.0005_role_permissions")
visits_migration = importlib.import_module(
    "matchmaking.migrations.0011_rating_comment_approval_visit_permission"
)
time_away_migration = importlib.import_module("accounts.migrations.0012_time_away")


def codenames(group_name):
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_council_staff_may_vet_and_moderate_but_not_edit_programmes():
    granted = codenames("Council staff")
    assert {
        ("services", "view_need"),
        ("accounts", "change_providerprofile"),
        ("accounts", "change_check"),
        ("accounts", "add_check"),
        ("matchmaking", "add_match"),
        ("matchmaking", "change_concern"),
        ("matchmaking", "change_rating"),
    } <= granted
    assert ("services", "change_programme") not in granted
    # Phone requests stay a per-person grant, and areas are only ever granted per area.
    assert ("services", "add_need") not in granted
    assert ("services", "work_in_area") not in granted
    assert not any(codename.startswith("delete_") for _, codename in granted)


def test_commissioners_may_run_programmes_and_see_no_personal_records():
    granted = codenames("Commissioners")
    assert {("services", "add_programme"), ("services", "change_programme")} <= granted
    assert ("services", "view_need") not in granted
    assert ("accounts", "view_providerprofile") not in granted


def test_the_permission_migration_reverses_and_runs_again():
    before = codenames("Council staff")
    migration.revoke_role_permissions(apps, None)
    visits_migration.revoke_visit_view(apps, None)
    time_away_migration.staff_no_longer_see_dates_away(apps, None)
    assert codenames("Council staff") == set()
    migration.grant_role_permissions(apps, None)
    migration.grant_role_permissions(apps, None)
    # Later migrations' grants (seeing visits, dates away) come back when those run again.
    visits_migration.grant_visit_view(apps, None)
    time_away_migration.staff_see_dates_away(apps, None)
    assert codenames("Council staff") == before
