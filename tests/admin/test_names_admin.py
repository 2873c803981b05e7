"""Staff never see a provider as a blank: the admin names people through User.display_name."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_provider_without_a_name_is_named_in_the_staff_list(as_user, ward_a, staff_a):
    user = ward_a.provider.user
    user.first_name = user.last_name = user.full_name = ""
    user.email = "carlos.mendes@example.org"
    user.save()
    html = as_user(staff_a).get(reverse("admin:accounts_providerprofile_changelist")).content
    assert "Carlos (Home cook)" in html.decode()
