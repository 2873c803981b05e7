"""Background email is retried with backoff while the mail server is down (accounts.tasks).

The retries need a backend that can run a task later, so these tests use the real
database backend (django-tasks-db) and its worker, `manage.py db_worker --batch`.
"""

import logging
import signal
import smtplib
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from accounts.tasks import MAX_ATTEMPTS, RETRY_DELAYS, send_email

ADDRESS = "rose.turner@example.org"
BODY = "Rose Turner, 1 High Street, would like a hot meal on Tuesdays."  # never in a log
SECOND = timedelta(seconds=1)


class FlakyMailServer(EmailBackend):
    """Fails the next `failures` sends with `error`, then delivers into `mail.outbox`."""

    failures = 0
    error: OSError = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    attempts = 0

    def send_messages(self, email_messages):
        server = type(self)
        server.attempts += 1
        if server.failures:
            server.failures -= 1
            raise server.error
        return super().send_messages(email_messages)


@pytest.fixture
def mail_server(settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyMailServer"
    for name in ("failures", "error", "attempts"):
        monkeypatch.setattr(FlakyMailServer, name, getattr(FlakyMailServer, name))
    return FlakyMailServer


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def worker():
    """`run(after=…)`: one `db_worker --batch` pass, as if `after` had gone by since now."""
    signals = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    loggers = {name: logging.getLogger(name).level for name in ("django_tasks", "django_tasks_db")}

    def run(*, after=timedelta(0)):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).exclude(
            run_after=get_date_max()
        ).update(run_after=F("run_after") - after)
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=1)

    yield run
    # The worker takes over Ctrl-C and sets its loggers' levels; give both back to pytest.
    for number, handler in signals.items():
        signal.signal(number, handler)
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)


def send():
    return send_email.enqueue(to=[ADDRESS], subject="Your request", body=BODY)


def attempts():
    return DBTaskResult.objects.order_by("enqueued_at")


def assert_nothing_personal_logged(caplog):
    text = caplog.text + "".join(attempts().values_list("traceback", flat=True))
    assert ADDRESS not in text and "rose.turner" not in text
    assert BODY not in text


@pytest.mark.django_db(transaction=True)
def test_a_transient_failure_schedules_a_later_attempt(database_tasks, mail_server, worker):
    mail_server.failures = 1
    first = send()
    before = timezone.now()
    worker()

    assert mail_server.attempts == 1 and mail.outbox == []
    failed, retry = attempts()
    # The attempt that failed is recorded as failed, naming the retry it queued.
    assert str(failed.id) == first.id and failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "accounts.tasks.EmailNotSent"
    assert f"retrying as task {retry.id}" in failed.traceback
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs["kwargs"] == {
        "to": [ADDRESS],
        "subject": "Your request",
        "body": BODY,
        "attempt": 2,
    }
    assert before + RETRY_DELAYS[0] <= retry.run_after <= timezone.now() + RETRY_DELAYS[0]

    worker(after=RETRY_DELAYS[0] - SECOND)  # not due yet: left alone
    assert mail_server.attempts == 1
    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.READY


@pytest.mark.django_db(transaction=True)
def test_the_retry_delivers_the_email(database_tasks, mail_server, worker, caplog):
    mail_server.failures = 1
    send()
    worker()
    worker(after=RETRY_DELAYS[0])

    assert mail_server.attempts == 2
    [message] = mail.outbox
    assert message.to == [ADDRESS] and message.body == BODY
    statuses = [row.status for row in attempts()]
    assert statuses == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    [warning] = [record for record in caplog.records if record.name == "accounts.tasks"]
    assert warning.levelno == logging.WARNING
    assert f"attempt 1 of {MAX_ATTEMPTS}: retrying" in warning.getMessage()
    assert_nothing_personal_logged(caplog)


@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_it_gives_up_and_logs_an_error_without_the_address(
    database_tasks, mail_server, worker, caplog
):
    # A transient refusal whose text names the recipient, as real servers' replies do.
    mail_server.failures = 100
    mail_server.error = smtplib.SMTPRecipientsRefused(
        {ADDRESS: (451, f"4.2.1 <{ADDRESS}>: mailbox busy, try again later".encode())}
    )
    send()
    worker()
    for number, delay in enumerate(RETRY_DELAYS, start=2):
        worker(after=delay - SECOND)  # each wait is the whole delay: not a second less
        assert mail_server.attempts == number - 1
        worker(after=SECOND)
        assert mail_server.attempts == number

    assert MAX_ATTEMPTS == 6 and mail_server.attempts == MAX_ATTEMPTS
    rows = list(attempts())
    last = rows[-1]
    assert [row.status for row in rows] == [TaskResultStatus.FAILED] * MAX_ATTEMPTS
    assert {row.exception_class_path for row in rows} == {"accounts.tasks.EmailNotSent"}
    assert all(f"retrying as task {after.id}" in row.traceback for row, after in pairwise(rows))
    assert "retrying" not in last.traceback
    assert not DBTaskResult.objects.ready().exists()
    assert mail.outbox == []
    errors = [
        r for r in caplog.records if r.name == "accounts.tasks" and r.levelno >= logging.ERROR
    ]
    [error] = errors
    assert error.getMessage() == (
        f"Email task {last.id} to 1 recipient(s) failed (SMTPRecipientsRefused)"
        " on attempt 6 of 6: giving up"
    )
    assert_nothing_personal_logged(caplog)


@pytest.mark.django_db(transaction=True)
def test_a_permanent_refusal_is_not_retried(database_tasks, mail_server, worker, caplog):
    mail_server.failures = 100
    mail_server.error = smtplib.SMTPRecipientsRefused(
        {ADDRESS: (550, f"5.1.1 <{ADDRESS}>: no such user".encode())}
    )
    send()
    worker()
    worker(after=max(RETRY_DELAYS))

    assert mail_server.attempts == 1 and mail.outbox == []
    [row] = attempts()
    assert row.status == TaskResultStatus.FAILED
    [error] = [r for r in caplog.records if r.name == "accounts.tasks"]
    assert error.levelno == logging.ERROR
    assert "refused by the mail server, not retried" in error.getMessage()
    assert_nothing_personal_logged(caplog)


@pytest.mark.django_db
def test_inline_tasks_cannot_retry_so_the_request_succeeds_and_it_is_tried_once(
    client, mail_server, caplog, django_capture_on_commit_callbacks
):
    from tests.services.test_request_help import submit_as_a_new_resident

    mail_server.failures = 100
    response = submit_as_a_new_resident(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert mail_server.attempts == 1 and mail.outbox == []  # the request's one email
    [warning] = [r for r in caplog.records if r.name == "accounts.tasks"]
    assert warning.levelno == logging.WARNING
    assert "cannot run it later, not retried" in warning.getMessage()
    assert not DBTaskResult.objects.exists()
