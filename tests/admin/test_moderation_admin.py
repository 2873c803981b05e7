"""Moderation from the admin: hide ratings, resolve concerns, cancel matches, all through
the functions that own them; plus phone requests landing in or out of the staff's areas."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from matchmaking.constants import ConcernStatus, MatchStatus
from tests.matching import make_match
from tests.provider_factories import ProviderProfileFactory

pytestmark = pytest.mark.django_db


def act(client, model, action, objects, **extra):
    data = {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(reverse(f"admin:matchmaking_{model}_changelist"), data, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_hide_a_rating_with_a_reason_and_show_it_again(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    response = act(client, "rating", "hide_ratings", [ward_a.rating], kith_apply=1, reason="")
    assert "This field is required" in response.content.decode()
    response = act(
        client, "rating", "hide_ratings", [ward_a.rating], kith_apply=1, reason="Names a child"
    )
    ward_a.rating.refresh_from_db()
    assert ward_a.rating.hidden and ward_a.rating.hidden_reason == "Names a child"
    assert "1 hidden." in messages_of(response)
    response = act(client, "rating", "unhide_ratings", [ward_a.rating])
    ward_a.rating.refresh_from_db()
    assert not ward_a.rating.hidden
    assert "1 shown again." in messages_of(response)


def test_resolve_a_concern_and_refuse_to_resolve_it_twice(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    note = {"kith_apply": 1, "reason": "Spoke to both; provider retrained"}
    response = act(client, "concern", "resolve_concerns", [ward_a.concern], **note)
    ward_a.concern.refresh_from_db()
    assert ward_a.concern.status == ConcernStatus.RESOLVED
    assert ward_a.concern.resolved_by == staff_a
    assert "1 resolved." in messages_of(response)
    response = act(client, "concern", "resolve_concerns", [ward_a.concern], **note)
    assert any("already resolved" in m for m in messages_of(response))


def test_cancel_a_live_match_and_refuse_a_finished_one(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    live = make_match(ward_a.need, ProviderProfileFactory(active=True), MatchStatus.OFFERED)
    response = act(
        client, "match", "cancel_matches", [live], kith_apply=1, reason="Resident in hospital"
    )
    live.refresh_from_db()
    assert live.status == MatchStatus.CANCELLED and live.cancelled_by == staff_a
    assert "1 cancelled." in messages_of(response)
    response = act(client, "match", "cancel_matches", [ward_a.match], kith_apply=1, reason="x")
    assert any("is completed, so it cannot be cancelled" in m for m in messages_of(response))


def test_moderation_pages_are_read_only(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    for name, obj in (("rating", ward_a.rating), ("concern", ward_a.concern)):
        url = reverse(f"admin:matchmaking_{name}_change", args=[obj.pk])
        assert 'name="_save"' not in client.get(url).content.decode()
        assert client.post(url, {}).status_code == 403


def phone_form(postcode):
    import datetime

    from django.utils import timezone

    from tests.factories import category

    return {
        "what-category": category("meals").pk,
        "what-details": "Hot lunch",
        "when-schedule": "one_off",
        "when-urgency": "soon",
        "date-on_date": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        "date-starts_at": "12:00",
        "date-ends_at": "13:00",
        "where-contact_name": "Edith Brown",
        "where-postcode": postcode,
        "where-address": "3 Church Road",
        "consent-consent": "given",
    }


def test_a_phone_request_leads_to_the_need_only_in_the_staff_members_area(
    as_user, ward_a, ward_b, staff_a
):
    from django.contrib.auth.models import Permission

    from services.models import Need

    staff_a.user_permissions.add(Permission.objects.get(codename="add_need"))
    client = as_user(staff_a)
    url = reverse("admin:services_need_phone")
    response = client.post(url, phone_form("RV1 1AA"))
    mine = Need.objects.get(contact_name="Edith Brown", area=ward_a.area)
    assert response.url == reverse("admin:services_need_change", args=[mine.pk])

    response = client.post(url, phone_form("RV2 2BB"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:services_need_changelist")
    assert any("which you do not work in" in m for m in messages_of(response))
