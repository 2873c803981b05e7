"""Rate limits per signed-in user and per anonymous IP address.

DRF's own throttles copy their rates when the module is imported, so a change of
settings never reaches them. These read settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
on every request: deployments set them from the environment, tests override them.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

DURATIONS = ("s", "m", "h", "d")


def configured_rate(scope):
    rates = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_RATES", {})
    return rates.get(scope)


def check_rate(scope, rate):
    """Refuse a rate DRF cannot read ("60/minute", "10/s"); None means no limit."""
    if rate is None:
        return
    number, _, period = str(rate).partition("/")
    if not (number.isdigit() and period[:1] in DURATIONS):
        raise ImproperlyConfigured(
            f"API throttle rate for {scope!r} is {rate!r}: write it like 60/minute or 10/second"
        )


class _RateFromSettings:
    def get_rate(self):
        rate = configured_rate(self.scope)
        check_rate(self.scope, rate)
        return rate


class AnonThrottle(_RateFromSettings, AnonRateThrottle):
    """Anonymous callers, by IP address (scope "anon")."""


class UserThrottle(_RateFromSettings, UserRateThrottle):
    """Signed-in callers by user id, anonymous ones by IP address (scope "user")."""


# Fail at start-up (the URLconf imports this module) rather than on the first request.
for _scope in ("anon", "user"):
    check_rate(_scope, configured_rate(_scope))
