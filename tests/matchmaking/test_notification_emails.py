"""A batch of notifications queues one email task, and the worker emails each person in their
own language (what a batch allocation's thousands of offers rely on)."""

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from accounts.languages import lazy_message
from matchmaking.models import Notification
from matchmaking.notifications import Notice, notify_many
from matchmaking.tasks import send_notification_emails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def notices(people):
    from django.utils.translation import gettext_lazy as _

    return [
        Notice(
            users=[person],
            message=lazy_message(
                _("Request %(reference)s was marked as done. Thank you."), reference="AB12"
            ),
            url="/x/",
        )
        for person in people
    ]


def queued():
    return DBTaskResult.objects.filter(task_path=send_notification_emails.module_path)


def run_queued(tasks):
    """What a db_worker does with the queued email tasks, with the inline backend."""
    from matchmaking.notifications import notification_emails_send

    for row in tasks:
        notification_emails_send(*row.args_kwargs["args"])


def test_many_notifications_queue_one_email_task_and_every_person_gets_theirs(settings):
    settings.TASKS = DATABASE_TASKS
    english = UserFactory.create_batch(3, language="en-gb")
    welsh = UserFactory(language="cy")
    with transaction.atomic():
        notify_many(notices([*english, welsh]))
    tasks = list(queued())
    assert len(tasks) == 1
    assert mail.outbox == []  # nothing is rendered or sent in the transaction

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    run_queued(tasks)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == sorted(person.email for person in [*english, welsh])
    english_body = by_address[english[0].email].body
    welsh_body = by_address[welsh.email].body
    assert "Request AB12 was marked as done. Thank you." in english_body
    assert "Request AB12 was marked as done. Thank you." not in welsh_body
    assert Notification.objects.get(user=welsh).message in welsh_body


def test_a_notification_gone_before_the_worker_runs_is_not_emailed(settings):
    settings.TASKS = DATABASE_TASKS
    kept, erased = UserFactory.create_batch(2)
    with transaction.atomic():
        notify_many(notices([kept, erased]))
    erased.delete()

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    run_queued(queued())
    assert [message.to for message in mail.outbox] == [[kept.email]]


def test_nothing_is_queued_when_the_transaction_is_rolled_back(settings):
    settings.TASKS = DATABASE_TASKS
    person = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_many(notices([person]))
        raise RuntimeError
    assert not queued().exists()
    assert not Notification.objects.exists()
