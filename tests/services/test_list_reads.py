"""A person's own lists ("Your requests", "Your offers", the helper dashboard) read their
rows by the foreign keys that say whose they are, fetch only what the page shows, and take a
fixed number of queries."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from services.constants import Schedule
from services.models import Need, NeedSlot, NeedUserObjectPermission
from services.selectors import slots_attach
from tests.factories import NeedFactory, UserFactory
from tests.provider_factories import OfferFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db

PERMISSION_TABLES = ("guardian_", "userobjectpermission", "django_content_type")


def sql_of(captured):
    return [query["sql"] for query in captured.captured_queries]


def reads_no_object_permissions(captured):
    return not any(table in sql for sql in sql_of(captured) for table in PERMISSION_TABLES)


@pytest.fixture
def resident(client):
    user = UserFactory(first_name="Rose")
    client.force_login(user)
    return user


@pytest.fixture
def provider(client):
    profile = ProviderProfileFactory()
    client.force_login(profile.user)
    return profile


def test_your_requests_lists_what_was_asked_by_you_or_for_you(client, resident):
    mine = NeedFactory(requested_by=resident, resident=resident)
    for_me = NeedFactory(resident=resident, channel="family")
    theirs = NeedFactory()
    # Whose a need is comes from its foreign keys, not from a permission row beside it.
    NeedUserObjectPermission.objects.all().delete()

    response = client.get(reverse("needs:list"))

    assertContains(response, mine.reference)
    assertContains(response, for_me.reference)
    assertNotContains(response, theirs.reference)
    assert client.get(reverse("needs:detail", args=[for_me.reference])).status_code == 200
    assert client.get(reverse("needs:detail", args=[theirs.reference])).status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_your_requests_take_five_queries_and_no_permission_lookups(
    client, resident, rows, django_assert_max_num_queries
):
    NeedFactory.create_batch(
        rows, requested_by=resident, schedule="weekly", on_date=None, starts_at=None, ends_at=None
    )
    client.get(reverse("needs:list"))  # the filter form is rendered once, then cached
    ContentType.objects.clear_cache()  # as in a fresh worker process
    # 1 session, 2 user, 3 the page of needs with their category, 4 their weekly slots,
    # 5 the header's facts; 6 a count, only when there is more than one page
    with django_assert_max_num_queries(5 if rows <= 20 else 6) as captured:
        response = client.get(reverse("needs:list"))
    assertContains(response, f"{rows} requests")
    assert reads_no_object_permissions(captured)


def test_your_requests_do_not_read_the_private_columns(
    client, resident, django_assert_max_num_queries
):
    NeedFactory(requested_by=resident, address="14 Willow Close", details="Lunch, please")
    with django_assert_max_num_queries(6) as captured:
        client.get(reverse("needs:list"))
    (need_query,) = [sql for sql in sql_of(captured) if 'FROM "services_need"' in sql]
    for column in ("address", "phone", "details", "best_interest_reason"):
        assert f'"services_need"."{column}"' not in need_query


def test_your_offers_list_only_your_own(client, provider):
    mine = OfferFactory(provider=provider, description="Lentil soup for two")
    OfferFactory(description="Someone else's shepherd's pie")
    response = client.get(reverse("providers:offers"))
    assertContains(response, mine.description)
    assertNotContains(response, "shepherd")


@pytest.mark.parametrize("rows", [3, 30])
def test_your_offers_take_five_queries_and_no_permission_lookups(
    client, provider, rows, django_assert_max_num_queries
):
    OfferFactory.create_batch(rows, provider=provider)
    client.get(reverse("providers:offers"))
    ContentType.objects.clear_cache()
    # 1 session, 2 user, 3 provider profile, 4 the page of offers with their category,
    # 5 the header's facts; 6 a count, only when there is more than one page
    with django_assert_max_num_queries(5 if rows <= 20 else 6) as captured:
        response = client.get(reverse("providers:offers"))
    assertContains(response, f"{rows} offers")
    assert reads_no_object_permissions(captured)


def test_the_helper_dashboard_takes_a_fixed_number_of_queries(
    client, provider, django_assert_max_num_queries
):
    OfferFactory.create_batch(8, provider=provider)
    client.get(reverse("providers:dashboard"))
    ContentType.objects.clear_cache()
    # 1 session, 2 user, 3 provider profile (read once), 4 skills, 5 checks, 6 availability,
    # 7 the coming offers with their category, 8 the header's facts
    with django_assert_max_num_queries(8) as captured:
        response = client.get(reverse("providers:dashboard"))
    assertContains(response, "Two extra portions of vegetable curry")
    assert reads_no_object_permissions(captured)


def test_slots_attach_gives_each_need_its_weekly_slots_in_one_query(django_assert_num_queries):
    weekly, other, none = NeedFactory.create_batch(3, schedule=Schedule.WEEKLY)
    for need, weekday, hour in ((weekly, 3, 9), (weekly, 1, 14), (other, 5, 10)):
        NeedSlot.objects.create(
            need=need,
            weekday=weekday,
            starts_at=datetime.time(hour),
            ends_at=datetime.time(hour + 2),
        )
    needs = list(Need.objects.filter(pk__in=[weekly.pk, other.pk, none.pk]).order_by("pk"))
    with django_assert_num_queries(1):
        slots_attach(needs)
    with django_assert_num_queries(0):
        seen = {
            need.pk: [(slot.weekday, slot.starts_at.hour) for slot in need.slots.all()]
            for need in needs
        }
        labels = [str(slot) for slot in needs[0].slots.all()]
    # Weekday then time, as prefetch_related("slots") would give them.
    assert seen == {weekly.pk: [(1, 14), (3, 9)], other.pk: [(5, 10)], none.pk: []}
    assert labels == ["Tuesday 14:00–16:00", "Thursday 09:00–11:00"]
