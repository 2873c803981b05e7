import pytest
from django.urls import reverse

from tests.factories import StaffFactory, UserFactory, category

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["home", "accessibility", "privacy", "cookies"])
def test_public_pages_render_in_the_council_shell(client, name):
    response = client.get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Riverside Borough Council" in html
    assert 'href="#main-content"' in html  # skip link
    assert "govuk-footer" in html
    header = html[html.index("<header") : html.index("</header>")]
    assert "GOV.UK" not in header and "crown" not in header  # the council's brand, not GOV.UK's


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_account_pages_use_the_shell_and_label_every_field(client, name):
    html = client.get(reverse(name)).content.decode()
    assert "govuk-header" in html
    assert 'class="govuk-label' in html
    assert "govuk-button" in html


def test_account_management_pages_use_the_shell(client):
    client.force_login(UserFactory())
    html = client.get(reverse("account_change_password")).content.decode()
    assert "govuk-header" in html and "Your account" in html


def test_form_errors_are_summarised_and_linked_to_the_field(client):
    html = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()
    assert "There is a problem" in html
    assert 'href="#id_login"' in html
    assert "govuk-form-group--error" in html


def test_navigation_for_anonymous_visitors(client):
    html = client.get(reverse("home")).content.decode()
    assert "Sign in" in html and "Create an account" in html
    assert "Sign out" not in html and "Council admin" not in html


def test_navigation_for_residents(client):
    client.force_login(UserFactory())
    html = client.get(reverse("home")).content.decode()
    assert "Sign out" in html and "Your account" in html
    assert "Council admin" not in html and "Sign in" not in html


def test_navigation_for_council_staff(client):
    client.force_login(StaffFactory())
    html = client.get(reverse("home")).content.decode()
    assert "Council admin" in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_staff_reach_the_admin_and_residents_do_not(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(StaffFactory())
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_input_with_its_own_width_class_still_shows_its_error(client):
    client.force_login(UserFactory())
    client.post(reverse("needs:step", args=["who"]), {"for_whom": "me"})
    client.post(reverse("needs:step", args=["what"]), {"category": category().pk, "details": "x"})
    client.post(reverse("needs:step", args=["when"]), {"schedule": "one_off", "urgency": "soon"})
    response = client.post(reverse("needs:step", args=["date"]), {"on_date": "2020-01-01"})
    html = response.content.decode()
    assert 'class="govuk-input govuk-input--width-10 govuk-input--error"' in html
