"""Needs over the API: ask for help, list and read your own, change, withdraw."""

import datetime

import pytest
from django.utils import timezone

from matchmaking.constants import MatchStatus
from services.constants import NeedStatus
from services.models import Need
from tests.api.conftest import ADDRESS, token_client
from tests.factories import NeedFactory, ProgrammeFactory, category
from tests.matching import make_match

pytestmark = pytest.mark.django_db

URL = "/api/v1/needs/"


def one_off(**changes):
    day = timezone.localdate() + datetime.timedelta(days=2)
    return {
        "category": "meals",
        "details": "A hot lunch, no pork",
        "schedule": "one_off",
        "on_date": day.isoformat(),
        "starts_at": "12:00",
        "ends_at": "13:30",
        "contact_name": "Rose Turner",
        "postcode": "rv1 2ab",
        "address": ADDRESS,
        "phone": "07700 900456",
        **changes,
    }


def weekly(**changes):
    data = one_off(schedule="weekly", **changes)
    for name in ("on_date", "starts_at", "ends_at"):
        data.pop(name)
    data.setdefault(
        "slots",
        [
            {"weekday": 0, "starts_at": "10:00", "ends_at": "11:00"},
            {"weekday": 3, "starts_at": "17:00", "ends_at": "18:30"},
        ],
    )
    return data


def detail(need):
    return f"{URL}{need.reference}/"


# --- asking for help ------------------------------------------------------------------------


