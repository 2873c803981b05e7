"""Every URL, every role: nobody gets a 200 they should not.

The URL list is read from the URLconf, so a new page is covered the day it is added; a
new page that should be public must be added to PUBLIC on purpose.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.constants import DocumentKind
from accounts.documents import document_upload
from matchmaking.constants import MatchStatus
from matchmaking.models import Concern, Conversation, Message, Notification, Rating, Visit
from matchmaking.scoping import grant_area
from tests.accounts.document_files import png_bytes
from tests.factories import AreaFactory, NeedFactory, StaffFactory, UserFactory, category
from tests.matching import eligible_cook, make_match
from tests.provider_factories import OfferFactory

pytestmark = pytest.mark.django_db

# Open to anyone (name, or a prefix of the path for URLconfs without names).
PUBLIC = {
    "home",
    "accessibility",
    "privacy",
    "cookies",
    "signed_out",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_inactive",
    "api:root",
    "api:schema",
    "api:docs",
    "api:category-list",
    "api:category-detail",
    "api:area-list",
    "api:area-detail",
    "api:not-found",
    # The Open Referral UK feed: published on purpose, holds no personal data.
    "openreferral:root",
    "openreferral:service-list",
    "openreferral:service-detail",
    "openreferral:taxonomy-list",
    "openreferral:taxonomy-detail",
    "openreferral:taxonomy-term-list",
    "openreferral:taxonomy-term-detail",
    "openreferral:vocabulary-list",
}
# Each signed-in person's own journey pages (the draft lives in their session).
OWN_PAGES = {"needs:step", "providers:step"}
# Council-wide reference data that any member of staff may read in the admin.
REFERENCE_MODELS = (
    "services/area",
    "services/category",
    "services/postcode",
    "services/programme",
    "matchmaking/allocationrun",
)
# Token-protected links from emails: their own tests cover them.
SKIP = {"account_confirm_email", "account_reset_password_from_key", "account_confirm_login_code"}


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield prefix + str(pattern.pattern), name


def concrete(route, values):
    """Fill a route's parameters with the victim's objects; None if one cannot be filled."""
    path = route.replace("^", "").replace("$", "").replace("\\", "")

    def fill(match):
        name = match.group("name")
        return str(values[name]) if name in values else "\0"

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, path)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, path)
    return None if "\0" in path or "(" in path else "/" + path


@pytest.fixture
def victim(settings, tmp_path):
    """Another person's need, match, offer, rating, concern and notification, in ward A."""
    need = NeedFactory(category=category("meals"))
    provider = eligible_cook(need)
    match = make_match(need, provider, MatchStatus.COMPLETED)
    rating = Rating.objects.create(
        match=match, rater=need.requested_by, rater_role="resident", score=5
    )
    concern = Concern.objects.create(
        raised_by=need.requested_by, match=match, kind="other", description="x"
    )
    offer = OfferFactory(provider=provider)
    notification = Notification.objects.create(user=need.requested_by, message="private")
    # Readable by no role here: staff of another area, even with the concern above open.
    conversation = Conversation.objects.create(match=match, opened_at=match.offered_at)
    message = Message.objects.create(
        conversation=conversation, sender=provider.user, body="private message"
    )
    visit = Visit.objects.create(
        match=match, starts_at=match.offered_at, ends_at=match.offered_at + datetime.timedelta(1)
    )
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    document = document_upload(
        provider=provider,
        kind=DocumentKind.FOOD_HYGIENE,
        uploaded_file=SimpleUploadedFile("c.png", png_bytes(), content_type="image/png"),
        actor=provider.user,
    )
    return {
        "document": document,
        "need": need,
        "provider": provider,
        "match": match,
        "rating": rating,
        "concern": concern,
        "offer": offer,
        "notification": notification,
        "visit": visit,
        "conversation": conversation,
        "message": message,
    }


def values_for(route, victim):
    pk = victim["match"].pk
    for key, obj in (
        ("offers", "offer"),
        ("notifications", "notification"),
        ("visits", "visit"),
        ("ratings", "rating"),
        ("concerns", "concern"),
        ("providers", "provider"),
        ("documents", "document"),
    ):
        if key in route:
            pk = victim[obj].pk
    admin_objects = {
        "services/need": victim["need"].pk,
        "services/offer": victim["offer"].pk,
        "accounts/providerprofile": victim["provider"].pk,
        "accounts/check": victim["provider"].checks.first().pk,
        "matchmaking/match": victim["match"].pk,
        "matchmaking/rating": victim["rating"].pk,
        "matchmaking/concern": victim["concern"].pk,
        "matchmaking/conversation": victim["conversation"].pk,
    }
    for prefix, object_pk in admin_objects.items():
        if route.startswith(f"admin/{prefix}/"):
            pk = object_pk
    if "<int:document_id>" in route:
        pk = victim["document"].check_record_id
    return {
        "reference": victim["need"].reference,
        "pk": pk,
        "object_id": pk,
        "step": "who",
        "slug": "meals",
        "code": victim["need"].area.code,
        "app_label": "services",
        "content_type_id": 1,
        "object_id_": pk,
        "url": "x",
        "token": "A" * 43,  # a calendar feed token that opens nothing
        "message_pk": victim["message"].pk,
        "document_id": victim["document"].pk,
    }


def roles(victim):
    staff_elsewhere = StaffFactory()
    grant_area(staff_elsewhere, AreaFactory())
    other_cook = eligible_cook(victim["need"])
    return {
        "anonymous": None,
        "another resident": UserFactory(),
        "a provider not in the match": other_cook.user,
        "staff of another area": staff_elsewhere,
    }


def test_no_role_gets_a_page_it_should_not(client, victim):
    unexpected, checked = [], {}
    routes = [(r, n) for r, n in walk(get_resolver().url_patterns) if n not in SKIP]
    for role, user in roles(victim).items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for route, name in routes:
            if name in PUBLIC or (user is not None and name in OWN_PAGES):
                continue
            has_object = "<" in route or "(?P<" in route
            staff_only = route.startswith(("admin/", "api/v1/^staff"))
            if user is not None and not has_object and (user.is_staff or not staff_only):
                continue  # their own lists and forms, or area-scoped staff lists
            if user is not None and user.is_staff and any(m in route for m in REFERENCE_MODELS):
                continue  # council-wide reference data
            path = concrete(route, values_for(route, victim))
            if path is None:
                continue
            checked[role] = checked.get(role, 0) + 1
            response = client.get(path)
            if response.status_code == 200:
                unexpected.append(f"{role}: GET {path} ({name or 'unnamed'})")
    assert unexpected == []
    # Each role really tried the other person's things (guards against a vacuous walk).
    assert checked["anonymous"] > 100
    assert all(checked[role] > 30 for role in checked if role != "anonymous"), checked
