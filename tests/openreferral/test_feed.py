"""The public Open Referral UK feed: what a directory site harvesting it would see."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from matchmaking.constants import MatchStatus
from matchmaking.openreferral import feed
from tests.factories import AreaFactory, NeedFactory, ProgrammeFactory, UserFactory, category
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

SCHEMAS = Path(feed.__file__).parent / "schemas"
BASE = "/openreferral/v1/"


def _resource(uri):
    """Every $ref is a file name ("taxonomy_term.json"), relative to wherever the schema
    says it lives: look each one up by its name among the vendored files."""
    name = uri.rsplit("/", 1)[-1]
    return Resource.from_contents(json.loads((SCHEMAS / name).read_text()), DRAFT202012)


REGISTRY = Registry(retrieve=_resource)


def validate(instance, schema_name):
    schema = json.loads((SCHEMAS / schema_name).read_text())
    schema.setdefault("$id", f"https://schemas.invalid/{schema_name}")
    validator = Draft202012Validator(
        schema, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert errors == []


def validate_page(body, item_schema):
    validate(body, "page.json")
    for item in body["contents"]:
        validate(item, item_schema)


@pytest.fixture
def wards():
    return [AreaFactory(name="Riverside North"), AreaFactory(name="Old Town")]


@pytest.fixture
def meals_programme(wards):
    return ProgrammeFactory(
        name="Hot meals at home",
        description="A hot meal cooked by a neighbour.",
        categories=[category("meals")],
        areas=wards,
    )


def get(client, path, **params):
    return client.get(BASE + path, params)


def test_services_lists_each_running_programme_with_how_to_ask(client, meals_programme):
    ProgrammeFactory(name="Ended last year", is_active=False, categories=[category("meals")])

    response = get(client, "services")

    assert response.status_code == 200
    body = response.json()
    validate_page(body, "service_list.json")
    assert [service["name"] for service in body["contents"]] == ["Hot meals at home"]
    service = body["contents"][0]
    assert service["url"].endswith("/request-help/")
    assert "Riverside North" in service["eligibility_description"]
    assert service["organization"]["name"] == "Riverside Borough Council"
    assert service["email"] == "kith@riverside.example.org"
    assert body["total_items"] == 1 and body["first_page"] and body["last_page"]


def test_a_service_in_full_names_its_areas_contact_and_kinds_of_help(client, meals_programme):
    service_id = feed.feed_id("service", meals_programme.pk)

    response = get(client, f"services/{service_id}")

    assert response.status_code == 200
    service = response.json()
    validate(service, "service.json")
    assert service["id"] == service_id
    assert sorted(area["name"] for area in service["service_areas"]) == [
        "Old Town",
        "Riverside North",
    ]
    assert service["contacts"][0]["email"] == "kith@riverside.example.org"
    assert [a["taxonomy_term"]["term"] for a in service["attributes"]] == [category("meals").name]


def test_an_unknown_or_malformed_service_id_is_a_404(client, meals_programme):
    assert get(client, "services/5c4d79d7-cc55-470e-9f1f-8cad074e4892").status_code == 404
    assert get(client, "services/not-a-uuid").status_code == 404


def test_taxonomies_vocabularies_and_terms_describe_the_kinds_of_help(client):
    taxonomies = get(client, "taxonomies").json()
    validate_page(taxonomies, "taxonomy.json")
    terms = get(client, "taxonomy_terms").json()
    validate_page(terms, "taxonomy_term.json")
    vocabularies = get(client, "vocabularies").json()
    validate_page(vocabularies, "taxonomy.json")

    assert category("meals").name in [term["term"] for term in terms["contents"]]
    taxonomy_id = taxonomies["contents"][0]["id"]
    assert get(client, f"taxonomies/{taxonomy_id}").json()["name"] == "Kith kinds of help"
    term_id = terms["contents"][0]["id"]
    validate(get(client, f"taxonomy_terms/{term_id}").json(), "taxonomy_term.json")
    assert get(client, "taxonomy_terms/nope").status_code == 404


def test_pages_follow_the_standard(client, wards):
    for number in range(3):
        ProgrammeFactory(name=f"Programme {number}", categories=[category("meals")], areas=wards)

    first = get(client, "services", per_page=2).json()
    second = get(client, "services", per_page=2, page=2).json()
    beyond = get(client, "services", per_page=2, page=3).json()

    assert (first["total_items"], first["total_pages"], first["size"]) == (3, 2, 2)
    assert first["first_page"] and not first["last_page"]
    assert (second["page_number"], second["size"], second["last_page"]) == (2, 1, True)
    assert beyond["empty"] and beyond["contents"] == []


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"per_page": "abc"}, {"per_page": "10000"}, {"page": "-1"}, {"page": "1\x00"}],
)
@pytest.mark.parametrize("path", ["services", "taxonomies", "taxonomy_terms", "vocabularies"])
def test_bad_paging_is_a_400_that_names_the_parameter(client, path, params):
    response = get(client, path, **params)

    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == set(params)
    assert body["detail"]


def test_anyone_may_read_it_from_any_origin_without_signing_in(client, meals_programme):
    for path in ["", "services", "taxonomies", "taxonomy_terms", "vocabularies"]:
        response = get(client, path)
        assert response.status_code == 200, path
        assert response["Access-Control-Allow-Origin"] == "*"


def test_the_root_says_which_standard_it_follows(client):
    body = get(client, "").json()

    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("openapi.json")


def test_no_personal_data_ever_appears_in_the_feed(client, meals_programme, wards):
    resident = UserFactory(
        first_name="Zebedee", last_name="Quillfeather", email="zebedee.q@example.org"
    )
    need = NeedFactory(
        requested_by=resident,
        area=wards[0],
        contact_name="Zebedee Quillfeather",
        address="17 Marmalade Crescent",
        phone="07700 900123",
        details="Help with Xylophone lessons",
    )
    provider = eligible_cook(need, bio="Ottoline Wrenfeather cooks curry")
    provider.user.first_name = "Ottoline"
    provider.user.email = "ottoline.w@example.org"
    provider.user.save()
    make_match(need, provider, MatchStatus.ACTIVE)
    service_id = feed.feed_id("service", meals_programme.pk)
    term_id = feed.feed_id("taxonomy_term", "meals")
    taxonomy_id = feed.taxonomy()["id"]

    paths = [
        "",
        "services",
        f"services/{service_id}",
        "taxonomies",
        f"taxonomies/{taxonomy_id}",
        "taxonomy_terms",
        f"taxonomy_terms/{term_id}",
        "vocabularies",
    ]
    everything = " ".join(get(client, path).content.decode() for path in paths)

    for secret in [
        "Zebedee",
        "Quillfeather",
        "zebedee.q@example.org",
        "Marmalade",
        "07700",
        "900123",
        "Xylophone",
        need.reference,
        need.postcode,
        "Ottoline",
        "Wrenfeather",
        "ottoline.w@example.org",
        provider.home_postcode,
    ]:
        assert secret not in everything


def test_listing_services_takes_a_fixed_number_of_queries(
    client, wards, django_assert_max_num_queries
):
    for number in range(10):
        ProgrammeFactory(name=f"Programme {number}", categories=[category("meals")], areas=wards)

    # programmes, their areas, their categories
    with django_assert_max_num_queries(3):
        response = get(client, "services")
    assert response.json()["total_items"] == 10
