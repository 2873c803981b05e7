"""Looking at a need (address, notes) or at a provider's checks is recorded: who, what, when
(an ACCESS audit entry), never the data itself."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import Check, ProviderProfile
from services.models import Need

pytestmark = pytest.mark.django_db


def accesses(model, obj):
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(model),
        object_id=obj.pk,
    )


def test_opening_a_need_records_who_looked(as_user, ward_a, staff_a):
    as_user(staff_a).get(reverse("admin:services_need_change", args=[ward_a.need.pk]))
    entry = accesses(Need, ward_a.need).get()
    assert entry.actor == staff_a
    assert not entry.changes_dict  # who and when, not the address
    assert ward_a.need.address not in str(entry.changes)


def test_opening_a_providers_page_records_the_profile_and_each_check(as_user, ward_a, staff_a):
    as_user(staff_a).get(
        reverse("admin:accounts_providerprofile_change", args=[ward_a.provider.pk])
    )
    assert accesses(ProviderProfile, ward_a.provider).get().actor == staff_a
    assert accesses(Check, ward_a.check).get().actor == staff_a


def test_opening_a_check_or_its_decision_page_is_recorded(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    client.get(reverse("admin:accounts_check_change", args=[ward_a.check.pk]))
    client.get(reverse("admin:accounts_check_decide", args=[ward_a.check.pk]))
    assert accesses(Check, ward_a.check).count() == 2


def test_a_page_refused_records_nothing(as_user, ward_a, ward_b, staff_a):
    as_user(staff_a).get(reverse("admin:services_need_change", args=[ward_b.need.pk]))
    assert not accesses(Need, ward_b.need).exists()


def test_the_changelist_is_not_an_access_to_each_row(as_user, ward_a, staff_a):
    as_user(staff_a).get(reverse("admin:services_need_changelist"))
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
