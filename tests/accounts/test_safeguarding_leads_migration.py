import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from accounts.constants import SAFEGUARDING_LEADS_GROUP

migration = importlib.import_module("accounts.migrations.0006_safeguarding_leads")

pytestmark = pytest.mark.django_db


def codenames():
    group = Group.objects.get(name=SAFEGUARDING_LEADS_GROUP)
    return set(group.permissions.values_list("codename", flat=True))


def test_migrate_seeds_the_safeguarding_leads_group_with_its_permissions():
    assert codenames() == {
        "view_concern",
        "change_concern",
        "view_match",
        "view_block",
        "view_providerprofile",
    }


def test_the_migration_reverses_and_runs_again_without_duplicates():
    migration.remove_group(apps, None)
    assert not Group.objects.filter(name=SAFEGUARDING_LEADS_GROUP).exists()
    migration.create_group(apps, None)
    migration.create_group(apps, None)
    assert Group.objects.filter(name=SAFEGUARDING_LEADS_GROUP).count() == 1
    assert "change_concern" in codenames()


def test_the_migration_spells_the_same_name_as_the_code():
    assert migration.GROUP == SAFEGUARDING_LEADS_GROUP
