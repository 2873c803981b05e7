"""A retried POST with the same Idempotency-Key gets the first answer and makes no second row."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from accounts.models import ProviderProfile
from matchmaking import idempotency
from matchmaking.constants import MatchStatus
from matchmaking.models import Concern, IdempotencyKey, Rating
from services import needs as need_services
from services.models import Need, Offer
from tests.api.conftest import token_client
from tests.api.test_needs import one_off
from tests.api.test_provider import application
from tests.api.test_provider import offer as offer_body
from tests.factories import ProgrammeFactory, UserFactory, category
from tests.matching import make_match
from tests.provider_factories import ProviderProfileFactory

pytestmark = pytest.mark.django_db

NEEDS = "/api/v1/needs/"
KEY = "7d4c1f0e-2b7a-4f7e-9a51-3c1f6a0d9e21"


def post(client, url, body, key=KEY):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(url, body, format="json", **headers)


@pytest.fixture
def asking(resident, postcode, area):
    """A resident who can ask for help (a programme serves their postcode)."""
    ProgrammeFactory(categories=[category("meals")], areas=[area])
    return token_client(resident)


# Each creating endpoint: (who posts, url, body, the rows it creates).
def _need(resident, postcode, need, provider):
    return token_client(resident), NEEDS, one_off(), Need.objects.filter(requested_by=resident)


def _offer(resident, postcode, need, provider):
    cook = ProviderProfileFactory(active=True, skills=[category("meals")])
    return token_client(cook.user), "/api/v1/offers/", offer_body(), Offer.objects.all()


def _rating(resident, postcode, need, provider):
    match = make_match(need, provider, MatchStatus.COMPLETED, ended_at=timezone.now())
    body = {"match": match.pk, "score": 5, "comment": "Lovely curry"}
    return token_client(need.requested_by), "/api/v1/ratings/", body, Rating.objects.all()


def _concern(resident, postcode, need, provider):
    match = make_match(need, provider, MatchStatus.ACTIVE)
    body = {"match": match.pk, "kind": "conduct", "description": "Did not turn up"}
    return token_client(provider.user), "/api/v1/concerns/", body, Concern.objects.all()


def _application(resident, postcode, need, provider):
    applicant = UserFactory()
    rows = ProviderProfile.objects.filter(user=applicant)
    return token_client(applicant), "/api/v1/provider/me/", application(), rows


@pytest.mark.parametrize(
    "endpoint",
    [_need, _offer, _rating, _concern, _application],
    ids=["needs", "offers", "ratings", "concerns", "provider-me"],
)
def test_a_retry_with_the_same_key_replays_the_first_answer_and_creates_nothing(
    endpoint, resident, postcode, need, provider
):
    client, url, body, rows = endpoint(resident, postcode, need, provider)
    before = rows.count()

    first = post(client, url, body)
    retry = post(client, url, body)

    assert first.status_code == 201, first.json()
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert rows.count() == before + 1


def test_without_a_key_a_retry_creates_a_second_need(asking):
    # The behaviour the header exists for: a client that sends no key gets no protection.
    post(asking, NEEDS, one_off(), key=None)
    post(asking, NEEDS, one_off(), key=None)
    assert Need.objects.count() == 2


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(asking):
    assert post(asking, NEEDS, one_off()).status_code == 201
    response = post(asking, NEEDS, one_off(details="Soup, please"))
    assert response.status_code == 422
    assert response.json() == {
        "detail": "This Idempotency-Key was already used for a different request. "
        "Use a new key for a new request."
    }
    assert Need.objects.count() == 1


def test_the_body_is_compared_by_content_not_by_spelling(asking):
    body = one_off()
    assert post(asking, NEEDS, body).status_code == 201
    reordered = dict(reversed(list(body.items())))
    assert post(asking, NEEDS, reordered).status_code == 201
    assert Need.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_refused(asking, resident, need, provider):
    assert post(asking, NEEDS, one_off()).status_code == 201
    match = make_match(need, provider, MatchStatus.ACTIVE)
    body = {"match": match.pk, "kind": "conduct", "description": "Did not turn up"}
    response = post(asking, "/api/v1/concerns/", body)
    assert response.status_code == 422
    assert not Concern.objects.exists()


def test_keys_belong_to_one_user(asking, other_resident):
    first = post(asking, NEEDS, one_off())
    theirs = post(token_client(other_resident), NEEDS, one_off())
    assert first.status_code == theirs.status_code == 201
    assert theirs.json()["reference"] != first.json()["reference"]
    assert Need.objects.filter(requested_by=other_resident).count() == 1


def test_a_retry_while_the_first_request_is_still_running_is_told_to_wait(asking, monkeypatch):
    retries = []
    submit = need_services.need_submit

    def submit_and_retry_meanwhile(**kwargs):
        retries.append(post(asking, NEEDS, one_off()))
        return submit(**kwargs)

    monkeypatch.setattr("matchmaking.api.views.needs.need_submit", submit_and_retry_meanwhile)
    first = post(asking, NEEDS, one_off())

    assert first.status_code == 201
    [retry] = retries
    assert retry.status_code == 409 and retry["Retry-After"] == "5"
    assert "still running" in retry.json()["detail"]
    assert Need.objects.count() == 1
    # Once the first has finished, the retry gets its answer.
    assert post(asking, NEEDS, one_off()).json() == first.json()


def test_a_request_that_died_mid_way_can_be_retried_after_a_while(asking, resident):
    fingerprint = idempotency.request_fingerprint(one_off())
    IdempotencyKey.objects.create(
        user=resident,
        key=KEY,
        method="POST",
        path=NEEDS,
        fingerprint=fingerprint,
        created_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert post(asking, NEEDS, one_off()).status_code == 409  # it may still be running

    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    assert post(asking, NEEDS, one_off()).status_code == 201
    assert post(asking, NEEDS, one_off())["Idempotent-Replayed"] == "true"
    assert Need.objects.count() == 1


def test_a_refused_request_keeps_nothing_so_its_key_can_be_sent_again(asking):
    refused = post(asking, NEEDS, one_off(postcode="zz9 9zz"))
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(asking, NEEDS, one_off()).status_code == 201


@pytest.mark.parametrize("key", ["", "has space", "ü", "x" * 129])
def test_a_key_that_is_not_visible_ascii_is_a_400(asking, key):
    response = post(asking, NEEDS, one_off(), key=key)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "Idempotency-Key": ["Send from 1 to 128 visible ASCII characters, such as a UUID."]
    }
    assert not Need.objects.exists()


def test_the_schema_documents_the_header_on_every_create(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    with_header = sorted(
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    )
    assert with_header == [
        ("/api/v1/concerns/", "post"),
        ("/api/v1/matches/{id}/messages/", "post"),
        ("/api/v1/needs/", "post"),
        ("/api/v1/offers/", "post"),
        ("/api/v1/provider/me/", "post"),
        ("/api/v1/ratings/", "post"),
    ]
    operation = schema["paths"]["/api/v1/needs/"]["post"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert parameter["in"] == "header" and not parameter.get("required")
    assert parameter["schema"]["pattern"] == "^[!-~]{1,128}$"
    assert {"201", "409", "422"} <= set(operation["responses"])


def test_stored_answers_are_pruned_after_a_day(asking, resident):
    post(asking, NEEDS, one_off())
    post(asking, NEEDS, one_off(details="Soup, please"), key="a-newer-key")
    IdempotencyKey.objects.filter(key=KEY).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )

    call_command("apply_retention")

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["a-newer-key"]


# --- concurrency (PostgreSQL) ------------------------------------------------------------------


THREADS = 10


def storm(client, key):
    """THREADS identical POSTs of one need at once, each in its own thread and connection."""
    barrier = threading.Barrier(THREADS)
    codes = []
    lock = threading.Lock()

    def send():
        try:
            barrier.wait()
            code = post(client, NEEDS, one_off(), key=key).status_code
        finally:
            connections.close_all()
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


@pytest.fixture
def asking_committed(transactional_db, postcode, area, resident):
    ProgrammeFactory(categories=[category("meals")], areas=[area])
    return token_client(resident)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_without_a_key_create_duplicates(asking_committed):
    codes = storm(asking_committed, key=None)
    assert codes.count(201) == THREADS
    assert Need.objects.count() == THREADS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_with_one_key_create_one_need(asking_committed):
    codes = storm(asking_committed, key=KEY)
    # Each retry either waited for nothing (409: the first was still running) or got its
    # answer; the unique key lets exactly one of them create.
    assert set(codes) <= {201, 409} and codes.count(201) >= 1
    assert Need.objects.count() == 1
    assert IdempotencyKey.objects.get().status_code == 201
