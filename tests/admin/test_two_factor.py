"""Staff and commissioners need two-factor authentication before the admin opens."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD, CommissionerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [StaffFactory, CommissionerFactory])
def test_staff_without_two_factor_are_sent_to_set_it_up(client, factory):
    client.force_login(factory(two_factor=False))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    assert "Set up two-factor authentication" in response.content.decode()


def test_staff_with_two_factor_reach_the_admin(client):
    client.force_login(StaffFactory())
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_page_is_the_sites_sign_in(client):
    response = client.get(reverse("admin:login") + "?next=/admin/services/need/")
    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=%2Fadmin%2Fservices%2Fneed%2F"


def test_signing_in_as_staff_asks_for_the_second_factor(client):
    staff = StaffFactory(email="officer@example.org")
    assert Authenticator.objects.filter(user=staff, type="totp").exists()
    response = client.post(
        reverse("account_login"), {"login": "officer@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in until the code is given


def test_everyone_may_set_up_two_factor(client):
    UserFactory(email="rose@example.org")
    client.post(reverse("account_login"), {"login": "rose@example.org", "password": PASSWORD})
    # Setting up a second factor asks for the password again first.
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    client.post(page.redirect_chain[-1][0], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200 and "govuk-header" in page.content.decode()
