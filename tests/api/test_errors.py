"""Bad requests get JSON answers with a clear message, never a 500: malformed JSON, wrong
content types, non-object bodies, unknown paths, and bodies over the upload limit."""

import pytest

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

NEEDS = "/api/v1/needs/"


@pytest.fixture
def client(resident):
    return token_client(resident)


def test_malformed_json_is_a_400(client):
    response = client.generic("POST", NEEDS, '{"details": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_nan_and_deeply_nested_json_are_refused(client):
    response = client.generic("POST", NEEDS, '{"details": NaN}', content_type="application/json")
    assert response.status_code == 400
    deep = "[" * 100_000 + "]" * 100_000
    response = client.generic("POST", NEEDS, deep, content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_bytes_that_are_not_utf8_are_a_400(client):
    response = client.generic(
        "POST", NEEDS, b'{"details": "\xff"}', content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["[]", '"hello"', "42", "null"])
def test_a_body_that_is_not_an_object_is_a_400(client, body):
    response = client.generic("POST", NEEDS, body, content_type="application/json")
    assert response.status_code == 400
    assert "Expected a dictionary" in response.json()["detail"] or response.json()["errors"]


def test_forms_and_other_content_types_are_a_415(client):
    response = client.post(NEEDS, {"details": "x"}, format="multipart")  # as a browser form
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]
    response = client.generic("POST", NEEDS, "details=x", content_type="text/plain")
    assert response.status_code == 415


def test_a_body_over_the_upload_limit_is_a_413_json_answer(client, settings):
    huge = '{"details": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = client.generic("POST", NEEDS, huge, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large: send at most 2,621,440 bytes."
    }


def test_a_body_longer_than_it_says_is_still_cut_off(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = '{"details": "' + "x" * 200 + '"}'
    response = client.generic(
        "POST", NEEDS, body, content_type="application/json", CONTENT_LENGTH="50"
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"] == "application/json"


def test_a_huge_form_post_with_a_session_is_a_413_not_a_500(resident, settings):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(resident)
    client.get("/accounts/email/")  # a CSRF cookie, so the check goes on to read the form
    huge = "details=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.generic("POST", NEEDS, huge, content_type="application/x-www-form-urlencoded")
    # DRF reads the form for the CSRF check with our JSON-only parsers: refused before reading.
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("exc", "status", "detail"),
    [
        ("too_big", 413, "The request body is too large: send at most 2,621,440 bytes."),
        ("too_many_fields", 400, "The request could not be read."),
        ("transition", 400, "No, not now."),
        ("validation", 400, "Check these fields: postcode."),
        ("not_found", 404, "Not found."),
    ],
)
def test_errors_from_django_and_the_write_functions_become_json(exc, status, detail):
    """Whatever Django raises while reading a request, or a write function refuses with."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
    from django.http import Http404

    from accounts.exceptions import TransitionError
    from matchmaking.api.exceptions import exception_handler

    raised = {
        "too_big": RequestDataTooBig("big"),
        "too_many_fields": TooManyFieldsSent("many"),
        "transition": TransitionError("No, not now."),
        "validation": ValidationError({"postcode": "Not here."}),
        "not_found": Http404("No Need matches the given query."),
    }[exc]
    response = exception_handler(raised, {"view": None, "request": None})
    assert response.status_code == status
    assert response.data["detail"] == detail


def test_unknown_paths_under_the_api_are_json_404s(client, api):
    for method in ("get", "post", "delete"):
        response = getattr(api, method)("/api/v1/nothing/here/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert client.get("/api/v1/needs/a%0Ab/").json() == {"detail": "Not found."}


def test_methods_an_endpoint_does_not_have_are_405(client, need):
    response = client.delete(f"{NEEDS}{need.reference}/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert client.put(f"{NEEDS}{need.reference}/", {}, format="json").status_code == 405
    assert client.options(NEEDS).status_code == 405


def test_the_api_root_says_where_the_docs_are(api):
    body = api.get("/api/v1/").json()
    assert body["schema"].endswith("/api/v1/schema/") and body["docs"].endswith("/api/v1/docs/")


@pytest.mark.parametrize(
    "body",
    [
        '{"details": "a\\u0000b"}',
        '{"skills": ["meals\\u0000"]}',
        '{"bio": "\\udb9c"}',
        '{"a\\u0000": 1}',
    ],
)
def test_text_no_database_can_store_is_a_400(client, body):
    """Found by schemathesis on PostgreSQL: NUL characters and lone surrogates were 500s."""
    response = client.generic("POST", NEEDS, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Text ")


def test_a_nul_in_the_query_is_a_400_and_in_the_path_a_404(client, need):
    assert client.get(NEEDS, {"category": "meals\x00"}).status_code == 400
    assert client.get(NEEDS, {"x\x00": "1"}).status_code == 400
    # Detail URLs take only the characters a reference can have (as the web's do).
    response = client.get(f"{NEEDS}KTH%00/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
