import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a long and memorable passphrase"


def sign_up(client, email="new.person@example.org", password=GOOD_PASSWORD, confirm=None):
    return client.post(
        reverse("account_signup"),
        {
            "full_name": "Rose Mary Turner",
            "known_as": "Rose",
            "email": email,
            "password1": password,
            "password2": confirm or password,
        },
    )


def confirmation_link(message):
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_sign_up_sends_a_verification_email_and_does_not_sign_in(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert mail.outbox[0].subject.startswith("[Riverside Borough Council]")
    assert "_auth_user_id" not in client.session


def test_following_the_link_verifies_the_email_and_signs_in(client):
    sign_up(client)
    link = confirmation_link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm" in page.content
    response = client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.person@example.org").verified
    assert client.session["_auth_user_id"]


def test_unverified_people_cannot_sign_in(client):
    UserFactory(email="pending@example.org", verified=False)
    response = client.post(
        reverse("account_login"), {"login": "pending@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short pass", None, "at least 12 characters"),
        ("password1234", None, "too common"),
        ("123456789012345", None, "entirely numeric"),
        (GOOD_PASSWORD, "something else entirely", "same password each time"),
    ],
)
def test_sign_up_refuses_weak_or_mismatched_passwords(client, password, confirm, message):
    response = sign_up(client, password=password, confirm=confirm)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert mail.outbox == []


def test_sign_up_with_a_registered_email_does_not_reveal_it_and_warns_the_owner(client):
    UserFactory(email="taken@example.org")
    response = sign_up(client, email="TAKEN@example.org")

    # Same answer as a new sign-up, so nobody can probe who has an account.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["taken@example.org"]
    assert "already" in mail.outbox[0].body


def test_sign_up_refuses_a_malformed_email(client):
    response = sign_up(client, email="not-an-email")
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not User.objects.exists()


def test_login_and_logout(client):
    UserFactory(email="rose@example.org")
    response = client.post(
        reverse("account_login"), {"login": "rose@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]

    home = client.get(reverse("home"))
    assert b"Sign out" in home.content

    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
    assert b"Sign in" in client.get(reverse("home")).content


def test_wrong_password_is_a_clear_error(client):
    UserFactory(email="rose@example.org")
    response = client.post(
        reverse("account_login"), {"login": "rose@example.org", "password": "not my password"}
    )
    assert response.status_code == 200
    assert "email address and/or password you specified are not correct" in (
        response.content.decode()
    )


def test_repeated_failed_logins_are_rate_limited(client):
    UserFactory(email="rose@example.org")
    attempt = {"login": "rose@example.org", "password": "not my password"}
    for _ in range(5):
        assert "not correct" in client.post(reverse("account_login"), attempt).content.decode()

    # The sixth failure within five minutes is refused, even with the right password now.
    response = client.post(
        reverse("account_login"), {"login": "rose@example.org", "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    UserFactory(email="rose@example.org")
    client.post(reverse("account_reset_password"), {"email": "rose@example.org"})
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body)
    response = client.get(path.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path.group(1)
    client.post(form_url, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert User.objects.get(email="rose@example.org").check_password(GOOD_PASSWORD)
