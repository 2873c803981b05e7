"""People's own details: names at sign-up and at the next sign-in, one display name that is
never blank, and "Your details" (names, a UK phone number, how to be contacted)."""

import datetime
import importlib

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.constants import ContactMethod
from accounts.models import User
from matchmaking import calendars, reminders
from matchmaking.constants import MatchStatus
from matchmaking.models import Notification, Visit
from tests.factories import PASSWORD, NeedFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

YOUR_DETAILS = "matchmaking:your_details"
PASSPHRASE = "a long and memorable passphrase"


def sign_up(client, **names):
    return client.post(
        reverse("account_signup"),
        {
            "email": "new.helper@example.org",
            "password1": PASSPHRASE,
            "password2": PASSPHRASE,
            **names,
        },
    )


# --- Sign-up --------------------------------------------------------------------------------


def test_sign_up_asks_for_a_full_name_and_what_to_call_you(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert "Full name" in html and "What should we call you?" in html


def test_sign_up_records_both_names(client):
    sign_up(client, full_name="  Priya   Ramaswamy ", known_as="Priya")
    user = User.objects.get(email="new.helper@example.org")
    assert (user.full_name, user.first_name, user.display_name) == (
        "Priya Ramaswamy",
        "Priya",
        "Priya",
    )


def test_sign_up_without_names_is_refused_clearly_and_creates_no_account(client):
    response = sign_up(client, full_name="", known_as="   ")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter your full name" in html and "Enter what we should call you" in html
    assert not User.objects.filter(email="new.helper@example.org").exists()


# --- Accounts from before names were asked ----------------------------------------------------


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_an_account_without_a_name_is_asked_at_the_next_sign_in(client):
    nameless = UserFactory(first_name="", last_name="", full_name="")
    response = sign_in(client, nameless)
    assert response.status_code == 302
    assert response.url.startswith(reverse("matchmaking:name_ask"))

    page = client.get(response.url).content.decode()
    assert "What should we call you?" in page
    answered = client.post(
        response.url, {"full_name": "Tomasz Nowak", "known_as": "Tom", "next": "/"}
    )
    assert answered.status_code == 302 and answered.url == "/"
    nameless.refresh_from_db()
    assert (nameless.full_name, nameless.display_name) == ("Tomasz Nowak", "Tom")


def test_an_account_with_a_name_goes_straight_on(client):
    named = UserFactory(first_name="Rose", full_name="Rose Turner")
    response = sign_in(client, named)
    assert response.status_code == 302
    assert not response.url.startswith(reverse("matchmaking:name_ask"))


def test_the_name_question_never_sends_you_to_another_site(client):
    nameless = UserFactory(first_name="", last_name="")
    client.force_login(nameless)
    response = client.post(
        reverse("matchmaking:name_ask"),
        {"full_name": "Tomasz Nowak", "known_as": "Tom", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.url == "/"


def test_the_name_question_refuses_blanks_and_changes_nothing(client):
    nameless = UserFactory(first_name="", last_name="")
    client.force_login(nameless)
    response = client.post(reverse("matchmaking:name_ask"), {"full_name": " ", "known_as": ""})
    assert response.status_code == 200
    assert "Enter your full name" in response.content.decode()
    nameless.refresh_from_db()
    assert nameless.full_name == "" and nameless.first_name == ""


# --- Never a blank --------------------------------------------------------------------------


@pytest.fixture
def nameless_match():
    need = NeedFactory()
    provider = eligible_cook(
        need, user=UserFactory(first_name="", last_name="", email="carlos.mendes@example.org")
    )
    return make_match(need, provider, MatchStatus.ACCEPTED)


def test_a_provider_without_a_name_is_never_a_blank_on_the_residents_page(client, nameless_match):
    client.force_login(nameless_match.need.requested_by)
    html = client.get(reverse("matchmaking:need_match", args=[nameless_match.pk])).content.decode()
    assert "Carlos can help" in html
    assert "Yes, Carlos can help" in html
    # Only a first word: the rest of the address stays private.
    assert "mendes" not in html.lower()


def test_a_provider_without_a_name_is_never_a_blank_in_the_api(nameless_match):
    api = APIClient()
    api.force_authenticate(nameless_match.need.requested_by)
    body = api.get(f"/api/v1/matches/{nameless_match.pk}/").json()
    assert body["provider"]["first_name"] == "Carlos"


def test_the_name_shown_is_what_the_person_asked_to_be_called():
    user = UserFactory(first_name="Bob", full_name="Robert Smith")
    assert user.display_name == "Bob" and user.get_full_name() == "Robert Smith"


# --- Your details ---------------------------------------------------------------------------


def details_form(**changes):
    return {
        "full_name": "Rose Mary Turner",
        "known_as": "Rose",
        "phone": "",
        "contact_method": ContactMethod.EMAIL,
        **changes,
    }


def test_your_details_needs_signing_in(client):
    response = client.get(reverse(YOUR_DETAILS))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_your_details_is_linked_from_the_header(user_client):
    html = user_client.get(reverse("home")).content.decode()
    assert f'href="{reverse(YOUR_DETAILS)}">Your account' in html


def test_everyone_can_correct_their_name_phone_and_contact_method(client):
    user = UserFactory(first_name="Rose", phone="")
    client.force_login(user)
    response = client.post(
        reverse(YOUR_DETAILS),
        details_form(
            full_name="Rosa Turner",
            known_as="Rosa",
            phone="07400 123456",
            contact_method=ContactMethod.TEXT,
        ),
        follow=True,
    )
    html = response.content.decode()
    assert "Your details have been updated" in html
    user.refresh_from_db()
    assert (user.full_name, user.first_name, user.contact_method) == (
        "Rosa Turner",
        "Rosa",
        ContactMethod.TEXT,
    )
    # Stored in E.164, shown in the national format.
    stored = User.objects.filter(pk=user.pk).values_list("phone", flat=True).get()
    assert stored == "+447400123456"
    assert 'value="07400 123456"' in html


def test_a_correction_is_audited_without_keeping_the_old_values(client):
    user = UserFactory(first_name="Rose", full_name="Rose Turner")
    client.force_login(user)
    client.post(reverse(YOUR_DETAILS), details_form(full_name="Rosa Turner"))
    entry = LogEntry.objects.get(object_pk=str(user.pk), content_type__model="user")
    assert entry.actor == user
    assert "full_name" in entry.changes_dict and "Rose Turner" not in str(entry.changes)


@pytest.mark.parametrize(
    "phone",
    ["abc", "<script>alert(1)</script>", "0123", "+1 202 555 0143", "07700 900 1234567"],
)
def test_a_phone_number_that_is_not_a_uk_number_is_a_clear_error(client, phone):
    user = UserFactory(first_name="Rose", full_name="Rose Turner", phone="")
    client.force_login(user)
    response = client.post(reverse(YOUR_DETAILS), details_form(known_as="Rosa", phone=phone))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a UK phone number" in html
    assert "<script>alert(1)</script>" not in html
    user.refresh_from_db()
    # All or nothing: the name was not changed either.
    assert user.first_name == "Rose" and not user.phone


@pytest.mark.parametrize(
    ("phone", "method", "message"),
    [
        ("", ContactMethod.TEXT, "Enter a phone number so we can call or text you"),
        ("", ContactMethod.PHONE, "Enter a phone number so we can call or text you"),
        ("020 7946 0018", ContactMethod.TEXT, "Enter a mobile number so we can text you"),
        ("07400 123456", "pigeon", "Select a valid choice"),
    ],
)
def test_a_contact_method_needs_a_number_that_can_take_it(client, phone, method, message):
    user = UserFactory(first_name="Rose")
    client.force_login(user)
    response = client.post(reverse(YOUR_DETAILS), details_form(phone=phone, contact_method=method))
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.contact_method == ContactMethod.EMAIL


def test_names_cannot_be_emptied(client):
    user = UserFactory(first_name="Rose", full_name="Rose Turner")
    client.force_login(user)
    response = client.post(reverse(YOUR_DETAILS), details_form(full_name=" ", known_as=""))
    assert "Enter your full name" in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Rose Turner"


# --- Existing phone numbers -----------------------------------------------------------------


def test_existing_phone_numbers_are_normalised_where_they_parse():
    fill = importlib.import_module("accounts.migrations.0008_names_and_phones_filled").fill
    landline = UserFactory(first_name="Ann", last_name="Lee")
    typo = UserFactory(first_name="Bea", last_name="")
    with connection.cursor() as cursor:
        # Written as typed before validation existed (bypassing the field's own conversion).
        cursor.execute(
            "UPDATE accounts_user SET phone = %s WHERE id = %s", ["020 7946 0018", landline.pk]
        )
        cursor.execute(
            "UPDATE accounts_user SET phone = %s WHERE id = %s", ["call after 6", typo.pk]
        )
        cursor.execute("UPDATE accounts_user SET full_name = ''")

    fill(apps, None)

    stored = dict(User.objects.values_list("pk", "phone"))
    assert stored[landline.pk] == "+442079460018"
    # Left for the person to correct on "Your details".
    assert stored[typo.pk] == "call after 6"
    landline.refresh_from_db()
    assert landline.full_name == "Ann Lee"


def test_reminders_and_the_calendar_feed_name_a_nameless_provider(nameless_match):
    start = timezone.now() + datetime.timedelta(hours=20)
    nameless_match.status = MatchStatus.ACTIVE
    nameless_match.save()
    visit = Visit.objects.create(
        match=nameless_match, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    reminders.reminders_send(now=timezone.now())
    resident = nameless_match.need.requested_by
    told = Notification.objects.filter(user=resident).values_list("message", flat=True)
    assert any("with Carlos on" in message for message in told)
    feed = calendars.calendar_ics(resident)
    assert "Carlos" in (feed.decode() if isinstance(feed, bytes) else str(feed))
    assert visit.pk


def test_a_phone_number_that_did_not_parse_is_pointed_out_for_correcting(client):
    user = UserFactory(first_name="Bea")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET phone = %s WHERE id = %s", ["call after 6", user.pk]
        )
    client.force_login(user)
    html = client.get(reverse(YOUR_DETAILS)).content.decode()
    assert "We cannot read the phone number we have for you" in html
    assert 'value="call after 6"' in html


def test_a_good_phone_number_is_not_questioned(client):
    user = UserFactory(first_name="Bea", phone="020 7946 0018")
    client.force_login(user)
    html = client.get(reverse(YOUR_DETAILS)).content.decode()
    assert "We cannot read the phone number" not in html
    assert 'value="020 7946 0018"' in html
