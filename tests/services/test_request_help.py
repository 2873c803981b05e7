"""The resident's "Request help" journey, page by page, and "Your requests"."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from services.constants import Channel, NeedStatus
from services.models import Need
from tests.factories import (
    NeedFactory,
    PostcodeFactory,
    ProgrammeFactory,
    UserFactory,
    category,
)

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def step_url(name, change=False):
    return reverse("needs:step", args=[name]) + ("?change=1" if change else "")


@pytest.fixture
def resident(client):
    user = UserFactory(first_name="Rose")
    client.force_login(user)
    return user


@pytest.fixture
def postcode():
    place = PostcodeFactory(code="RV1 2AB")
    ProgrammeFactory(categories=[category("meals")], areas=[place.area])
    return place


def answer(client, step, data, change=False):
    return client.post(step_url(step, change), data)


def complete_up_to_where(client, for_whom="me", schedule="one_off"):
    answer(client, "who", {"for_whom": for_whom})
    if for_whom == "someone_else":
        answer(
            client,
            "referral",
            {
                "referrer_name": "Sam Carter",
                "referrer_role": "relative",
                "referrer_email": "sam@example.org",
                "consent": "given",
            },
        )
    answer(client, "what", {"category": category("meals").pk, "details": "A hot lunch, no pork"})
    answer(client, "when", {"schedule": schedule, "urgency": "soon"})
    if schedule == "one_off":
        answer(
            client,
            "date",
            {"on_date": TOMORROW.isoformat(), "starts_at": "12:00", "ends_at": "13:00"},
        )
    else:
        answer(client, "weekly", {"monday_from": "09:00", "monday_to": "10:30"})


def complete_journey(client, **kwargs):
    complete_up_to_where(client, **kwargs)
    answer(
        client,
        "where",
        {
            "contact_name": "Rose Turner",
            "postcode": "rv12ab",
            "address": "1 High Street",
            "phone": "07700 900123",
        },
    )
    answer(client, "preferences", {"language": "pl", "dietary_needs": "No pork"})


def submit_as_a_new_resident(client, capture_on_commit):
    """A new resident in a served postcode asks for a hot meal; the on-commit work runs."""
    place = PostcodeFactory(code="RV1 2AB")
    ProgrammeFactory(categories=[category("meals")], areas=[place.area])
    client.force_login(UserFactory())
    complete_journey(client)
    with capture_on_commit(execute=True):
        return client.post(reverse("needs:check"))


def errors_of(response):
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [reverse("needs:start"), step_url("who"), reverse("needs:check"), reverse("needs:list")],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_whole_journey_for_yourself(
    client, resident, postcode, django_capture_on_commit_callbacks
):
    assert client.get(reverse("needs:start")).status_code == 200
    complete_journey(client)

    check = client.get(reverse("needs:check"))
    html = check.content.decode()
    assert check.status_code == 200
    for shown in [
        "A hot lunch, no pork",
        "RV1 2AB",
        "1 High Street",
        "Polish",
        "12:00 to 13:00",
        "This week",
    ]:
        assert shown in html
    assert f'href="{step_url("where", change=True)}"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("needs:check"))

    need = Need.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("needs:submitted", args=[need.reference])
    assert (need.channel, need.status, need.resident, need.requested_by) == (
        Channel.SELF,
        NeedStatus.OPEN,
        resident,
        resident,
    )
    assert (need.language, need.dietary_needs, need.urgency) == ("pl", "No pork", "soon")
    assert (need.on_date, need.starts_at, need.ends_at) == (
        TOMORROW,
        datetime.time(12),
        datetime.time(13),
    )
    confirmation = client.get(response.url).content.decode()
    assert need.reference in confirmation and "Request sent" in confirmation
    assert mail.outbox[0].to == [resident.email]
    # The draft is gone: a new journey starts empty.
    assert client.get(reverse("needs:check")).url == step_url("who")


def test_weekly_help_records_each_slot(client, resident, postcode):
    complete_journey(client, schedule="weekly")
    client.post(reverse("needs:check"))
    need = Need.objects.get()
    assert need.schedule == "weekly" and need.on_date is None
    assert [(s.weekday, s.starts_at, s.ends_at) for s in need.slots.all()] == [
        (0, datetime.time(9), datetime.time(10, 30))
    ]


def test_asking_for_someone_else_records_the_referral(
    client, resident, postcode, django_capture_on_commit_callbacks
):
    complete_up_to_where(client, for_whom="someone_else")
    answer(
        client,
        "where",
        {
            "contact_name": "Rose Turner",
            "postcode": "RV1 2AB",
            "address": "1 High Street",
            "email": "rose.turner@example.org",
        },
    )
    answer(client, "preferences", {})
    assert "Sam Carter" in client.get(reverse("needs:check")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("needs:check"))

    need = Need.objects.get()
    assert need.channel == Channel.REFERRAL
    assert need.resident is None and need.requested_by == resident
    assert (need.referrer_name, need.referrer_role, need.consent) == (
        "Sam Carter",
        "relative",
        "given",
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [resident.email, "rose.turner@example.org"]
    )


def test_the_referral_page_appears_only_when_asking_for_someone_else(client, resident):
    answer(client, "who", {"for_whom": "me"})
    assert client.get(step_url("referral")).status_code == 404


def test_pages_cannot_be_skipped(client, resident):
    answer(client, "who", {"for_whom": "me"})
    response = client.get(step_url("where"))
    assert response.status_code == 302 and response.url == step_url("what")


def test_check_your_answers_with_nothing_answered_starts_the_journey(client, resident):
    assert client.get(reverse("needs:check")).url == step_url("who")


def test_changing_an_answer_returns_to_check_your_answers(client, resident, postcode):
    complete_journey(client)
    response = answer(
        client, "what", {"category": category("companionship").pk, "details": "A chat"}, change=True
    )
    assert response.url == reverse("needs:check")
    assert "Companionship" in client.get(reverse("needs:check")).content.decode()


def test_changing_to_weekly_asks_for_the_weekly_times_first(client, resident, postcode):
    complete_journey(client)
    response = answer(client, "when", {"schedule": "weekly", "urgency": "soon"}, change=True)
    assert response.url == step_url("weekly")


def test_an_unknown_step_is_404(client, resident):
    assert client.get(step_url("nonsense")).status_code == 404


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("who", {}, "Select who needs help"),
        ("who", {"for_whom": "the cat"}, "Select a valid choice"),
        ("what", {"details": "x"}, "Select the kind of help needed"),
        ("what", {"category": "999999", "details": "x"}, "Select the kind of help needed"),
        ("what", {"category": "1"}, "Tell us a little more about the help needed"),
        ("what", {"category": "1", "details": "x" * 2001}, "Use 2,000 characters or fewer"),
        ("when", {"urgency": "soon"}, "Select how often help is needed"),
        ("when", {"schedule": "one_off"}, "Select how soon help is needed"),
    ],
)
def test_early_steps_explain_every_mistake(client, resident, step, data, message):
    if step != "who":
        answer(client, "who", {"for_whom": "me"})
    if step == "when":
        answer(client, "what", {"category": category().pk, "details": "x"})
    response = answer(client, step, data)
    assert response.status_code == 200
    html = errors_of(response)
    assert message in html and "There is a problem" in html
    assert step not in client.session.get("request_help", {})


REFERRAL_OK = {
    "referrer_name": "Sam Carter",
    "referrer_role": "gp",
    "referrer_phone": "0118 496 0000",
    "consent": "given",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"referrer_name": ""}, "Enter your full name"),
        ({"referrer_role": ""}, "Select how you know them"),
        ({"referrer_phone": ""}, "Enter a phone number or an email address we can reach you on"),
        ({"referrer_email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"consent": ""}, "Select whether they agreed to this request"),
        ({"consent": "best_interest"}, "Explain why they cannot agree to this request"),
        ({"consent": "best_interest"}, "Enter who decided this request is in their best interest"),
    ],
)
def test_the_referral_page_explains_every_mistake(client, resident, changes, message):
    answer(client, "who", {"for_whom": "someone_else"})
    response = answer(client, "referral", {**REFERRAL_OK, **changes})
    assert response.status_code == 200
    assert message in errors_of(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_at": "12:00", "ends_at": "13:00"}, "Enter the date help is needed"),
        ({"on_date": "2025-02-30", "starts_at": "12:00", "ends_at": "13:00"}, "Enter a real date"),
        (
            {"on_date": "2020-01-01", "starts_at": "12:00", "ends_at": "13:00"},
            "The date must be today or in the future",
        ),
        (
            {"on_date": "2099-01-01", "starts_at": "12:00", "ends_at": "13:00"},
            "The date must be within the next year",
        ),
        ({"on_date": "TOMORROW", "ends_at": "13:00"}, "Enter the start time"),
        ({"on_date": "TOMORROW", "starts_at": "12:00"}, "Enter the end time"),
        (
            {"on_date": "TOMORROW", "starts_at": "25:00", "ends_at": "13:00"},
            "Enter a real time, like 09:30",
        ),
        (
            {"on_date": "TOMORROW", "starts_at": "13:00", "ends_at": "12:00"},
            "The end time must be after the start time",
        ),
    ],
)
def test_the_date_page_explains_every_mistake(client, resident, data, message):
    answer(client, "who", {"for_whom": "me"})
    answer(client, "what", {"category": category().pk, "details": "x"})
    answer(client, "when", {"schedule": "one_off", "urgency": "soon"})
    data = {k: TOMORROW.isoformat() if v == "TOMORROW" else v for k, v in data.items()}
    response = answer(client, "date", data)
    assert response.status_code == 200
    assert message in errors_of(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the times for at least one day"),
        ({"monday_from": "09:00"}, "Enter both times for Monday, or neither"),
        ({"tuesday_to": "09:00"}, "Enter both times for Tuesday, or neither"),
        (
            {"friday_from": "11:00", "friday_to": "10:00"},
            "The end time must be after the start time",
        ),
        ({"sunday_from": "noon", "sunday_to": "13:00"}, "Enter a real time for Sunday, like 09:30"),
    ],
)
def test_the_weekly_page_explains_every_mistake(client, resident, data, message):
    answer(client, "who", {"for_whom": "me"})
    answer(client, "what", {"category": category().pk, "details": "x"})
    answer(client, "when", {"schedule": "weekly", "urgency": "soon"})
    response = answer(client, "weekly", data)
    assert response.status_code == 200
    assert message in errors_of(response)


WHERE_OK = {"contact_name": "Rose Turner", "postcode": "RV1 2AB", "address": "1 High Street"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contact_name": ""}, "Enter the full name of the person who needs help"),
        ({"postcode": ""}, "Enter a postcode"),
        ({"postcode": "ZZ99 9ZZ"}, "We do not recognise that postcode"),
        ({"postcode": "not a postcode at all"}, "We do not recognise that postcode"),
        ({"postcode": "RV9 9ZZ"}, "RV9 9ZZ is outside Riverside"),
        ({"address": ""}, "Enter the address where help is needed"),
        ({"email": "rose@"}, "Enter an email address in the correct format"),
    ],
)
def test_the_where_page_explains_every_mistake(client, resident, postcode, changes, message):
    PostcodeFactory(code="RV9 9ZZ", area=None)
    complete_up_to_where(client)
    response = answer(client, "where", {**WHERE_OK, **changes})
    assert response.status_code == 200
    assert message in errors_of(response)


def test_the_preferences_page_needs_a_language_when_one_is_required(client, resident, postcode):
    complete_up_to_where(client)
    answer(client, "where", WHERE_OK)
    response = answer(client, "preferences", {"language_required": "on"})
    assert "Select the language the helper must speak" in errors_of(response)


def test_an_answer_that_no_longer_validates_sends_the_resident_back(client, resident, postcode):
    complete_journey(client)
    postcode.area = None  # the council's boundary changed since the answer was given
    postcode.save()
    response = client.post(reverse("needs:check"))
    assert response.url == step_url("where")
    assert not Need.objects.exists()


# --- Your requests ---------------------------------------------------------------------------


def test_your_requests_lists_only_your_own(client, resident):
    mine = NeedFactory(requested_by=resident)
    theirs = NeedFactory()
    html = client.get(reverse("needs:list")).content.decode()
    assert mine.reference in html and theirs.reference not in html


def test_your_requests_can_be_filtered_by_status_and_kind(client, resident):
    open_meal = NeedFactory(requested_by=resident)
    withdrawn = NeedFactory(requested_by=resident, status="withdrawn")
    chat = NeedFactory(requested_by=resident, category=category("companionship"))
    html = client.get(
        reverse("needs:list"), {"status": "open", "category": category().pk}
    ).content.decode()
    assert open_meal.reference in html
    assert withdrawn.reference not in html and chat.reference not in html


def test_a_bad_filter_value_is_explained_not_a_crash(client, resident):
    response = client.get(
        reverse("needs:list"), {"status": "nonsense", "created_after": "yesterday"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_your_requests_take_the_same_queries_however_many_there_are(
    client, resident, rows, django_assert_max_num_queries
):
    NeedFactory.create_batch(
        rows, requested_by=resident, schedule="weekly", on_date=None, starts_at=None, ends_at=None
    )
    client.get(reverse("needs:list"))  # the filter form is rendered once, then cached
    # session, user, nav facts, page of needs (+category), slots; a count past one page
    with django_assert_max_num_queries(5 if rows <= 20 else 6):
        response = client.get(reverse("needs:list"))
    assertContains(response, f"{rows} requests")


def test_another_residents_request_is_404_everywhere(client, resident):
    theirs = NeedFactory()
    for name in ["needs:detail", "needs:change", "matchmaking:need_withdraw", "needs:submitted"]:
        assert client.get(reverse(name, args=[theirs.reference])).status_code == 404
    assert (
        client.post(reverse("matchmaking:need_withdraw", args=[theirs.reference])).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == NeedStatus.OPEN


def test_the_request_page_shows_your_own_details(client, resident):
    need = NeedFactory(requested_by=resident, address="12 Mill Lane")
    html = client.get(reverse("needs:detail", args=[need.reference])).content.decode()
    assert "12 Mill Lane" in html and "Withdraw this request" in html


def test_change_a_request(client, resident):
    need = NeedFactory(requested_by=resident)
    data = {
        "details": "Soup, please",
        "urgency": "urgent",
        "contact_name": "Rose Turner",
        "address": "1 High Street",
        "when-on_date": TOMORROW.isoformat(),
        "when-starts_at": "17:00",
        "when-ends_at": "18:00",
    }
    response = client.post(reverse("needs:change", args=[need.reference]), data)
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.details, need.urgency, need.starts_at) == (
        "Soup, please",
        "urgent",
        datetime.time(17),
    )


def test_change_with_bad_input_changes_nothing(client, resident):
    need = NeedFactory(requested_by=resident)
    response = client.post(
        reverse("needs:change", args=[need.reference]),
        {
            "details": "",
            "urgency": "soon",
            "contact_name": "R",
            "address": "x",
            "when-on_date": "2020-01-01",
            "when-starts_at": "10:00",
            "when-ends_at": "09:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tell us a little more" in html and "The end time must be after the start time" in html
    need.refresh_from_db()
    assert need.details == "A hot lunch, please"


def test_withdraw_a_request_and_not_twice(client, resident):
    need = NeedFactory(requested_by=resident)
    url = reverse("matchmaking:need_withdraw", args=[need.reference])
    assert "Are you sure" in client.get(url).content.decode()
    response = client.post(url, {"reason": "No longer needed"}, follow=True)
    assert f"Request {need.reference} has been withdrawn" in response.content.decode()
    need.refresh_from_db()
    assert need.status == NeedStatus.WITHDRAWN

    again = client.post(url, follow=True)
    assert "can no longer be changed" in again.content.decode()
    change = client.get(reverse("needs:change", args=[need.reference]), follow=True)
    assert "can no longer be changed" in change.content.decode()
