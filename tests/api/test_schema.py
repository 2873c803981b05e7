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
    ]:
        assert path in paths
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    # Write bodies say they refuse unknown fields, as the serializers do.
    assert schema["components"]["schemas"]["NeedCreateRequest"]["additionalProperties"] is False
    assert "413" in schema["paths"]["/api/v1/needs/"]["post"]["responses"]


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
