import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from accounts.constants import ROLE_GROUPS

migration = importlib.import_module("accounts.migrations.0002_groups")

pytestmark = pytest.mark.django_db


def test_migrate_leaves_the_role_groups_in_place():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS)


def test_the_group_migration_reverses_and_runs_again_without_duplicates():
    migration.remove_groups(apps, None)
    assert not Group.objects.filter(name__in=ROLE_GROUPS).exists()

    migration.create_groups(apps, None)
    migration.create_groups(apps, None)
    assert sorted(
        Group.objects.filter(name__in=ROLE_GROUPS).values_list("name", flat=True)
    ) == sorted(ROLE_GROUPS)


def test_the_migration_spells_the_same_names_as_the_code():
    assert set(migration.GROUPS) == set(ROLE_GROUPS)
