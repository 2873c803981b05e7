"""`manage.py check --deploy` refuses production settings that only work on one machine.

(matchmaking/checks.py.) A per-process cache multiplies the sign-in rate limits by the
number of workers; the inline task backend loses email while the mail server is down.
"""

import pytest
from django.core.checks import ERROR, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
}


def kith_errors(*, deploy=True):
    return {
        message.id: message
        for message in run_checks(include_deployment_checks=deploy)
        if message.id.startswith("kith.") and message.level >= ERROR
    }


@pytest.fixture
def production(settings):
    """DEBUG off, with the shared cache and the database task backend CI deploys with."""
    settings.DEBUG = False
    settings.CACHES = REDIS_CACHE
    settings.TASKS = DATABASE_TASKS
    return settings


def test_production_settings_pass(production):
    assert kith_errors() == {}


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ],
)
def test_a_per_process_cache_is_an_error_under_deploy(production, backend, tmp_path):
    production.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}

    error = kith_errors()["kith.E001"]
    assert backend in error.msg and "rate limits" in error.msg
    assert "CACHE_URL" in error.hint and "kith[redis]" in error.hint
    assert "createcachetable" in error.hint
    with pytest.raises(SystemCheckError, match=r"kith\.E001"):
        call_command("check", deploy=True)


def test_the_database_cache_is_shared(production):
    production.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kith_cache",
        }
    }
    assert kith_errors() == {}


@pytest.mark.parametrize(
    "backend",
    [
        "django_tasks.backends.immediate.ImmediateBackend",
        "django_tasks.backends.dummy.DummyBackend",
    ],
)
def test_a_task_backend_that_cannot_run_later_is_an_error_under_deploy(production, backend):
    production.TASKS = {"default": {"BACKEND": backend}}

    error = kith_errors()["kith.E002"]
    assert backend in error.msg and "email" in error.msg
    assert "TASKS_BACKEND=django_tasks_db.DatabaseBackend" in error.hint
    assert "db_worker" in error.hint
    with pytest.raises(SystemCheckError, match=r"kith\.E002"):
        call_command("check", deploy=True)


def test_with_debug_on_the_development_defaults_pass(production):
    # The demo and runserver: per-process cache and inline tasks on purpose.
    production.DEBUG = True
    production.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    production.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert kith_errors() == {}


def test_the_deploy_checks_wait_for_deploy(production):
    production.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert "kith.E002" in kith_errors(deploy=True)
    assert kith_errors(deploy=False) == {}


def test_a_redis_cache_without_the_client_is_an_error_even_without_deploy(production, monkeypatch):
    monkeypatch.setattr("matchmaking.checks.find_spec", lambda name: None)
    error = kith_errors(deploy=False)["kith.E003"]
    assert "kith[redis]" in error.hint


def test_the_redis_extra_is_installed():
    # `make install` installs the redis extra from the lock file: CACHE_URL=redis:// works.
    assert "kith.E003" not in kith_errors(deploy=False)
    import redis  # noqa: F401