def test_a_resident_asks_for_one_off_help_with_a_token(resident, postcode, area):
    ProgrammeFactory(categories=[category("meals")], areas=[area])
    response = token_client(resident).post(URL, one_off(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    need = Need.objects.get(reference=body["reference"])
    assert need.requested_by == resident and need.resident == resident
    assert need.status == NeedStatus.OPEN  # commissioned here: straight to matching
    assert (need.postcode, need.area, need.address) == ("RV1 2AB", area, ADDRESS)
    assert body["starts_at"] == "12:00" and body["ends_at"] == "13:30"
    assert body["area"] == area.code and body["can_withdraw"] is True
    # Owner permissions, as the web gives them: the need is in the resident's list.
    assert token_client(resident).get(detail(need)).status_code == 200


def test_weekly_help_keeps_its_slots(resident, postcode, as_user):
    response = as_user(resident).post(URL, weekly(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == NeedStatus.SUBMITTED  # no programme: council staff look first
    assert [(s["weekday"], s["starts_at"]) for s in body["slots"]] == [(0, "10:00"), (3, "17:00")]
    assert body["on_date"] is None


def test_a_referral_records_who_asked_and_consent(resident, postcode, as_user):
    data = one_off(
        channel="referral",
        referrer_name="Sam Patel",
        referrer_role="social_worker",
        referrer_email="sam@council.example",
        consent="given",
    )
    response = as_user(resident).post(URL, data, format="json")
    assert response.status_code == 201, response.json()
    need = Need.objects.get(reference=response.json()["reference"])
    assert need.channel == "referral" and need.resident is None
    assert need.referrer_name == "Sam Patel" and need.consent == "given"


def test_a_referral_without_consent_or_contact_is_refused_with_the_web_messages(
    resident, postcode, as_user
):
    response = as_user(resident).post(URL, one_off(channel="referral"), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["referrer_name"] == ["Enter your full name"]
    assert errors["consent"] == ["Select whether they agreed to this request"]
    assert errors["referrer_phone"] == [
        "Enter a phone number or an email address we can reach you on"
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("RV1 9XX", "We do not recognise that postcode. Check it and try again"),
        ("not a postcode", "We do not recognise that postcode. Check it and try again"),
        (
            "RV9 9ZZ",
            "RV9 9ZZ is outside Riverside. Kith can only find help in Riverside. Your own "
            "council may offer help: find it at https://www.gov.uk/find-local-council",
        ),
    ],
)
def test_an_unknown_or_outside_postcode_is_a_field_error(
    resident, postcode, outside_postcode, as_user, raw, message
):
    response = as_user(resident).post(URL, one_off(postcode=raw), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Check these fields: postcode.",
        "errors": {"postcode": [message]},
    }
    assert not Need.objects.filter(requested_by=resident).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"on_date": "2000-01-01"}, "on_date", "The date must be today or in the future"),
        ({"ends_at": "11:00"}, "ends_at", "The end time must be after the start time"),
        ({"on_date": None}, "on_date", "Enter the date help is needed"),
        ({"starts_at": "25:00"}, "starts_at", "Enter a real time, like 09:30"),
        ({"starts_at": "12:00:00Z"}, "starts_at", "Enter a real time, like 09:30"),
        ({"category": "juggling"}, "category", "Select the kind of help needed"),
        ({"details": ""}, "details", "Tell us a little more about the help needed"),
        ({"details": "x" * 2001}, "details", "Use 2,000 characters or fewer"),
        ({"language_required": True}, "language", "Select the language the helper must speak"),
        ({"slots": [{"weekday": 0, "starts_at": "10:00", "ends_at": "11:00"}]}, "slots", None),
    ],
)
def test_the_web_rules_apply(resident, postcode, as_user, changes, field, message):
    response = as_user(resident).post(URL, one_off(**changes), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors
    if message:
        assert errors[field] == [message]


def test_weekly_help_needs_at_least_one_day_and_windows_apart(resident, postcode, as_user):
    client = as_user(resident)
    response = client.post(URL, weekly(slots=[]), format="json")
    assert response.json()["errors"] == {"slots": ["Enter the times for at least one day"]}
    twice = [{"weekday": 1, "starts_at": "10:00", "ends_at": "11:00"}] * 2
    response = client.post(URL, weekly(slots=twice), format="json")
    assert response.json()["errors"] == {
        "slots": [
            "The times on Tuesday overlap (10:00 to 11:00 and 10:00 to 11:00). Change one of them"
        ]
    }
    meeting = [
        {"weekday": 1, "starts_at": "10:00", "ends_at": "11:00"},
        {"weekday": 1, "starts_at": "11:00", "ends_at": "12:00"},
    ]
    response = client.post(URL, weekly(slots=meeting), format="json")
    assert response.json()["errors"] == {
        "slots": [
            "The times on Tuesday run into each other (10:00 to 11:00 and 11:00 to 12:00). "
            "Enter them as one time, 10:00 to 12:00"
        ]
    }
    assert not Need.objects.exists()
    backwards = [{"weekday": 1, "starts_at": "11:00", "ends_at": "10:00"}]
    response = client.post(URL, weekly(slots=backwards), format="json")
    assert response.json()["errors"] == {
        "slots": {"0": {"ends_at": ["The end time must be after the start time"]}}
    }


def test_unknown_and_read_only_fields_are_refused_by_name(resident, postcode, as_user):
    response = as_user(resident).post(
        URL, one_off(colour="blue", status="fulfilled"), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == {
        "colour": ["Unknown field: this request does not take it."],
        "status": ["Unknown field: this request does not take it."],
    }
    assert "colour" in response.json()["detail"]


def test_wrong_types_are_field_errors(resident, postcode, as_user):
    response = as_user(resident).post(
        URL, one_off(details=["a"], language_required="maybe", slots="monday"), format="json"
    )
    assert response.status_code == 400
    assert {"details", "language_required"} <= set(response.json()["errors"])


def test_anonymous_callers_are_asked_to_authenticate(api, postcode):
    response = api.post(URL, one_off(), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert api.get(URL).status_code == 401


# --- reading your own -------------------------------------------------------------------------


def test_each_resident_lists_only_their_own_needs(need, other_resident, as_user):
    NeedFactory(requested_by=other_resident)
    mine = as_user(need.requested_by).get(URL).json()
    assert [row["reference"] for row in mine["results"]] == [need.reference]
    assert mine["results"][0]["address"] == ADDRESS  # the owner sees everything
    theirs = as_user(other_resident).get(URL).json()
    assert need.reference not in [row["reference"] for row in theirs["results"]]


def test_someone_elses_need_is_404_for_every_method(need, other_resident, provider, staff, as_user):
    for user in (other_resident, provider.user, staff):
        client = as_user(user)
        assert client.get(detail(need)).status_code == 404
        assert client.patch(detail(need), {"details": "mine now"}, format="json").status_code == 404
        assert client.post(f"{detail(need)}withdraw/", {}, format="json").status_code == 404
    need.refresh_from_db()
    assert need.details == "A hot lunch, please" and need.status == NeedStatus.OPEN


def test_the_person_it_was_asked_for_sees_it_too(need, as_user):
    from tests.factories import UserFactory

    friend = UserFactory()
    referral = NeedFactory(
        requested_by=friend, resident=need.requested_by, channel="referral", consent="given"
    )
    references = {row["reference"] for row in as_user(need.requested_by).get(URL).json()["results"]}
    assert references == {need.reference, referral.reference}


def test_needs_filter_by_status_category_area_and_date(need, area, other_area, as_user):
    resident = need.requested_by
    personal = NeedFactory(
        requested_by=resident, area=other_area, category=category("companionship")
    )
    NeedFactory(requested_by=resident, area=area, status=NeedStatus.WITHDRAWN)
    client = as_user(resident)

    def refs(**query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return {row["reference"] for row in response.json()["results"]}

    assert refs(status="open") == {need.reference, personal.reference}
    assert refs(category="companionship") == {personal.reference}
    assert refs(area=other_area.code) == {personal.reference}
    assert refs(area="E05999999") == set()
    today = timezone.localdate()
    assert len(refs(created_after=today.isoformat())) == 3
    assert refs(created_before=(today - datetime.timedelta(days=1)).isoformat()) == set()
    response = client.get(URL, {"status": "lost"})
    assert response.status_code == 400 and "status" in response.json()["errors"]
    response = client.get(URL, {"created_after": "yesterday"})
    assert response.status_code == 400 and "created_after" in response.json()["errors"]
    response = client.get(URL, {"area": ""})
    assert response.json()["errors"] == {"area": ["Give a value, or leave this parameter out."]}


def test_needs_are_paginated_20_a_page_up_to_100(resident, as_user, django_assert_max_num_queries):
    NeedFactory.create_batch(23, requested_by=resident)
    client = as_user(resident)
    # The user's guardian grants, the count, the page of needs, their slots.
    with django_assert_max_num_queries(4):
        first = client.get(URL).json()
    assert first["count"] == 23 and len(first["results"]) == 20 and first["next"]
    assert len(client.get(URL, {"page": 2}).json()["results"]) == 3
    assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 23
    assert client.get(URL, {"page": 3}).status_code == 404
    for size in ("0", "101", "many"):
        response = client.get(URL, {"page_size": size})
        assert response.status_code == 400
        assert response.json()["errors"] == {"page_size": ["Enter a whole number from 1 to 100."]}


# --- changing and withdrawing -----------------------------------------------------------------


def test_a_resident_changes_their_need(need, postcode, as_user):
    response = as_user(need.requested_by).patch(
        detail(need),
        {"details": "Soup is fine", "ends_at": "14:00", "urgency": "soon"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    need.refresh_from_db()
    assert (need.details, need.urgency, need.ends_at) == ("Soup is fine", "soon", datetime.time(14))


def test_switching_to_weekly_help_needs_slots(need, postcode, as_user):
    client = as_user(need.requested_by)
    response = client.patch(detail(need), {"schedule": "weekly"}, format="json")
    assert response.json()["errors"] == {"slots": ["Enter the times for at least one day"]}
    slots = [{"weekday": 2, "starts_at": "09:00", "ends_at": "10:00"}]
    response = client.patch(detail(need), {"schedule": "weekly", "slots": slots}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["on_date"] is None and len(response.json()["slots"]) == 1


def test_a_partial_slot_is_refused_not_a_crash(need, postcode, as_user):
    response = as_user(need.requested_by).patch(
        detail(need),
        {"schedule": "weekly", "slots": [{"weekday": 2, "ends_at": "10:00"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"slots": {"0": {"starts_at": ["Enter the start time"]}}}


def test_a_matched_need_can_no_longer_be_changed(need, provider, as_user):
    need.status = NeedStatus.MATCHED
    need.save()
    response = as_user(need.requested_by).patch(detail(need), {"details": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Request {need.reference} is matched and can no longer be changed here."
    }


def test_withdrawing_cancels_the_live_match_through_the_lifecycle(need, provider, as_user):
    match = make_match(need, provider, MatchStatus.ACCEPTED)
    response = as_user(need.requested_by).post(
        f"{detail(need)}withdraw/", {"reason": "My daughter is visiting"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == NeedStatus.WITHDRAWN
    assert response.json()["can_withdraw"] is False
    match.refresh_from_db()
    need.refresh_from_db()
    assert match.status == MatchStatus.CANCELLED
    assert need.withdrawn_reason == "My daughter is visiting"
    again = as_user(need.requested_by).post(f"{detail(need)}withdraw/", {}, format="json")
    assert again.status_code == 400
    assert "can no longer be changed" in again.json()["detail"]


def test_withdrawing_with_a_reason_that_is_not_text_is_a_400(need, as_user):
    response = as_user(need.requested_by).post(
        f"{detail(need)}withdraw/", {"reason": 0}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["Give text here: a JSON string, in quotes."]}
    need.refresh_from_db()
    assert need.status != NeedStatus.WITHDRAWN


def test_every_text_field_refuses_a_number(resident, postcode):
    response = token_client(resident).post(
        URL, one_off(details=12, phone=7700900456), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"details", "phone"}
    assert not Need.objects.exists()
