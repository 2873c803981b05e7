"""Guessing a phone code in parallel, on PostgreSQL, in a pair: without the row lock the
wrong-code count loses updates and more than 10 guesses get through; with it, exactly 9
wrong guesses are answered "not right" and every later one waits."""

import time

import pytest
from django.utils import timezone

from matchmaking import texts
from matchmaking.models import TextNumber
from tests.factories import UserFactory
from tests.matchmaking.test_concurrency import THREADS, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOT_RIGHT = "That code is not right. Check the text message and try again."


@pytest.fixture
def waiting_number():
    user = UserFactory()
    TextNumber.objects.create(
        user=user,
        phone="+447700900123",
        code_hash=texts._code_hash("12345"),
        code_sent_at=timezone.now(),
    )
    return user


@pytest.fixture
def without_the_lock(monkeypatch):
    """Read the row without FOR UPDATE and widen the window between reading and writing."""
    monkeypatch.setattr(TextNumber.objects, "select_for_update", TextNumber.objects.all)
    compare = texts.constant_time_compare

    def slow_compare(a, b):
        time.sleep(0.2)
        return compare(a, b)

    monkeypatch.setattr(texts, "constant_time_compare", slow_compare)


def guess_wrong(user):
    return race(lambda _: texts.phone_code_check(user=user, code="54321"), range(THREADS))


def test_parallel_wrong_codes_get_past_the_limit_without_the_lock(waiting_number, without_the_lock):
    outcomes = guess_wrong(waiting_number)

    assert outcomes.count(NOT_RIGHT) > texts.MAX_WRONG_CODES - 1


def test_parallel_wrong_codes_stop_at_the_limit(waiting_number):
    outcomes = guess_wrong(waiting_number)

    assert outcomes.count(NOT_RIGHT) == texts.MAX_WRONG_CODES - 1
    assert all("too many wrong codes" in o for o in outcomes if o != NOT_RIGHT)
    assert TextNumber.objects.get(user=waiting_number).locked_until is not None
