import importlib
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import clear_url_caches
from pytest_django.asserts import assertContains

import matchmaking.urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["web", "--requests", "0"], "must be 1 or more, not 0"),
        (["web", "--concurrency", "many"], "'many' is not a whole number"),
    ],
)
def test_bad_arguments_are_a_command_error(arguments, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("bench", *arguments)


def reload_urls():
    importlib.reload(matchmaking.urls)
    clear_url_caches()


def test_the_baseline_pages_exist_only_for_the_benchmark(client):
    resident = UserFactory()
    assert client.get("/bench/bare/").status_code == 404
    try:
        with override_settings(BENCH_VIEWS=True):
            reload_urls()
            response = client.get("/bench/bare/")
            assert response.status_code == 200 and b"Bare template" in response.content
            assert client.get("/bench/signed-in/").status_code == 302  # to sign in
            client.force_login(resident)
            assertContains(client.get("/bench/signed-in/"), "Your requests")  # the layout
    finally:
        reload_urls()
    assert client.get("/bench/bare/").status_code == 404
    assert client.get("/bench/signed-in/").status_code == 404
