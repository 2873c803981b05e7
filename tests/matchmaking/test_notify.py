"""Text messages through GOV.UK Notify, end to end: the real notifications-python-client
talks to a fake Notify started here (a small HTTP server speaking the v2 endpoints the
client uses), and Notify's delivery receipts come back through /notify/callback/.
No test needs the internet."""

import datetime
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.constants import ContactMethod
from matchmaking.constants import DeliveryStatus
from matchmaking.models import Notification, TextDelivery, TextNumber
from matchmaking.notifications import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"kith_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())
CALLBACK_TOKEN = "callback-token-for-tests-0123456789"
# Notify answers 400 for this number, as it does for one it cannot text.
UNTEXTABLE = "+447700900666"


class FakeNotify(BaseHTTPRequestHandler):
    """POST /v2/notifications/sms and /email, as GOV.UK Notify answers them."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            authorised = claims["iss"] == SERVICE_ID
        except jwt.PyJWTError:
            authorised = False
        self.server.received.append({"path": self.path, "body": body, "authorised": authorised})
        if not authorised:
            return self._answer(403, {"status_code": 403, "errors": [{"error": "AuthError"}]})
        if self.path not in ("/v2/notifications/sms", "/v2/notifications/email"):
            return self._answer(404, {"status_code": 404, "errors": [{"error": "NotFound"}]})
        if self.server.busy_answers:
            self.server.busy_answers -= 1
            return self._answer(500, {"status_code": 500, "errors": [{"error": "Exception"}]})
        if body.get("phone_number") == UNTEXTABLE:
            error = {"error": "BadRequestError", "message": "Not a UK mobile number"}
            return self._answer(400, {"status_code": 400, "errors": [error]})
        notification_id = str(uuid.uuid4())
        self._answer(
            201,
            {
                "id": notification_id,
                "reference": body.get("reference"),
                "content": {"body": json.dumps(body["personalisation"])},
                "uri": f"http://notify.invalid/v2/notifications/{notification_id}",
                "template": {"id": body["template_id"], "version": 1, "uri": "x"},
            },
        )

    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_notify(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    server.received = []
    server.busy_answers = 0  # how many requests to answer 500 before working again
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOTIFY_SMS_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def person(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run what waits for the commit (texts and emails are queued after it)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def texts_to(server, phone):
    return [
        r["body"]["personalisation"]["message"]
        for r in server.received
        if r["path"] == "/v2/notifications/sms" and r["body"]["phone_number"] == phone
    ]


def a_minute_later(user):
    """As if the last code was sent a minute ago (codes go out at most once a minute)."""
    TextNumber.objects.filter(user=user).update(
        code_sent_at=timezone.now() - datetime.timedelta(seconds=61)
    )


def code_in(message):
    return re.search(r"\b(\d{5})\b", message).group(1)


def choose_texts(client, send, phone="07700 900123", notify_by="text"):
    return send(
        lambda: client.post(
            reverse("matchmaking:text_messages"), {"notify_by": notify_by, "phone": phone}
        )
    )


def confirm(client, send, server, phone="+447700900123"):
    code = code_in(texts_to(server, phone)[-1])
    return send(lambda: client.post(reverse("matchmaking:text_messages_confirm"), {"code": code}))


def callback(client, payload, token=CALLBACK_TOKEN):
    return client.post(
        reverse("notify_callback"),
        json.dumps(payload) if not isinstance(payload, str) else payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


# --- off without a key ---


def test_without_a_key_no_text_is_sent_and_email_works_as_now(client, person, send, settings):
    settings.NOTIFY_API_KEY = ""
    person.contact_method = ContactMethod.TEXT
    person.save()

    send(lambda: notify(users=[person], message="Your request has a helper"))

    assert len(mail.outbox) == 1
    assert not TextDelivery.objects.exists()
    page = client.get(reverse("matchmaking:text_messages"))
    assert "Text messages are not available yet" in page.content.decode()


# --- confirming the number ---


def test_choosing_texts_sends_a_5_digit_code_through_notify(client, person, send, fake_notify):
    response = choose_texts(client, send)

    assert response.status_code == 302
    assert response["Location"] == reverse("matchmaking:text_messages_confirm")
    [request] = fake_notify.received
    assert request["authorised"], "the client's JWT must be signed with the key's secret"
    assert request["path"] == "/v2/notifications/sms"
    assert request["body"]["phone_number"] == "+447700900123"
    assert request["body"]["template_id"] == TEMPLATE_ID
    assert re.search(r"\b\d{5}\b", request["body"]["personalisation"]["message"])
    page = client.get(reverse("matchmaking:text_messages_confirm")).content.decode()
    assert "07700 900123" in page
    assert "Not received a text message?" in page


def test_the_right_code_confirms_the_number(client, person, send, fake_notify):
    choose_texts(client, send)

    response = confirm(client, send, fake_notify)

    assert response.status_code == 302
    assert TextNumber.objects.get(user=person).confirmed_at is not None


def test_a_wrong_code_is_refused_and_changes_nothing(client, person, send, fake_notify):
    choose_texts(client, send)
    right = code_in(texts_to(fake_notify, "+447700900123")[0])
    wrong = f"{(int(right) + 1) % 100000:05d}"

    response = client.post(reverse("matchmaking:text_messages_confirm"), {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert TextNumber.objects.get(user=person).confirmed_at is None


def test_a_code_older_than_15_minutes_has_expired(client, person, send, fake_notify):
    choose_texts(client, send)
    code = code_in(texts_to(fake_notify, "+447700900123")[0])
    TextNumber.objects.filter(user=person).update(
        code_sent_at=timezone.now() - datetime.timedelta(minutes=16)
    )

    response = client.post(reverse("matchmaking:text_messages_confirm"), {"code": code})

    assert "That code has expired" in response.content.decode()
    assert TextNumber.objects.get(user=person).confirmed_at is None


def test_after_10_wrong_codes_even_the_right_one_waits(client, person, send, fake_notify):
    choose_texts(client, send)
    right = code_in(texts_to(fake_notify, "+447700900123")[0])
    wrong = f"{(int(right) + 1) % 100000:05d}"
    url = reverse("matchmaking:text_messages_confirm")
    for _ in range(10):
        client.post(url, {"code": wrong})
    a_minute_later(person)

    response = client.post(url, {"code": right})

    assert "too many wrong codes" in response.content.decode()
    assert TextNumber.objects.get(user=person).confirmed_at is None
    resend = send(lambda: client.post(reverse("matchmaking:text_messages_resend"), follow=True))
    assert "too many wrong codes" in resend.content.decode()
    assert len(texts_to(fake_notify, "+447700900123")) == 1


def test_not_received_a_text_sends_a_new_code_and_the_old_one_stops(
    client, person, send, fake_notify
):
    choose_texts(client, send)
    old = code_in(texts_to(fake_notify, "+447700900123")[0])
    a_minute_later(person)

    send(lambda: client.post(reverse("matchmaking:text_messages_resend")))

    new = code_in(texts_to(fake_notify, "+447700900123")[1])
    url = reverse("matchmaking:text_messages_confirm")
    if old != new:
        client.post(url, {"code": old})
        assert TextNumber.objects.get(user=person).confirmed_at is None
    client.post(url, {"code": new})
    assert TextNumber.objects.get(user=person).confirmed_at is not None


def test_sending_the_form_twice_sends_one_code(client, person, send, fake_notify):
    choose_texts(client, send)

    response = choose_texts(client, send)

    assert response["Location"] == reverse("matchmaking:text_messages_confirm")
    assert len(texts_to(fake_notify, "+447700900123")) == 1


def test_a_new_code_waits_a_minute_after_the_last(client, person, send, fake_notify):
    choose_texts(client, send)

    response = send(lambda: client.post(reverse("matchmaking:text_messages_resend"), follow=True))

    assert "Wait a minute" in response.content.decode()
    assert len(texts_to(fake_notify, "+447700900123")) == 1


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("abc", "Enter a mobile phone number"),
        ("", "Enter a UK mobile number"),
        ("020 7946 0000", "texts cannot go to a landline"),
        ("0770\x00900123", "Null characters are not allowed"),
    ],
)
def test_a_number_that_cannot_get_texts_is_a_clear_error(
    client, person, send, fake_notify, phone, message
):
    response = choose_texts(client, send, phone=phone)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TextNumber.objects.exists()
    assert fake_notify.received == []


def test_the_pages_are_for_signed_in_people_only(client):
    for name in ("text_messages", "text_messages_confirm", "text_messages_resend"):
        response = client.get(reverse(f"matchmaking:{name}"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# --- notifications by text ---


@pytest.fixture
def texted(client, person, send, fake_notify):
    """A person who chose texts only and confirmed their number."""
    choose_texts(client, send)
    confirm(client, send, fake_notify)
    fake_notify.received.clear()
    mail.outbox.clear()
    person.refresh_from_db()
    return person


def test_a_person_who_chose_texts_gets_a_text_instead_of_an_email(texted, send, fake_notify):
    send(lambda: notify(users=[texted], message="Rose can help on Thursday", url="/matches/1/"))

    [text] = texts_to(fake_notify, "+447700900123")
    assert "Rose can help on Thursday" in text
    assert "/matches/1/" in text
    assert mail.outbox == []
    delivery = TextDelivery.objects.get(notification__user=texted)
    assert delivery.status == DeliveryStatus.SENDING and delivery.notify_id


def test_a_person_who_chose_both_gets_a_text_and_an_email(client, person, send, fake_notify):
    choose_texts(client, send, notify_by="both")
    confirm(client, send, fake_notify)
    fake_notify.received.clear()
    mail.outbox.clear()
    person.refresh_from_db()

    send(lambda: notify(users=[person], message="Rose can help on Thursday"))

    assert len(texts_to(fake_notify, "+447700900123")) == 1
    assert len(mail.outbox) == 1


def test_no_text_goes_to_a_number_not_yet_confirmed(client, person, send, fake_notify):
    choose_texts(client, send)
    fake_notify.received.clear()

    send(lambda: notify(users=[person], message="Rose can help on Thursday"))

    assert fake_notify.received == []
    assert len(mail.outbox) == 1


def test_with_an_email_template_notification_emails_go_through_notify_too(
    person, send, fake_notify, settings
):
    settings.NOTIFY_EMAIL_TEMPLATE_ID = str(uuid.uuid4())

    send(lambda: notify(users=[person], message="Rose can help on Thursday"))

    [request] = fake_notify.received
    assert request["authorised"] and request["path"] == "/v2/notifications/email"
    assert request["body"]["email_address"] == person.email
    assert request["body"]["template_id"] == settings.NOTIFY_EMAIL_TEMPLATE_ID
    assert "Rose can help on Thursday" in request["body"]["personalisation"]["body"]
    assert request["body"]["personalisation"]["subject"]
    assert mail.outbox == []


# --- delivery receipts ---


def test_a_receipt_records_delivery_for_staff_to_see(client, texted, send, fake_notify):
    send(lambda: notify(users=[texted], message="Rose can help"))
    delivery = TextDelivery.objects.get(notification__isnull=False)

    response = callback(client, {"id": delivery.notify_id, "status": "delivered"})

    assert response.status_code == 204
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_permanently_failed_number_gets_no_more_texts_and_is_told_in_the_app(
    client, texted, send, fake_notify
):
    send(lambda: notify(users=[texted], message="Rose can help"))
    delivery = TextDelivery.objects.get(notification__isnull=False)
    mail.outbox.clear()

    send(lambda: callback(client, {"id": delivery.notify_id, "status": "permanent-failure"}))
    fake_notify.received.clear()
    send(lambda: notify(users=[texted], message="Your visit is tomorrow"))

    assert fake_notify.received == []
    assert Notification.objects.filter(
        user=texted, message__contains="could not send text messages"
    ).exists()
    assert [m for m in mail.outbox if "Your visit is tomorrow" in m.body]
    page = client.get(reverse("matchmaking:text_messages")).content.decode()
    assert "we stopped texting it" in page


def test_confirming_a_stopped_number_again_restarts_texts(client, texted, send, fake_notify):
    TextNumber.objects.filter(user=texted).update(failed_at=timezone.now())
    a_minute_later(texted)

    response = choose_texts(client, send)
    assert response["Location"] == reverse("matchmaking:text_messages_confirm")
    confirm(client, send, fake_notify)
    fake_notify.received.clear()
    texted.refresh_from_db()
    send(lambda: notify(users=[texted], message="Your visit is tomorrow"))

    [text] = texts_to(fake_notify, "+447700900123")
    assert "Your visit is tomorrow" in text


def test_a_number_notify_refuses_is_stopped_too(client, person, send, fake_notify):
    TextNumber.objects.create(
        user=person, phone=UNTEXTABLE, email_too=False, confirmed_at=timezone.now()
    )
    person.contact_method = ContactMethod.TEXT
    person.save()

    send(lambda: notify(users=[person], message="Rose can help"))

    delivery = TextDelivery.objects.get(notification__message="Rose can help")
    assert delivery.status == DeliveryStatus.NOT_SENT
    assert TextNumber.objects.get(user=person).failed_at is not None


@pytest.fixture
def confirmed_number(person):
    TextNumber.objects.create(
        user=person, phone="+447700900123", email_too=False, confirmed_at=timezone.now()
    )
    person.contact_method = ContactMethod.TEXT
    person.save()
    return person


def test_a_text_notify_cannot_take_is_not_sent_and_the_number_keeps_texts(
    confirmed_number, send, fake_notify
):
    fake_notify.busy_answers = 1

    send(lambda: notify(users=[confirmed_number], message="Rose can help"))

    delivery = TextDelivery.objects.get(notification__message="Rose can help")
    assert delivery.status == DeliveryStatus.NOT_SENT
    assert TextNumber.objects.get(user=confirmed_number).failed_at is None


def test_a_backend_that_can_wait_tries_a_busy_notify_again(
    confirmed_number, send, fake_notify, monkeypatch
):
    from django_tasks.backends.immediate import ImmediateBackend

    # The inline backend, told it may defer: each retry runs at once instead of later.
    monkeypatch.setattr(ImmediateBackend, "supports_defer", True)
    fake_notify.busy_answers = 2

    send(lambda: notify(users=[confirmed_number], message="Rose can help"))

    assert len(texts_to(fake_notify, "+447700900123")) == 3
    delivery = TextDelivery.objects.get(notification__message="Rose can help")
    assert delivery.status == DeliveryStatus.SENDING and delivery.notify_id


@pytest.mark.parametrize("token", ["wrong-token", "", f"{CALLBACK_TOKEN}x"])
def test_a_receipt_with_a_wrong_token_is_401_and_changes_nothing(
    client, texted, send, fake_notify, token
):
    send(lambda: notify(users=[texted], message="Rose can help"))
    delivery = TextDelivery.objects.get(notification__isnull=False)

    response = callback(client, {"id": delivery.notify_id, "status": "delivered"}, token=token)

    assert response.status_code == 401
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"id": 1, "status": "delivered"}',
        '{"id": "x"}',
        '{"id": "x", "status": "exploded"}',
        '{"id": "x\\u0000", "status": "delivered"}',
    ],
)
def test_a_malformed_receipt_is_400(client, fake_notify, body):
    assert callback(client, body).status_code == 400


def test_receipts_are_refused_while_no_callback_token_is_set(client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""

    assert callback(client, {"id": "x", "status": "delivered"}, token="").status_code == 401


# --- privacy ---


def test_the_phone_number_and_texts_are_in_the_download_and_go_with_the_account(
    client, texted, send, fake_notify
):
    from matchmaking.privacy import account_delete, personal_data

    send(lambda: notify(users=[texted], message="Rose can help"))
    data = personal_data(texted)
    assert data["text_number"][0]["phone"] == "+447700900123"
    assert "code_hash" not in data["text_number"][0]
    assert len(data["text_messages"]) == 2  # the code, then the notification

    send(lambda: account_delete(user=texted))

    assert not TextNumber.objects.filter(user=texted).exists()
    assert not TextDelivery.objects.filter(user=texted).exists()


JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON_VALUES = (
    JSON_LEAVES
    | st.lists(JSON_LEAVES, max_size=3)
    | st.dictionaries(st.text(), JSON_LEAVES | st.lists(JSON_LEAVES, max_size=2), max_size=3)
)
RECEIPTS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=50) | JSON_VALUES,
        "status": st.sampled_from(DeliveryStatus.values) | st.text() | JSON_VALUES,
        "reference": JSON_VALUES,
    },
)


@hypothesis_settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=RECEIPTS | JSON_VALUES)
def test_no_receipt_body_is_a_server_error(client, settings, body):
    settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN

    response = callback(client, json.dumps(body))

    assert response.status_code in (204, 400)
