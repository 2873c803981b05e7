"""System checks for settings that work on one developer's machine and fail in production.

Registered in MatchmakingConfig.ready(). The deploy checks run with `manage.py check
--deploy` (CI runs it with production values) and pass while DEBUG is on: the demo and
a developer's runserver use the per-process defaults on purpose.
"""

from importlib.util import find_spec

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

# Django's caches that each worker process keeps to itself (or that keep nothing).
# Sign-in rate limits live in the cache: with four gunicorn workers each counting on its
# own, "5 failed sign-ins per 5 minutes" lets about 20 through.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "is kept in each process's memory",
    "django.core.cache.backends.dummy.DummyCache": "keeps nothing",
    "django.core.cache.backends.filebased.FileBasedCache": "is kept in files on one machine",
}
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"

# Task backends that run a task in the request that queued it (or never run it): they
# cannot run a task later, so an email is lost whenever the mail server is unavailable.
INLINE_TASK_BACKENDS = {
    "django_tasks.backends.immediate.ImmediateBackend": "runs each task inside the request",
    "django_tasks.backends.dummy.DummyBackend": "never runs a task",
}

SHARED_CACHE_HINT = (
    "Set CACHE_URL to a cache every worker shares: redis://127.0.0.1:6379/0 (install "
    "the redis extra: pip install 'kith[redis]') or dbcache://kith_cache (then run "
    "`manage.py createcachetable`)."
)


@register(Tags.caches, Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache {backend} {PER_PROCESS_CACHES[backend]}: the workers do "
            "not share one count of failed sign-ins, so the rate limits let through "
            "several times as many guesses as they say.",
            hint=SHARED_CACHE_HINT,
            id="kith.E001",
        )
    ]


@register(deploy=True)
def check_task_backend(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend not in INLINE_TASK_BACKENDS:
        return []
    return [
        Error(
            f"The tasks backend {backend} {INLINE_TASK_BACKENDS[backend]} and cannot run "
            "one later: an email that fails while the mail server is unavailable is lost, "
            "never retried.",
            hint=(
                "Set TASKS_BACKEND=django_tasks_db.DatabaseBackend and run "
                "`manage.py db_worker` beside the web server."
            ),
            id="kith.E002",
        )
    ]


@register(Tags.caches)
def check_redis_client(app_configs, **kwargs):
    """Not only under --deploy: without the client every request that uses the cache fails."""
    uses_redis = any(cache.get("BACKEND") == REDIS_CACHE for cache in settings.CACHES.values())
    if not uses_redis or find_spec("redis") is not None:
        return []
    return [
        Error(
            "A cache uses Redis but the redis client package is not installed: every "
            "request that touches the cache would fail.",
            hint="Install the redis extra: pip install 'kith[redis]' (make install does).",
            id="kith.E003",
        )
    ]


def refuse_to_serve_without_a_secret_key():
    """Called by wsgi.py and asgi.py: a server without SECRET_KEY stops at start-up, with a
    message that says what to set, instead of failing on every request."""
    try:
        settings.SECRET_KEY  # noqa: B018  (Django refuses an empty one when it is read)
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (or DEBUG=true for local development)."
        ) from error
