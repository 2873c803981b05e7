import importlib

import pytest

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits live in the cache; one test's failed logins must not leak into another.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def reference_data(request):
    """Put back what the data migrations seeded: transactional tests flush every table.

    (serialized_rollback cannot do it for the browser tests: Playwright runs the test in a
    greenlet, which has its own Django connection object without the serialized snapshot.)
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    seeds = [
        ("accounts.migrations.0002_groups", "create_groups"),
        ("services.migrations.0002_categories", "seed"),
        ("services.migrations.0005_role_permissions", "grant_role_permissions"),
        ("accounts.migrations.0006_safeguarding_leads", "create_group"),
    ]
    for module, function in seeds:
        getattr(importlib.import_module(module), function)(apps, None)
    yield
    # The flush after this test re-creates content types and permissions with new ids;
    # a cached old id would make later permission lookups quietly wrong.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def pytest_runtest_setup(item):
    if "postgres" in item.keywords:
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: row locks are a no-op on SQLite")
