"""Council staff record a request taken by phone, through the same rules as the website."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from services.constants import Channel
from services.models import Need
from tests.factories import PostcodeFactory, StaffFactory, UserFactory, category

pytestmark = pytest.mark.django_db

URL = reverse("admin:services_need_phone")
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def staff(client):
    user = StaffFactory()
    user.user_permissions.add(*_need_permissions())
    client.force_login(user)
    return user


def _need_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__in=["add_need", "view_need"])


def form_data(**changes):
    return {
        "what-category": category("meals").pk,
        "what-details": "Hot lunch; cannot cook since a fall",
        "when-schedule": "one_off",
        "when-urgency": "urgent",
        "date-on_date": TOMORROW.isoformat(),
        "date-starts_at": "12:00",
        "date-ends_at": "13:00",
        "where-contact_name": "Edith Brown",
        "where-postcode": "RV1 2AB",
        "where-address": "3 Church Road",
        "where-phone": "0118 496 0001",
        "where-email": "edith@example.org",
        "consent-consent": "given",
        **changes,
    }


def test_staff_record_a_request_and_the_resident_is_told(
    client, staff, django_capture_on_commit_callbacks
):
    PostcodeFactory(code="RV1 2AB")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data())
    need = Need.objects.get()
    assert response.status_code == 302
    assert (need.channel, need.requested_by, need.contact_name) == (
        Channel.PHONE,
        staff,
        "Edith Brown",
    )
    assert "edith@example.org" in [m.to[0] for m in mail.outbox]


def test_bad_input_is_explained_and_nothing_is_saved(client, staff):
    PostcodeFactory(code="RV1 2AB")
    response = client.post(
        URL,
        form_data(
            **{
                "where-postcode": "ZZ1 1ZZ",
                "date-ends_at": "11:00",
                "consent-consent": "best_interest",
            }
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "We do not recognise that postcode" in html
    assert "The end time must be after the start time" in html
    assert "Explain why they cannot agree" in html
    assert not Need.objects.exists()


def test_the_add_button_leads_to_the_phone_form(client, staff):
    assert client.get(reverse("admin:services_need_add")).url == URL


def test_residents_cannot_reach_it(client):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 302
    assert client.post(URL, form_data()).status_code == 302
    assert not Need.objects.exists()


def test_staff_without_the_add_permission_cannot_record(client):
    client.force_login(StaffFactory())
    client.post(URL, form_data())
    assert not Need.objects.exists()
