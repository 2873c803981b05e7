"""The council's admin site and the audit log pages."""

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.test import override_settings
from django.urls import reverse

from matchmaking.admin.site import KithAdminSite

pytestmark = pytest.mark.django_db


def test_the_default_admin_site_is_the_councils():
    assert isinstance(admin.site, KithAdminSite)


@override_settings(COUNCIL_NAME="Lakeside District Council")
def test_every_admin_page_carries_the_councils_name(as_user, staff_a):
    html = as_user(staff_a).get(reverse("admin:index")).content.decode()
    assert "Lakeside District Council – Kith admin" in html
    assert "Django administration" not in html


def test_the_index_links_to_the_dashboard_for_staff_and_commissioners(
    as_user, staff_a, commissioner
):
    for user in (staff_a, commissioner):
        html = as_user(user).get(reverse("admin:index")).content.decode()
        assert reverse("admin:dashboard") in html


def test_the_audit_log_is_read_only_and_filterable(as_user, superuser, ward_a):
    client = as_user(superuser)
    client.get(reverse("admin:services_need_change", args=[ward_a.need.pk]))
    response = client.get(reverse("admin:auditlog_logentry_changelist"), {"action": 3})
    assert response.status_code == 200
    assert ward_a.need.reference in response.content.decode()
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).first()
    model_admin = admin.site._registry[LogEntry]
    request = response.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert client.post(
        reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}
    ).status_code in (302, 403)
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_staff_cannot_read_the_whole_audit_log(as_user, staff_a):
    assert as_user(staff_a).get(reverse("admin:auditlog_logentry_changelist")).status_code == 403


def test_a_superuser_grants_an_area_on_the_area_page(as_user, superuser, ward_a, ward_b):
    from django.contrib.auth.models import Permission

    from matchmaking.scoping import staff_area_ids
    from tests.factories import StaffFactory

    officer = StaffFactory()
    permission = Permission.objects.get(codename="work_in_area")
    prefix = "areauserobjectpermission_set"
    group_prefix = "areagroupobjectpermission_set"
    response = as_user(superuser).post(
        reverse("admin:services_area_change", args=[ward_b.area.pk]),
        {
            "name": ward_b.area.name,
            "code": ward_b.area.code,
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-0-user": officer.pk,
            f"{prefix}-0-permission": permission.pk,
            f"{group_prefix}-TOTAL_FORMS": 0,
            f"{group_prefix}-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert staff_area_ids(officer) == {ward_b.area.pk}
