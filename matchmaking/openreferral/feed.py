"""The council's help as Open Referral UK records.

Each commissioned programme running today is one service: what help it gives (its
categories, as taxonomy terms), where (its wards, as service areas), who may ask
(eligibility), how to ask (the Request help form) and whom to contact (the council).
Only these council-level facts are read: no need, person, provider or match is ever
queried here, so none can leak into the feed.

Identifiers are UUIDs, as the standard asks, derived from the site's address and the
row's key (uuid5): stable across restarts and deployments, with no column to store them.
"""

import re
import uuid

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from services.models import Area, Category, Programme

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
ONS_GEOGRAPHY_CODE = re.compile(r"[EWSN]\d{8}")


def feed_id(kind, key):
    """The stable UUID of one record: `kind` ("service", "area"…) and its key."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/openreferral/{kind}/{key}"))


def published_programmes():
    """Programmes running today, with their wards and categories (three queries)."""
    today = timezone.localdate()
    return (
        Programme.objects.filter(is_active=True, starts_on__lte=today, ends_on__gte=today)
        .prefetch_related(
            Prefetch("areas", queryset=Area.objects.only("pk", "name", "code")),
            Prefetch("categories", queryset=Category.objects.only("pk", "slug", "name")),
        )
        .only("pk", "name", "description")
        .order_by("name", "pk")
    )


def organization():
    return {
        "id": feed_id("organization", "council"),
        "name": settings.COUNCIL_NAME,
        "description": (
            f"{settings.COUNCIL_NAME} runs {settings.SERVICE_NAME}, which matches residents "
            "who need a hand with vetted local carers, cooks and peer supporters."
        ),
        "email": settings.SUPPORT_EMAIL,
        "website": f"{settings.SITE_URL}/",
    }


def request_help_url():
    return f"{settings.SITE_URL}{reverse('needs:start')}"


def _joined(names):
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def service_summary(programme):
    """The one-to-one fields of a service (the list's shape)."""
    categories = [category.name.lower() for category in programme.categories.all()]
    areas = [area.name for area in programme.areas.all()]
    council = organization()
    return {
        "id": feed_id("service", programme.pk),
        "organization_id": council["id"],
        "name": programme.name,
        "description": programme.description
        or f"Help with {_joined(categories)} from vetted local people.",
        "url": request_help_url(),
        "email": settings.SUPPORT_EMAIL,
        "status": "active",
        "fees": "Free.",
        "eligibility_description": (
            f"Residents living in {_joined(areas)} who need help with {_joined(categories)}, "
            "or someone asking on their behalf with their consent."
        ),
        "application_process": (
            f"Ask through the Request help form at {request_help_url()}. If you cannot use "
            f"the form, email {settings.SUPPORT_EMAIL} and the council will ask for you."
        ),
        "organization": council,
    }


def service_record(programme):
    """A fully nested service: the summary with its areas, contact and categories."""
    record = service_summary(programme)
    service_id = record["id"]
    record["service_areas"] = [
        {
            "id": feed_id("service_area", f"{programme.pk}/{area.pk}"),
            "service_id": service_id,
            "name": area.name,
            "description": f"The {area.name} ward ({area.code}).",
            **_ward_uri(area.code),
        }
        for area in programme.areas.all()
    ]
    record["contacts"] = [
        {
            "id": feed_id("contact", programme.pk),
            "service_id": service_id,
            # The council's team, never a person: the feed holds no personal data.
            "name": settings.COUNCIL_NAME,
            "title": f"{settings.SERVICE_NAME} team",
            "email": settings.SUPPORT_EMAIL,
            "url": request_help_url(),
        }
    ]
    record["attributes"] = [
        {
            "id": feed_id("attribute", f"{programme.pk}/{category.slug}"),
            "link_id": service_id,
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": feed_id("taxonomy_term", category.slug),
            "taxonomy_term": taxonomy_term(category),
        }
        for category in programme.categories.all()
    ]
    return record


def _ward_uri(code):
    """ONS ward codes (E05000001) have a persistent URI; a council's local codes do not."""
    if ONS_GEOGRAPHY_CODE.fullmatch(code):
        return {"uri": f"http://statistics.data.gov.uk/id/statistical-geography/{code}"}
    return {}


def find_service(service_id):
    """The published programme whose feed id is `service_id`, or None."""
    for programme in published_programmes():
        if feed_id("service", programme.pk) == service_id:
            return programme
    return None


def taxonomy(*, with_terms=False):
    record = {
        "id": feed_id("taxonomy", "categories"),
        "name": f"{settings.SERVICE_NAME} kinds of help",
        "description": "The kinds of help residents can ask for and providers can give.",
        "version": "1",
    }
    if with_terms:
        record["taxonomy_terms"] = [taxonomy_term(category) for category in categories()]
    return record


def categories():
    return list(Category.objects.only("pk", "slug", "name", "description"))


def taxonomy_term(category):
    return {
        "id": feed_id("taxonomy_term", category.slug),
        "code": category.slug,
        "term": category.name,
        "name": category.name,
        "description": category.description or category.name,
        "taxonomy": f"{settings.SERVICE_NAME} kinds of help",
        "taxonomy_id": feed_id("taxonomy", "categories"),
    }
