"""Staff see how each notification's text message fared, on the match's page."""

import pytest
from django.urls import reverse

from matchmaking.constants import DeliveryStatus
from matchmaking.models import Notification, TextDelivery

pytestmark = pytest.mark.django_db


def told(match, message, *, text_status=None):
    notification = Notification.objects.create(
        user=match.need.requested_by, match=match, message=message
    )
    if text_status:
        TextDelivery.objects.create(
            user=notification.user,
            notification=notification,
            phone="+447700900123",
            notify_id=f"id-{notification.pk}",
            status=text_status,
        )
    return notification


def test_a_matchs_page_shows_each_notifications_text_status_to_staff_in_the_area(
    as_user, ward_a, staff_a
):
    told(ward_a.match, "Your helper is confirmed", text_status=DeliveryStatus.DELIVERED)
    told(ward_a.match, "Your visit is tomorrow", text_status=DeliveryStatus.PERMANENT_FAILURE)
    told(ward_a.match, "Rate your helper")

    page = as_user(staff_a).get(reverse("admin:matchmaking_match_change", args=[ward_a.match.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Your helper is confirmed" in html and "Delivered" in html
    assert "Not delivered: the number cannot get texts" in html
    assert "No text (email and in the app)" in html


def test_staff_of_another_area_do_not_see_them(as_user, ward_a, staff_b):
    told(ward_a.match, "Your helper is confirmed", text_status=DeliveryStatus.DELIVERED)

    page = as_user(staff_b).get(reverse("admin:matchmaking_match_change", args=[ward_a.match.pk]))

    assert page.status_code in (302, 404)
    assert "Your helper is confirmed" not in page.content.decode()
