"""Property-based tests of the Open Referral feed (schemathesis), as tests/api does for
/api/v1/: generated paths and paging parameters; no answer may be a 5xx, and every
answer must be one documented below, in the standard's shape.

The document is the standard's own API (paths, `page`/`per_page`, the Page envelope)
with the vendored HSDS schemas as its components; the feed has no OpenAPI schema of its
own, so this is where its routes are covered.
"""

import json
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from matchmaking.openreferral.paging import MAX_PAGE, MAX_PER_PAGE
from matchmaking.wsgi import application
from tests.factories import AreaFactory, ProgrammeFactory, category
from tests.openreferral.test_feed import SCHEMAS

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

VENDORED = {path.stem for path in SCHEMAS.glob("*.json")}


def _component(name):
    """A vendored schema with its file references pointing into the document; references
    to schemas the feed never publishes (schedule.json…) accept anything."""
    text = (SCHEMAS / f"{name}.json").read_text()

    def local(match):
        target = match.group(1)
        if target in VENDORED:
            return f'"$ref": "#/components/schemas/{target}"'
        return '"$comment": "not published"'

    schema = json.loads(re.sub(r'"\$ref": "(\w+)\.json"', local, text))
    schema.pop("$id", None)
    return schema


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _paged(item):
    return {
        "allOf": [{"$ref": "#/components/schemas/page"}],
        "properties": {"contents": {"type": "array", "items": ref(item)}},
    }


ERROR = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}


def _operation(schema, *, paged=False, path_id=False):
    parameters = []
    if paged:
        # The standard leaves the range to the publisher; these are the feed's.
        parameters = [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
            }
            for name, maximum in (("page", MAX_PAGE), ("per_page", MAX_PER_PAGE))
        ]
    if path_id:
        parameters.append(
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        )
    responses = {
        status: {"description": description, "content": {"application/json": {"schema": body}}}
        for status, description, body in (
            ("200", "ok", schema),
            ("400", "bad paging", ERROR),
            ("404", "no such record", ERROR),
            ("429", "too many requests", ERROR),
        )
    }
    return {"get": {"parameters": parameters, "responses": responses}}


DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Open Referral UK feed", "version": "3.0"},
    "paths": {
        "/openreferral/v1/services": _operation(_paged("service_list"), paged=True),
        "/openreferral/v1/services/{id}": _operation(ref("service"), path_id=True),
        "/openreferral/v1/taxonomies": _operation(_paged("taxonomy"), paged=True),
        "/openreferral/v1/taxonomies/{id}": _operation(ref("taxonomy"), path_id=True),
        "/openreferral/v1/taxonomy_terms": _operation(_paged("taxonomy_term"), paged=True),
        "/openreferral/v1/taxonomy_terms/{id}": _operation(ref("taxonomy_term"), path_id=True),
        "/openreferral/v1/vocabularies": _operation(_paged("taxonomy"), paged=True),
    },
    "components": {"schemas": {name: _component(name) for name in VENDORED}},
}

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = application


@pytest.fixture
def published(settings):
    """Something to publish; throttling off, requests straight into the WSGI app on the
    test's own connection (see tests/api/test_schemathesis.py)."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    ProgrammeFactory(categories=[category("meals")], areas=[AreaFactory()])
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@settings(
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
def test_the_feed_conforms_to_the_standard(case, published):
    case.call_and_validate()
