"""The need write functions: the rules every caller (web, admin, API) gets."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.exceptions import TransitionError
from services.constants import Channel, Consent, NeedStatus
from services.models import Need
from services.needs import need_submit, need_update, need_withdraw
from services.selectors import needs_visible_to
from tests.factories import (
    NeedFactory,
    PostcodeFactory,
    ProgrammeFactory,
    UserFactory,
    category,
)

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def submit(user, postcode, **overrides):
    fields = {
        "category": category("meals"),
        "details": "A hot lunch",
        "schedule": "one_off",
        "on_date": TOMORROW,
        "starts_at": datetime.time(12),
        "ends_at": datetime.time(13),
        "urgency": "soon",
        "contact_name": "Rose Turner",
        "address": "1 High Street",
        "phone": "07700 900123",
        "channel": Channel.SELF,
        **overrides,
    }
    return need_submit(requested_by=user, postcode=postcode, **fields)


def test_a_need_inside_a_programme_opens_at_once_and_copies_the_place(
    django_capture_on_commit_callbacks,
):
    user, postcode = UserFactory(), PostcodeFactory(latitude=51.46, longitude=-0.97)
    programme = ProgrammeFactory(categories=[category("meals")], areas=[postcode.area])

    with django_capture_on_commit_callbacks(execute=True):
        need = submit(user, postcode)

    assert need.status == NeedStatus.OPEN
    assert need.programme == programme
    assert (need.area, need.postcode, need.latitude, need.longitude) == (
        postcode.area,
        postcode.code,
        51.46,
        -0.97,
    )
    assert need.resident == user
    assert need.reference.startswith("KTH-")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert need.reference in mail.outbox[0].subject


def test_a_reference_already_taken_is_drawn_again_and_the_request_kept(monkeypatch):
    """Random references collide by about 35,000 requests; that must not refuse one."""
    NeedFactory(reference="KTH-AAAAAA")
    monkeypatch.setattr("services.models.secrets.choice", lambda alphabet: "A")
    monkeypatch.setattr("services.needs.new_reference", lambda: "KTH-BBBBBB")

    need = submit(UserFactory(), PostcodeFactory())

    assert need.reference == "KTH-BBBBBB"
    assert Need.objects.filter(reference__in=["KTH-AAAAAA", "KTH-BBBBBB"]).count() == 2


def test_a_need_no_programme_covers_waits_for_staff():
    need = submit(UserFactory(), PostcodeFactory())
    assert need.status == NeedStatus.SUBMITTED
    assert need.programme is None


def test_a_programme_that_has_ended_does_not_count():
    postcode = PostcodeFactory()
    ProgrammeFactory(
        categories=[category("meals")],
        areas=[postcode.area],
        starts_on=TOMORROW - datetime.timedelta(days=90),
        ends_on=TOMORROW - datetime.timedelta(days=2),
    )
    assert submit(UserFactory(), postcode).status == NeedStatus.SUBMITTED


def test_a_postcode_outside_the_council_areas_is_refused():
    with pytest.raises(ValidationError, match="outside the areas"):
        submit(UserFactory(), PostcodeFactory(area=None))
    assert not Need.objects.exists()


def test_the_owner_can_see_it_and_nobody_else():
    owner, other = UserFactory(), UserFactory()
    need = submit(owner, PostcodeFactory())
    assert list(needs_visible_to(owner)) == [need]
    assert list(needs_visible_to(other)) == []


def test_a_weekly_need_keeps_its_slots_and_drops_any_date():
    slots = [(0, datetime.time(9), datetime.time(10)), (3, datetime.time(14), datetime.time(15))]
    need = submit(UserFactory(), PostcodeFactory(), schedule="weekly", slots=slots)
    assert need.on_date is None
    assert [(s.weekday, s.starts_at, s.ends_at) for s in need.slots.all()] == slots


def test_a_weekly_need_without_slots_is_refused_and_nothing_is_saved():
    with pytest.raises(ValidationError, match="at least one day"):
        submit(UserFactory(), PostcodeFactory(), schedule="weekly", slots=[])
    assert not Need.objects.exists()


def test_a_weekly_slot_ending_before_it_starts_is_refused_and_nothing_is_saved():
    bad = [(0, datetime.time(10), datetime.time(9))]
    with pytest.raises(ValidationError, match="end time must be after"):
        submit(UserFactory(), PostcodeFactory(), schedule="weekly", slots=bad)
    assert not Need.objects.exists()


def test_a_one_off_need_in_the_past_is_refused():
    with pytest.raises(ValidationError, match="today or in the future"):
        submit(UserFactory(), PostcodeFactory(), on_date=TOMORROW - datetime.timedelta(days=3))


def test_a_one_off_need_must_end_after_it_starts():
    with pytest.raises(ValidationError, match="date and a time window"):
        submit(
            UserFactory(), PostcodeFactory(), starts_at=datetime.time(13), ends_at=datetime.time(12)
        )


def test_a_referral_records_consent_and_tells_the_resident(django_capture_on_commit_callbacks):
    referrer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        need = submit(
            referrer,
            PostcodeFactory(),
            channel=Channel.REFERRAL,
            email="rose@example.org",
            referrer_name="Dr Ade",
            referrer_organisation="High Street Surgery",
            referrer_role="gp",
            referrer_email="surgery@example.org",
            consent=Consent.GIVEN,
        )
    assert need.resident is None  # the resident has no account; the referrer owns the request
    assert list(needs_visible_to(referrer)) == [need]
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([referrer.email, "rose@example.org"])
    to_resident = next(m for m in mail.outbox if m.to == ["rose@example.org"])
    assert "Dr Ade of High Street Surgery" in to_resident.body
    assert "Dear Rose" in to_resident.body


def test_a_referral_without_consent_needs_a_reason_and_a_decider():
    with pytest.raises(ValidationError, match="records the resident's consent"):
        submit(
            UserFactory(),
            PostcodeFactory(),
            channel=Channel.REFERRAL,
            referrer_name="Sam",
            consent=Consent.BEST_INTEREST,
            best_interest_reason="",
            best_interest_decided_by="",
        )
    assert not Need.objects.exists()


def test_update_changes_an_open_need():
    need = NeedFactory()
    need_update(need=need, actor=need.requested_by, details="Vegetarian lunch", urgency="urgent")
    need.refresh_from_db()
    assert (need.details, need.urgency) == ("Vegetarian lunch", "urgent")


def test_update_refuses_fields_a_resident_may_not_change():
    need = NeedFactory()
    with pytest.raises(ValueError, match="status"):
        need_update(need=need, actor=need.requested_by, status="matched")


@pytest.mark.parametrize("status", [NeedStatus.MATCHED, NeedStatus.WITHDRAWN, NeedStatus.FULFILLED])
def test_update_and_withdraw_are_refused_once_a_need_has_moved_on(status):
    need = NeedFactory(status=status)
    with pytest.raises(TransitionError, match="can no longer be changed"):
        need_update(need=need, actor=need.requested_by, details="changed")
    with pytest.raises(TransitionError):
        need_withdraw(need=need, actor=need.requested_by)
    need.refresh_from_db()
    assert need.status == status and need.details == "A hot lunch, please"


def test_withdraw_records_when_and_why():
    need = NeedFactory()
    need_withdraw(need=need, actor=need.requested_by, reason="My daughter is visiting")
    need.refresh_from_db()
    assert need.status == NeedStatus.WITHDRAWN
    assert need.withdrawn_reason == "My daughter is visiting"
    assert need.status_changed_at > need.created_at - datetime.timedelta(seconds=1)


def test_first_name_is_all_a_provider_would_learn():
    assert NeedFactory(contact_name="Rose Mary Turner").first_name == "Rose"
