"""The scoping matrix through the admin: staff of area A never see or change area B's rows,
whichever way they ask (changelist, change page, history, action, export, dashboard)."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.constants import ProviderStatus

pytestmark = pytest.mark.django_db

MODELS = [
    ("services_need", "need"),
    ("accounts_providerprofile", "provider"),
    ("accounts_check", "check"),
    ("matchmaking_match", "match"),
    ("matchmaking_rating", "rating"),
    ("matchmaking_concern", "concern"),
]


def change_url(prefix, obj):
    return reverse(f"admin:{prefix}_change", args=[obj.pk])


@pytest.mark.parametrize(("prefix", "attribute"), MODELS)
def test_changelists_show_only_the_staff_members_areas(
    as_user, ward_a, ward_b, staff_a, outsider, superuser, prefix, attribute
):
    mine, theirs = getattr(ward_a, attribute), getattr(ward_b, attribute)
    url = reverse(f"admin:{prefix}_changelist")

    html = as_user(staff_a).get(url).content.decode()
    assert change_url(prefix, mine) in html
    assert change_url(prefix, theirs) not in html

    html = as_user(outsider).get(url).content.decode()
    assert change_url(prefix, mine) not in html and change_url(prefix, theirs) not in html

    html = as_user(superuser).get(url).content.decode()
    assert change_url(prefix, mine) in html and change_url(prefix, theirs) in html


@pytest.mark.parametrize(("prefix", "attribute"), MODELS)
def test_change_and_history_pages_of_another_area_are_not_found(
    as_user, ward_a, ward_b, staff_a, prefix, attribute
):
    client = as_user(staff_a)
    mine, theirs = getattr(ward_a, attribute), getattr(ward_b, attribute)
    assert client.get(change_url(prefix, mine)).status_code == 200
    assert client.get(reverse(f"admin:{prefix}_history", args=[mine.pk])).status_code == 200
    for name in ("change", "history"):
        response = client.get(reverse(f"admin:{prefix}_{name}", args=[theirs.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("admin:index")
        assert "doesn’t exist" in response.content.decode()
        assert str(theirs.pk) in response.content.decode()


def test_a_bad_id_is_not_found_rather_than_an_error(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    for prefix, _ in MODELS:
        response = client.get(reverse(f"admin:{prefix}_change", args=["not-a-number"]))
        assert response.status_code == 302


def test_an_action_on_another_areas_provider_does_nothing(as_user, ward_a, ward_b, staff_a):
    response = as_user(staff_a).post(
        reverse("admin:accounts_providerprofile_changelist"),
        {"action": "activate_providers", "index": 0, ACTION_CHECKBOX_NAME: [ward_b.provider.pk]},
        follow=True,
    )
    ward_b.provider.refresh_from_db()
    assert ward_b.provider.status == ProviderStatus.APPLIED
    assert "activated" not in response.content.decode()


def _export(client, url, ids):
    response = client.post(url, {"action": "export_csv", "index": 0, ACTION_CHECKBOX_NAME: ids})
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_exports_leave_out_other_areas(as_user, ward_a, ward_b, staff_a):
    client = as_user(staff_a)
    rows = _export(
        client,
        reverse("admin:services_need_changelist"),
        [ward_a.need.pk, ward_b.need.pk],
    )
    references = [row[0] for row in rows[1:]]
    assert references == [ward_a.need.reference]
    assert "address" not in [h.lower() for h in rows[0]]  # exports carry no contact details

    rows = _export(
        client,
        reverse("admin:accounts_providerprofile_changelist"),
        [ward_a.provider.pk, ward_b.provider.pk],
    )
    assert [int(row[0]) for row in rows[1:]] == [ward_a.provider.pk]


def test_exports_with_select_across_still_stay_in_the_area(as_user, ward_a, ward_b, staff_a):
    response = as_user(staff_a).post(
        reverse("admin:matchmaking_concern_changelist"),
        {
            "action": "export_csv",
            "index": 0,
            "select_across": 1,
            ACTION_CHECKBOX_NAME: [ward_a.concern.pk],
        },
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [int(row[0]) for row in rows[1:]] == [ward_a.concern.pk]


def test_the_area_filter_offers_only_the_staff_members_areas(as_user, ward_a, ward_b, staff_a):
    html = as_user(staff_a).get(reverse("admin:services_need_changelist")).content.decode()
    assert f"?area={ward_a.area.pk}" in html
    assert f"?area={ward_b.area.pk}" not in html
    # Asking for the other area by hand shows nothing of it.
    html = (
        as_user(staff_a)
        .get(reverse("admin:services_need_changelist"), {"area": ward_b.area.pk})
        .content.decode()
    )
    assert change_url("services_need", ward_b.need) not in html


def test_the_suggested_providers_offer_is_refused_for_another_area(
    as_user, ward_a, ward_b, staff_a
):
    response = as_user(staff_a).post(
        reverse("admin:services_need_offer", args=[ward_b.need.pk]),
        {"provider": ward_b.provider.pk, "reason": "Knows her"},
    )
    assert response.status_code == 404
    assert not ward_b.need.matches.exists()


def test_the_check_decision_page_of_another_area_is_not_found(as_user, ward_a, ward_b, staff_a):
    client = as_user(staff_a)
    assert (
        client.get(reverse("admin:accounts_check_decide", args=[ward_a.check.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:accounts_check_decide", args=[ward_b.check.pk])).status_code
        == 404
    )


def test_recording_a_check_for_another_areas_provider_is_refused(as_user, ward_a, ward_b, staff_a):
    response = as_user(staff_a).post(
        reverse("admin:accounts_check_add"),
        {"provider": ward_b.provider.pk, "kind": "identity", "reference": "P123"},
    )
    assert response.status_code == 200  # the form again, with an error
    assert not ward_b.provider.checks.filter(kind="identity").exists()


def test_the_dashboard_and_its_exports_count_only_the_staff_members_areas(
    as_user, ward_a, ward_b, staff_a, superuser
):
    url = reverse("admin:dashboard")
    html = as_user(staff_a).get(url).content.decode()
    assert "Northgate" in html and "Southbank" not in html

    response = as_user(staff_a).get(url, {"export": "needs"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Area", "Category", "Open", "Unmet"], ["Northgate", "A hot meal", "1", "0"]]

    response = as_user(superuser).get(url, {"export": "needs"})
    areas = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))][1:]
    assert areas == ["Northgate", "Southbank"]
