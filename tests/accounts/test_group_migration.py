import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.constants import ROLE_GROUPS


@pytest.mark.django_db(transaction=True)
def test_group_migration_creates_and_removes_the_role_groups():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("accounts", "0001_initial")])
        apps = executor.loader.project_state([("accounts", "0001_initial")]).apps
        assert not apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).exists()

        executor.loader.build_graph()
        executor.migrate([("accounts", "0002_groups")])
        apps = executor.loader.project_state([("accounts", "0002_groups")]).apps
        names = set(apps.get_model("auth", "Group").objects.values_list("name", flat=True))
        assert names >= set(ROLE_GROUPS)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
