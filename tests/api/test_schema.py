"""The OpenAPI schema and its documentation pages, which must work offline."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_is_public_and_in_openapi_3(api):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in [
        "/api/v1/categories/",
        "/api/v1/areas/",
        "/api/v1/needs/",
        "/api/v1/needs/{reference}/withdraw/",
        "/api/v1/provider/me/",
        "/api/v1/offers/{id}/withdraw/",
        "/api/v1/matches/{id}/accept/",
        "/api/v1/matches/{id}/ask-for-someone-else/",
        "/api/v1/notifications/read-all/",
        "/api/v1/ratings/{id}/",
        "/api/v1/concerns/",
        "/api/v1/staff/needs/",
        "/api/v1/programmes/{id}/outcomes/",
        "/api/v1/public/programmes/{id}/summary/",
    ]:
        assert path in paths
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    # Write bodies say they refuse unknown fields, as the serializers do.
    assert schema["components"]["schemas"]["NeedCreateRequest"]["additionalProperties"] is False
    assert "413" in schema["paths"]["/api/v1/needs/"]["post"]["responses"]
    # Open data needs no sign-in; a programme's outcomes in detail are for staff.
    assert schema["paths"]["/api/v1/public/programmes/{id}/summary/"]["get"].get("security") in (
        None,
        [],
        [{}],
    )
    outcomes = schema["paths"]["/api/v1/programmes/{id}/outcomes/"]["get"]
    assert {"tokenAuth": []} in outcomes["security"]
    assert {p["name"] for p in outcomes["parameters"]} == {"id", "start", "end", "follow_up"}


def test_the_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text().startswith("openapi: 3")


def test_the_documentation_page_loads_nothing_from_other_sites(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert urls, html
    off_site = [url for url in urls if url.startswith(("http:", "https:", "//"))]
    assert off_site == []
    # The site's CSP allows no inline script or style: everything is a file or a URL of ours.
    assert "<style" not in html and not re.search(r"<script>\s*\S", html)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        if "script=" in url:
            assert asset["Content-Type"].startswith("application/javascript")
            script = body.decode()
            assert '"validatorUrl": null' in script  # no badge from validator.swagger.io
            assert "/api/v1/schema/" in script
            assert not re.findall(r"https?://", script)


def _query_parameters(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path"):
                    yield method, path, parameter


def test_every_text_parameter_says_which_text_it_takes(api):
    """A parameter declared as any string invites a NUL character or spaces alone, which
    the API must refuse (PostgreSQL cannot compare a NUL): each one states an enum, a
    format or a pattern instead."""
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    loose = [
        f"{method.upper()} {path} {parameter['name']}"
        for method, path, parameter in _query_parameters(schema)
        if parameter["schema"].get("type") == "string"
        and not {"enum", "format", "pattern"} & set(parameter["schema"])
    ]
    assert loose == []


# What a hostile or careless client may send: NUL characters, spaces alone, control
# characters, text that is no identifier. Whatever of it the schema allows must be answered.
HOSTILE_VALUES = [
    "2024-02-30",
    "2024-01-01",
    "\x00",
    "a\x00",
    " ",
    "\x1f",
    "\x85",
    "\ufeff",
    "ÿ",
    "Riverside",
    "x" * 200,
]


def test_whatever_the_schema_allows_in_a_query_is_answered(as_user, staff, need):
    """The defect schemathesis found on a fresh clone: `area` was a free string, so
    `?area=%00` was schema-valid, and the answer a 400. Every list, every text parameter:
    a value is either refused by the schema or answered (2xx, or 404 past the last page)."""
    from jsonschema import Draft202012Validator

    schema = as_user(None).get("/api/v1/schema/", {"format": "json"}).json()
    client = as_user(staff)
    refused = []
    checked = 0
    for method, path, parameter in _query_parameters(schema):
        if method != "get" or parameter["in"] != "query" or "{" in path:
            continue
        if parameter["schema"].get("type") != "string" or "enum" in parameter["schema"]:
            continue
        validator = Draft202012Validator(
            parameter["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for value in HOSTILE_VALUES:
            if not validator.is_valid(value):
                continue
            checked += 1
            response = client.get(path, {parameter["name"]: value})
            if response.status_code >= 400 and response.status_code != 404:
                refused.append((path, parameter["name"], value, response.status_code))
    assert checked > 20  # the free-text ones (dates, codes, slugs, names) were tried
    assert refused == []


def test_a_query_value_the_schema_refuses_is_a_400_naming_the_parameter(as_user, staff):
    client = as_user(staff)
    response = client.get("/api/v1/staff/matches/", {"area": "E05 0001"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "area": ["Give a ward code: letters, digits, hyphens and underscores."]
    }
    response = client.get("/api/v1/areas/", {"name": "\x00"})
    assert response.status_code == 400


def test_detail_paths_state_the_characters_a_key_may_have(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for path, name in [
        ("/api/v1/needs/{reference}/", "reference"),
        ("/api/v1/staff/needs/{reference}/", "reference"),
        ("/api/v1/categories/{slug}/", "slug"),
        ("/api/v1/areas/{code}/", "code"),
    ]:
        (parameter,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        assert re.fullmatch(parameter["schema"]["pattern"].strip("^$"), "KTH-7QX4PD")
        assert not re.search(parameter["schema"]["pattern"], "KTH\x00")


def test_the_deploy_check_generates_the_schema_without_warnings():
    # What `check --deploy` runs in CI: the whole site's URLs, the public feeds included.
    from drf_spectacular.checks import schema_check
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    assert schema_check(None) == []
